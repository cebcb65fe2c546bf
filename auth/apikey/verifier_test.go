package apikey

import (
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

func TestManagedVerify(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	valid := f.create(t, CreateParams{Name: "valid", Claims: map[string]string{"env": "ci"}})
	disabled := f.create(t, CreateParams{Name: "disabled"})
	if _, err := f.manager.Update(ctx, admin, disabled.Key.ID, UpdateParams{Enabled: new(false)}); err != nil {
		t.Fatal(err)
	}
	expiring := f.create(t, CreateParams{Name: "expiring", ExpiresAt: f.clock.now().Add(time.Hour)})
	revoked := f.create(t, CreateParams{Name: "revoked"})
	if _, err := f.manager.Revoke(ctx, admin, revoked.Key.ID); err != nil {
		t.Fatal(err)
	}
	parent := f.create(t, CreateParams{Name: "parent"})
	child := f.create(t, CreateParams{Name: "child", ParentID: parent.Key.ID})
	if _, err := f.manager.Update(ctx, admin, parent.Key.ID, UpdateParams{Enabled: new(false)}); err != nil {
		t.Fatal(err)
	}
	typo := []byte(valid.Secret)
	typo[len(typo)-3] ^= 1

	f.clock.advance(2 * time.Hour)
	tests := []struct {
		name, token string
		want        error
	}{
		{"valid", valid.Secret, nil},
		{"disabled", disabled.Secret, auth.ErrDisabled},
		{"expired", expiring.Secret, auth.ErrExpired},
		{"revoked", revoked.Secret, auth.ErrRevoked},
		{"child of a disabled parent", child.Secret, auth.ErrDisabled},
		{"unknown", Generate(DefaultPrefix), auth.ErrUnknownCredential},
		{"checksum typo", string(typo), auth.ErrMalformedCredential},
		{"not ours", "some-static-key-0123456789", auth.ErrUnknownCredential},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.verifier.Verify(ctx, tc.token)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
	p, err := f.verifier.Verify(ctx, valid.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if p.CredentialID != valid.Key.ID || p.Source != auth.SourceManagedKey || p.User != "alice" || p.Claims["env"] != "ci" {
		t.Errorf("principal = %+v", p)
	}
	if _, err := f.verifier.Recheck(ctx, p); err != nil {
		t.Errorf("Recheck(valid) = %v", err)
	}
	revokedHash := Hash(revoked.Secret)
	if _, err := f.verifier.Recheck(ctx, auth.Principal{Source: auth.SourceManagedKey, CredentialID: revoked.Key.ID, SecretID: hex.EncodeToString(revokedHash[:])}); !errors.Is(err, auth.ErrRevoked) {
		t.Errorf("Recheck(revoked) = %v", err)
	}
	if got := auth.CredentialIDOf(func() error { _, err := f.verifier.Verify(ctx, revoked.Secret); return err }()); got != revoked.Key.ID {
		t.Errorf("refusal names %q, want %s", got, revoked.Key.ID)
	}
}

// TestChecksumNeedsNoDatabase shows a mistyped key is refused by the
// checksum alone: the store is never asked.
func TestChecksumNeedsNoDatabase(t *testing.T) {
	f := newFixture(t, nil)
	counting := &countingStore{VerifierStore: f.db}
	m := NewManaged(counting, ManagedOptions{})
	k := []byte(Generate(DefaultPrefix))
	k[len(k)-1] ^= 2
	if _, err := m.Verify(context.Background(), string(k)); !errors.Is(err, auth.ErrMalformedCredential) {
		t.Fatalf("Verify = %v", err)
	}
	if n := counting.calls.Load(); n != 0 {
		t.Errorf("the store was asked %d times", n)
	}
}

type countingStore struct {
	VerifierStore
	calls atomic.Int64
}

func (c *countingStore) KeysVersion(ctx context.Context) (uint64, error) {
	c.calls.Add(1)
	return c.VerifierStore.KeysVersion(ctx)
}

func (c *countingStore) KeyBySecret(ctx context.Context, h [32]byte) (store.APIKey, store.Secret, error) {
	c.calls.Add(1)
	return c.VerifierStore.KeyBySecret(ctx, h)
}

// TestRevocationOutrunsCache revokes a key this verifier has cached: through
// the verifier's own store the very next check fails; through another
// connection to the same file, as another process would, every check after
// the store's version max age fails.
func TestRevocationOutrunsCache(t *testing.T) {
	const maxAge = 50 * time.Millisecond
	tests := []struct {
		name      string
		otherProc bool
	}{
		{"same process", false},
		{"another process", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.db")
			server := openDBAt(t, path, sqlite.WithVersionMaxAge(maxAge))
			writer := server
			if tc.otherProc {
				writer = openDBAt(t, path)
			}
			clk := newClock()
			m, err := NewManager(writer, nil, Policy{RoleScopes: roleScopes}, clk.now)
			if err != nil {
				t.Fatal(err)
			}
			c, err := m.Create(context.Background(), admin, CreateParams{Name: "cached", User: "alice", Roles: []string{"agent"}})
			if err != nil {
				t.Fatal(err)
			}
			v := NewManaged(server, ManagedOptions{Now: clk.now})
			for range 3 { // fill and hit the cache
				if _, err := v.Verify(context.Background(), c.Secret); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := m.Revoke(context.Background(), admin, c.Key.ID); err != nil {
				t.Fatal(err)
			}
			if tc.otherProc {
				time.Sleep(maxAge)
			}
			if _, err := v.Verify(context.Background(), c.Secret); !errors.Is(err, auth.ErrRevoked) {
				t.Fatalf("Verify after the revocation = %v, want ErrRevoked", err)
			}
		})
	}
}

// TestRevocationRacingVerifies verifies a key from several goroutines while
// it is revoked: once Revoke has returned, no check may succeed, whatever
// fills were in flight.
func TestRevocationRacingVerifies(t *testing.T) {
	f := newFixture(t, nil)
	c := f.create(t, CreateParams{Name: "raced"})
	var revoked atomic.Bool
	var wrong atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for i := 0; i < 2000; i++ {
				select {
				case <-stop:
					return
				default:
				}
				wasRevoked := revoked.Load()
				_, err := f.verifier.Verify(context.Background(), c.Secret)
				if wasRevoked && err == nil {
					wrong.Add(1)
				}
			}
		})
	}
	time.Sleep(5 * time.Millisecond)
	if _, err := f.manager.Revoke(context.Background(), admin, c.Key.ID); err != nil {
		t.Fatal(err)
	}
	revoked.Store(true)
	time.Sleep(20 * time.Millisecond)
	close(stop)
	wg.Wait()
	if n := wrong.Load(); n > 0 {
		t.Fatalf("%d checks accepted the key after its revocation returned", n)
	}
}

