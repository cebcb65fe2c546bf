package apikey

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

func TestCreateChildRules(t *testing.T) {
	f := newFixture(t, nil)
	now := f.clock.now()
	parent := f.create(t, CreateParams{
		Name: "parent", Scopes: []string{"skills:read", "skills:execute", "keys:write"},
		ExpiresAt: now.Add(24 * time.Hour), MonthlyQuota: 100, RateLimitPerMinute: 60,
		AllowedSkillIDs: []string{"a", "b"}, Teams: []string{"t1"},
	})
	agent := f.actor(t, parent.Secret)
	tests := []struct {
		name     string
		p        CreateParams
		wantKind Kind
	}{
		{"inherits", CreateParams{Name: "c", MonthlyQuota: 10}, 0},
		{"scope beyond parent", CreateParams{Name: "c", MonthlyQuota: 10, Scopes: []string{"admin"}}, KindInvalid},
		{"scope not held by parent", CreateParams{Name: "c", MonthlyQuota: 10, Scopes: []string{"keys:read"}}, KindInvalid},
		{"role beyond parent", CreateParams{Name: "c", MonthlyQuota: 10, Roles: []string{"admin"}}, KindInvalid},
		{"expiry after parent", CreateParams{Name: "c", MonthlyQuota: 10, ExpiresAt: now.Add(48 * time.Hour)}, KindInvalid},
		{"no quota under a quota", CreateParams{Name: "c"}, KindConflict},
		{"quota beyond budget", CreateParams{Name: "c", MonthlyQuota: 101}, KindConflict},
		{"rate beyond parent", CreateParams{Name: "c", MonthlyQuota: 1, RateLimitPerMinute: 61}, KindInvalid},
		{"skill beyond parent", CreateParams{Name: "c", MonthlyQuota: 1, AllowedSkillIDs: []string{"c"}}, KindInvalid},
		{"other owner", CreateParams{Name: "c", MonthlyQuota: 1, User: "mallory"}, KindInvalid},
		{"unknown scope", CreateParams{Name: "c", Scopes: []string{"root"}}, KindInvalid},
		{"no name", CreateParams{MonthlyQuota: 1}, KindInvalid},
		{"control character", CreateParams{Name: "a\nb", MonthlyQuota: 1}, KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := f.manager.Create(context.Background(), agent, tc.p)
			if got := KindOf(err); got != tc.wantKind {
				t.Fatalf("Create = %v (kind %d), want kind %d", err, got, tc.wantKind)
			}
			if err != nil {
				return
			}
			k := c.Key
			if k.ParentID != parent.Key.ID || k.User != "alice" || !slices.Equal(k.Teams, []string{"t1"}) ||
				!slices.Equal(k.AllowedSkillIDs, []string{"a", "b"}) || k.RateLimitPerMinute != 60 ||
				k.ExpiresAt == nil || !k.ExpiresAt.Equal(now.Add(24*time.Hour)) {
				t.Errorf("child did not inherit its parent's limits: %+v", k)
			}
			if !slices.Equal(k.Scopes, []string{"skills:read", "skills:execute", "keys:write"}) {
				t.Errorf("child scopes = %v", k.Scopes)
			}
		})
	}
}

// TestChildBudgetsNeverOverdraw creates children concurrently, each asking
// for 10 of a parent's 100: exactly 10 may succeed.
func TestChildBudgetsNeverOverdraw(t *testing.T) {
	f := newFixture(t, nil)
	parent := f.create(t, CreateParams{Name: "parent", MonthlyQuota: 100})
	var ok atomic.Int64
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			_, err := f.manager.Create(context.Background(), admin, CreateParams{Name: "c", ParentID: parent.Key.ID, MonthlyQuota: 10})
			switch {
			case err == nil:
				ok.Add(1)
			case KindOf(err) != KindConflict:
				t.Errorf("Create = %v", err)
			}
		})
	}
	wg.Wait()
	if ok.Load() != 10 {
		t.Fatalf("%d children of 10 each fit in a budget of 100", ok.Load())
	}
}

