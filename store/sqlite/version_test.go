package sqlite

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/storetest"
)

// TestKeysVersionAcrossHandles checks that a change committed through one
// handle is seen by that handle at once, and by another handle (as another
// process would be) once the max age has passed.
func TestKeysVersionAcrossHandles(t *testing.T) {
	const maxAge = 50 * time.Millisecond
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	a, b := openTest(t, path, WithVersionMaxAge(maxAge)), openTest(t, path, WithVersionMaxAge(maxAge))
	k, sec := storetest.NewKey(t)
	if err := a.CreateKey(ctx, k, sec, nil); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	before, err := b.KeysVersion(ctx)
	if err != nil {
		t.Fatalf("KeysVersion: %v", err)
	}
	if again, err := b.KeysVersion(ctx); err != nil || again != before {
		t.Fatalf("KeysVersion with no change: got %d, %v; want %d", again, err, before)
	}
	if _, err := a.RevokeKey(ctx, k.ID, time.Now()); err != nil {
		t.Fatalf("RevokeKey: %v", err)
	}
	av, err := a.KeysVersion(ctx)
	if err != nil || av == before {
		t.Errorf("KeysVersion through the revoking handle: got %d, %v; want a change", av, err)
	}
	time.Sleep(maxAge)
	after, err := b.KeysVersion(ctx)
	if err != nil {
		t.Fatalf("KeysVersion: %v", err)
	}
	if after != av {
		t.Errorf("KeysVersion through the other handle one max age later: got %d, want %d", after, av)
	}
	got, _, err := b.KeyBySecret(ctx, sec.Hash)
	if err != nil {
		t.Fatalf("KeyBySecret: %v", err)
	}
	if got.State(time.Now()) != store.StateRevoked {
		t.Errorf("KeyBySecret through the other handle: state %s, want revoked", got.State(time.Now()))
	}
}

// TestKeysVersionIgnoresOtherWrites checks that writes that do not bump
// the version (a spend) cost a re-read but do not change the value.
func TestKeysVersionIgnoresOtherWrites(t *testing.T) {
	ctx := t.Context()
	db := openTest(t, filepath.Join(t.TempDir(), "skillgate.db"))
	k, sec := storetest.NewKey(t)
	if err := db.CreateKey(ctx, k, sec, nil); err != nil {
		t.Fatalf("CreateKey: %v", err)
	}
	before, err := db.KeysVersion(ctx)
	if err != nil {
		t.Fatalf("KeysVersion: %v", err)
	}
	if _, err := db.SpendExecution(ctx, k.ID, 202501); err != nil {
		t.Fatalf("SpendExecution: %v", err)
	}
	if after, err := db.KeysVersion(ctx); err != nil || after != before {
		t.Errorf("KeysVersion after a spend: got %d, %v; want %d", after, err, before)
	}
}

func TestKeysVersionAfterClose(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "skillgate.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := db.KeysVersion(t.Context()); err == nil || errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeysVersion after Close: got %v, want an error", err)
	}
}

func BenchmarkKeysVersion(b *testing.B) {
	db, err := Open(b.Context(), filepath.Join(b.TempDir(), "skillgate.db"))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer db.Close()
	ctx := b.Context()
	for b.Loop() {
		if _, err := db.KeysVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