func TestRotatedSecretGrace(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	old := f.create(t, CreateParams{Name: "rotating"})
	grace := time.Hour
	rotated, err := f.manager.Rotate(ctx, admin, old.Key.ID, &grace)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{old.Secret, rotated.Secret} {
		if _, err := f.verifier.Verify(ctx, s); err != nil {
			t.Fatalf("during grace: %v", err)
		}
	}
	f.clock.advance(time.Hour)
	if _, err := f.verifier.Verify(ctx, old.Secret); !errors.Is(err, auth.ErrRotated) {
		t.Errorf("old secret after grace = %v, want ErrRotated", err)
	}
	if _, err := f.verifier.Verify(ctx, rotated.Secret); err != nil {
		t.Errorf("new secret after grace = %v", err)
	}
}

// TestRecheckFollowsTheSecret rechecks a principal, as an SSE session does
// on every message: once its secret is rotated away, it is refused even
// though the key itself lives on.
func TestRecheckFollowsTheSecret(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	k := f.create(t, CreateParams{Name: "session"})
	p, err := f.verifier.Verify(ctx, k.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.verifier.Recheck(ctx, p); err != nil {
		t.Fatalf("Recheck before rotation = %v", err)
	}
	zero := time.Duration(0)
	if _, err := f.manager.Rotate(ctx, admin, k.Key.ID, &zero); err != nil {
		t.Fatal(err)
	}
	if _, err := f.verifier.Recheck(ctx, p); !errors.Is(err, auth.ErrRotated) {
		t.Errorf("Recheck after rotation without grace = %v, want ErrRotated", err)
	}
	p.SecretID = ""
	if _, err := f.verifier.Recheck(ctx, p); err == nil {
		t.Error("Recheck of a principal without its secret id succeeded")
	}
}