func TestVisibility(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	mine := f.create(t, CreateParams{Name: "mine", Scopes: []string{"keys:*", "skills:read"}})
	other := f.create(t, CreateParams{Name: "other", User: "bob"})
	me := f.actor(t, mine.Secret)
	child, err := f.manager.Create(ctx, me, CreateParams{Name: "child"})
	if err != nil {
		t.Fatal(err)
	}
	if child.Key.ParentID != mine.Key.ID {
		t.Fatalf("a key without admin made a key with parent %q", child.Key.ParentID)
	}
	for _, id := range []string{mine.Key.ID, child.Key.ID} {
		if _, err := f.manager.Get(ctx, me, id); err != nil {
			t.Errorf("Get(%s) = %v", id, err)
		}
	}
	// Another owner's key answers exactly like a missing one.
	_, errOther := f.manager.Get(ctx, me, other.Key.ID)
	_, errMissing := f.manager.Get(ctx, me, "key_missing")
	if KindOf(errOther) != KindNotFound || KindOf(errMissing) != KindNotFound {
		t.Errorf("Get(other) = %v, Get(missing) = %v; want not found for both", errOther, errMissing)
	}
	for name, op := range map[string]func() error{
		"revoke": func() error { _, err := f.manager.Revoke(ctx, me, other.Key.ID); return err },
		"rotate": func() error { _, err := f.manager.Rotate(ctx, me, other.Key.ID, nil); return err },
		"update": func() error {
			_, err := f.manager.Update(ctx, me, other.Key.ID, UpdateParams{Name: new("x")})
			return err
		},
		"as root": func() error {
			_, err := f.manager.Create(ctx, me, CreateParams{Name: "x", ParentID: other.Key.ID})
			return err
		},
	} {
		if err := op(); KindOf(err) != KindNotFound {
			t.Errorf("%s another owner's key = %v, want not found", name, err)
		}
	}
	if _, err := f.manager.Update(ctx, me, mine.Key.ID, UpdateParams{MonthlyQuota: new(int64(0))}); KindOf(err) != KindForbidden {
		t.Errorf("a key updating itself = %v, want forbidden", err)
	}
	page, err := f.manager.List(ctx, me, ListParams{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, k := range page.Keys {
		ids = append(ids, k.ID)
	}
	wantIDs := []string{mine.Key.ID, child.Key.ID}
	slices.Sort(ids)
	slices.Sort(wantIDs)
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("List = %v, want only its own key and child", ids)
	}
	reader := f.actor(t, f.create(t, CreateParams{Name: "reader", Scopes: []string{"skills:read"}}).Secret)
	if _, err := f.manager.List(ctx, reader, ListParams{}); KindOf(err) != KindForbidden {
		t.Errorf("List without keys:read = %v, want forbidden", err)
	}
}

func TestRevokeCascadesAndIsIdempotent(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	root := f.create(t, CreateParams{Name: "root"})
	child := f.create(t, CreateParams{Name: "child", ParentID: root.Key.ID})
	grandchild := f.create(t, CreateParams{Name: "grandchild", ParentID: child.Key.ID})
	r, err := f.manager.Revoke(ctx, admin, root.Key.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Revoked) != 3 || r.Key.State != store.StateRevoked {
		t.Errorf("Revoke = %+v, want the key and its 2 descendants", r)
	}
	for _, s := range []string{root.Secret, child.Secret, grandchild.Secret} {
		if _, err := f.verifier.Verify(ctx, s); !errors.Is(err, auth.ErrRevoked) {
			t.Errorf("Verify after cascade = %v", err)
		}
	}
	again, err := f.manager.Revoke(ctx, admin, root.Key.ID)
	if err != nil || len(again.Revoked) != 0 {
		t.Errorf("second Revoke = %+v, %v; want success revoking nothing", again, err)
	}
	bySecret := f.create(t, CreateParams{Name: "leaked"})
	if r, err := f.manager.RevokeSecret(ctx, admin, bySecret.Secret); err != nil || r.Key.ID != bySecret.Key.ID {
		t.Errorf("RevokeSecret = %+v, %v", r, err)
	}
	if _, err := f.manager.Rotate(ctx, admin, root.Key.ID, nil); KindOf(err) != KindConflict {
		t.Errorf("rotating a revoked key = %v, want conflict", err)
	}
	if _, err := f.manager.Update(ctx, admin, root.Key.ID, UpdateParams{Enabled: new(true)}); KindOf(err) != KindConflict {
		t.Errorf("enabling a revoked key = %v, want conflict", err)
	}
}

func TestRotate(t *testing.T) {
	f := newFixture(t, func(p *Policy) { p.RotationGrace, p.MaxRotationGrace = 24*time.Hour, 48*time.Hour })
	ctx := context.Background()
	k := f.create(t, CreateParams{Name: "rotating", MonthlyQuota: 2})
	tooLong := 72 * time.Hour
	if _, err := f.manager.Rotate(ctx, admin, k.Key.ID, &tooLong); KindOf(err) != KindInvalid {
		t.Errorf("grace beyond the cap = %v", err)
	}
	if err := f.manager.SpendExecution(ctx, f.actor(t, k.Secret).Principal); err != nil {
		t.Fatal(err)
	}
	f.clock.advance(time.Minute)
	rotated, err := f.manager.Rotate(ctx, admin, k.Key.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.Key.ID != k.Key.ID || len(rotated.Key.Secrets) != 2 || rotated.Key.Secrets[1].State != "grace" {
		t.Errorf("rotated view = %+v", rotated.Key)
	}
	// Usage belongs to the key: the new secret has one execution left,
	// and the old one shares it.
	if err := f.manager.SpendExecution(ctx, f.actor(t, rotated.Secret).Principal); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{k.Secret, rotated.Secret} {
		var qe *QuotaExceededError
		if err := f.manager.SpendExecution(ctx, f.actor(t, s).Principal); !errors.As(err, &qe) || qe.Limit != 2 {
			t.Errorf("third execution = %v, want quota exceeded", err)
		}
	}
	zero := time.Duration(0)
	f.clock.advance(time.Minute)
	again, err := f.manager.Rotate(ctx, admin, k.Key.ID, &zero)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.verifier.Verify(ctx, rotated.Secret); !errors.Is(err, auth.ErrRotated) {
		t.Errorf("secret rotated with no grace = %v, want ErrRotated", err)
	}
	if _, err := f.verifier.Verify(ctx, again.Secret); err != nil {
		t.Errorf("newest secret = %v", err)
	}
}

func TestQuotaSpendsOnAncestors(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	parent := f.create(t, CreateParams{Name: "parent", MonthlyQuota: 5})
	child := f.create(t, CreateParams{Name: "child", ParentID: parent.Key.ID, MonthlyQuota: 3})
	childP := f.actor(t, child.Secret).Principal
	parentP := f.actor(t, parent.Secret).Principal
	for range 3 {
		if err := f.manager.SpendExecution(ctx, childP); err != nil {
			t.Fatal(err)
		}
	}
	var qe *QuotaExceededError
	if err := f.manager.SpendExecution(ctx, childP); !errors.As(err, &qe) || qe.KeyID != child.Key.ID {
		t.Fatalf("child's 4th = %v, want its own quota exceeded", err)
	}
	for range 2 {
		if err := f.manager.SpendExecution(ctx, parentP); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.manager.SpendExecution(ctx, parentP); !errors.As(err, &qe) || qe.KeyID != parent.Key.ID {
		t.Fatalf("parent's 6th in all = %v, want exceeded", err)
	}
	if !qe.ResetsAt.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("resets at %v", qe.ResetsAt)
	}
	// A new month starts from nothing.
	f.clock.advance(9 * 24 * time.Hour)
	if err := f.manager.SpendExecution(ctx, childP); err != nil {
		t.Errorf("first spend of December = %v", err)
	}
}

func TestListPages(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	var want []string
	for range 7 {
		want = append(want, f.create(t, CreateParams{Name: "k"}).Key.ID)
		f.clock.advance(time.Second)
	}
	revoked := want[2]
	if _, err := f.manager.Revoke(ctx, admin, revoked); err != nil {
		t.Fatal(err)
	}
	var got []string
	cursor := ""
	for range 10 {
		page, err := f.manager.List(ctx, admin, ListParams{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range page.Keys {
			got = append(got, k.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
	page, err := f.manager.List(ctx, admin, ListParams{State: store.StateRevoked})
	if err != nil || len(page.Keys) != 1 || page.Keys[0].ID != revoked {
		t.Errorf("List(revoked) = %+v, %v", page, err)
	}
	for _, p := range []ListParams{{Cursor: "!!"}, {Limit: 1000}, {State: "gone"}} {
		if _, err := f.manager.List(ctx, admin, p); KindOf(err) != KindInvalid {
			t.Errorf("List(%+v) = %v, want invalid", p, err)
		}
	}
}

func TestMaxLifetime(t *testing.T) {
	f := newFixture(t, func(p *Policy) { p.MaxLifetime = 30 * 24 * time.Hour })
	k := f.create(t, CreateParams{Name: "defaulted"})
	if k.Key.ExpiresAt == nil || !k.Key.ExpiresAt.Equal(f.clock.now().Add(30*24*time.Hour)) {
		t.Errorf("expiry = %v, want the maximum lifetime", k.Key.ExpiresAt)
	}
	_, err := f.manager.Create(context.Background(), admin, CreateParams{Name: "long", User: "a", Roles: []string{"agent"}, ExpiresAt: f.clock.now().Add(31 * 24 * time.Hour)})
	if KindOf(err) != KindInvalid {
		t.Errorf("expiry beyond the maximum = %v", err)
	}
}

func TestAuditRecordsOperations(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	k := f.create(t, CreateParams{Name: "audited"})
	_, _ = f.manager.Rotate(ctx, admin, k.Key.ID, nil)
	_, _ = f.manager.Update(ctx, admin, k.Key.ID, UpdateParams{Name: new("renamed")})
	_, _ = f.manager.Revoke(ctx, admin, k.Key.ID)
	_, _ = f.manager.Rotate(ctx, admin, k.Key.ID, nil)
	want := []string{"key.create:ok", "key.rotate:ok", "key.update:ok", "key.revoke:ok", "key.rotate:denied"}
	if got := f.audit.actions(); !slices.Equal(got, want) {
		t.Errorf("audit = %v, want %v", got, want)
	}
	for _, e := range f.audit.events {
		if e.KeyID != k.Key.ID || e.Principal == "" {
			t.Errorf("event %+v lacks the key or principal", e)
		}
	}
}

// TestUserCannotTakeOverStrongerKeys: a caller managing keys as their user
// (a static key or an identity-provider login, no admin) must not rotate,
// extend, or mint children of a key of the same user that holds more than
// they do, nor lift limits an administrator set.
func TestUserCannotTakeOverStrongerKeys(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	strong := f.create(t, CreateParams{Name: "admin key", User: "alice", Roles: []string{"admin"}})
	limited := f.create(t, CreateParams{Name: "limited", User: "alice", Roles: []string{"agent"}, MonthlyQuota: 10})
	alice := Actor{
		Principal: auth.Principal{Subject: "alice", CredentialID: "static:alice", User: "alice", Roles: []string{"agent"}, Source: auth.SourceStaticKey},
		Scopes:    roleScopes([]string{"agent"}),
	}
	checks := map[string]func() error{
		"rotate": func() error { _, err := f.manager.Rotate(ctx, alice, strong.Key.ID, nil); return err },
		"revoke": func() error { _, err := f.manager.Revoke(ctx, alice, strong.Key.ID); return err },
		"child": func() error {
			_, err := f.manager.Create(ctx, alice, CreateParams{Name: "c", ParentID: strong.Key.ID})
			return err
		},
		"rename": func() error {
			_, err := f.manager.Update(ctx, alice, strong.Key.ID, UpdateParams{Name: new("x")})
			return err
		},
		"lift quota": func() error {
			_, err := f.manager.Update(ctx, alice, limited.Key.ID, UpdateParams{MonthlyQuota: new(int64(0))})
			return err
		},
	}
	for name, op := range checks {
		if err := op(); KindOf(err) != KindForbidden {
			t.Errorf("%s = %v, want forbidden", name, err)
		}
	}
	// Their own keys they manage freely.
	own, err := f.manager.Create(ctx, alice, CreateParams{Name: "own", MonthlyQuota: 5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.manager.Update(ctx, alice, own.Key.ID, UpdateParams{MonthlyQuota: new(int64(50))}); err != nil {
		t.Errorf("updating their own key = %v", err)
	}
	if _, err := f.manager.Rotate(ctx, alice, limited.Key.ID, nil); err != nil {
		t.Errorf("rotating a key within their power = %v", err)
	}
}
