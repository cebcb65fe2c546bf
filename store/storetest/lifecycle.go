package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func testRevokeKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	root, rs := NewKey(t)
	create(t, s, root, rs)
	child, cs := newChild(t, root.ID)
	create(t, s, child, cs)
	grand, gs := newChild(t, child.ID)
	create(t, s, grand, gs)
	early := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	old, ols := newChild(t, child.ID)
	old.RevokedAt = early
	create(t, s, old, ols)
	other, os := NewKey(t)
	create(t, s, other, os)

	at := time.Date(2025, 6, 1, 0, 0, 0, 1234, time.UTC)
	v0, _ := s.KeysVersion(ctx)
	got, err := s.RevokeKey(ctx, root.ID, at)
	if err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	slices.Sort(got)
	want := []string{root.ID, child.ID, grand.ID}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("RevokeKey: got %q, want %q (only the keys revoked now)", got, want)
	}
	for _, tc := range []struct {
		id   string
		want time.Time
	}{
		{root.ID, micro(at)}, {child.ID, micro(at)}, {grand.ID, micro(at)},
		{old.ID, early}, {other.ID, time.Time{}},
	} {
		k, err := s.KeyByID(ctx, tc.id)
		if err != nil {
			t.Fatalf("KeyByID: %v", err)
		}
		if !k.RevokedAt.Equal(tc.want) {
			t.Errorf("key %s: RevokedAt %v, want %v", tc.id, k.RevokedAt, tc.want)
		}
	}
	if v1, err := s.KeysVersion(ctx); err != nil || v1 == v0 {
		t.Errorf("KeysVersion after RevokeKey: got %d, %v; want a change from %d", v1, err, v0)
	}

	// Revoking again changes nothing and keeps the first time.
	got, err = s.RevokeKey(ctx, child.ID, at.Add(time.Hour))
	if err != nil || len(got) != 0 {
		t.Errorf("RevokeKey again: got %q, %v; want none, nil", got, err)
	}
	if k, _ := s.KeyByID(ctx, grand.ID); !k.RevokedAt.Equal(micro(at)) {
		t.Errorf("after revoking again: RevokedAt %v, want %v", k.RevokedAt, micro(at))
	}
}

func testRotateKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	k, first := NewKey(t)
	k.CreatedAt, first.CreatedAt = t0, t0
	create(t, s, k, first)

	// A first rotation with a long grace, then a second with a shorter one:
	// the first secret's grace shrinks, and one that ends sooner is kept.
	second := NewSecret(t, k.ID, t0.Add(time.Hour))
	if _, err := s.RotateKey(ctx, k.ID, second, t0.Add(48*time.Hour), nil); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	v0, _ := s.KeysVersion(ctx)
	third := NewSecret(t, k.ID, t0.Add(2*time.Hour))
	got, err := s.RotateKey(ctx, k.ID, third, t0.Add(24*time.Hour), func(k store.APIKey) error { return nil })
	if err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	checkKey(t, got, k)
	if v1, err := s.KeysVersion(ctx); err != nil || v1 == v0 {
		t.Errorf("KeysVersion after RotateKey: got %d, %v; want a change from %d", v1, err, v0)
	}
	fourth := NewSecret(t, k.ID, t0.Add(3*time.Hour))
	if _, err := s.RotateKey(ctx, k.ID, fourth, t0.Add(30*time.Hour), nil); err != nil {
		t.Fatalf("RotateKey: %v", err)
	}
	want := []store.Secret{fourth, third, second, first}
	want[1].ExpiresAt = t0.Add(30 * time.Hour)
	want[2].ExpiresAt = t0.Add(24 * time.Hour)
	want[3].ExpiresAt = t0.Add(24 * time.Hour)
	secrets, err := s.Secrets(ctx, k.ID)
	if err != nil || len(secrets) != len(want) {
		t.Fatalf("Secrets: got %d, %v; want %d", len(secrets), err, len(want))
	}
	for i := range want {
		checkSecret(t, secrets[i], want[i])
	}
	for _, sec := range want {
		if got, _, err := s.KeyBySecret(ctx, sec.Hash); err != nil || got.ID != k.ID {
			t.Errorf("KeyBySecret: got %q, %v; want %s", got.ID, err, k.ID)
		}
	}

	// A failing check leaves every secret as it was.
	revoked := errors.New("revoked meanwhile")
	fifth := NewSecret(t, k.ID, t0.Add(4*time.Hour))
	if _, err := s.RotateKey(ctx, k.ID, fifth, t0.Add(5*time.Hour), func(store.APIKey) error { return revoked }); !errors.Is(err, revoked) {
		t.Errorf("RotateKey with failing check: got %v, want the check's error", err)
	}
	if _, _, err := s.KeyBySecret(ctx, fifth.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyBySecret of refused secret: got %v, want ErrNotFound", err)
	}
	secrets, err = s.Secrets(ctx, k.ID)
	if err != nil || len(secrets) != len(want) {
		t.Fatalf("Secrets after refused rotation: got %d, %v; want %d", len(secrets), err, len(want))
	}
	for i := range want {
		checkSecret(t, secrets[i], want[i])
	}

	// A secret of another key, or one taken, is refused.
	other := NewSecret(t, "key_other", t0)
	if _, err := s.RotateKey(ctx, k.ID, other, t0, nil); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("RotateKey with another key's secret: got %v, want ErrInvalid", err)
	}
	taken := fourth
	taken.CreatedAt = t0.Add(6 * time.Hour)
	if _, err := s.RotateKey(ctx, k.ID, taken, t0.Add(7*time.Hour), nil); !errors.Is(err, store.ErrExists) {
		t.Errorf("RotateKey with a taken hash: got %v, want ErrExists", err)
	}
}
