package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func testBootstrapOnce(t *testing.T, s store.Store) {
	ctx := t.Context()
	first, sec := NewKey(t)
	first.Roles = []string{"admin"}
	created, err := s.CreateBootstrapKey(ctx, first, sec)
	if err != nil || !created {
		t.Fatalf("first CreateBootstrapKey: got %v, %v; want true, nil", created, err)
	}
	got, gotSec, err := s.KeyBySecret(ctx, sec.Hash)
	if err != nil {
		t.Fatalf("KeyBySecret of bootstrap key: %v", err)
	}
	checkKey(t, got, first)
	checkSecret(t, gotSec, sec)

	second, sec2 := NewKey(t)
	created, err = s.CreateBootstrapKey(ctx, second, sec2)
	if err != nil || created {
		t.Fatalf("second CreateBootstrapKey: got %v, %v; want false, nil", created, err)
	}
	if _, err := s.KeyByID(ctx, second.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyByID of refused bootstrap key: got %v, want ErrNotFound", err)
	}
	if _, _, err := s.KeyBySecret(ctx, sec2.Hash); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyBySecret of refused bootstrap key: got %v, want ErrNotFound", err)
	}
}

// testBootstrapFailure checks that a bootstrap whose key cannot be stored
// leaves nothing behind: neither the key nor the marker.
func testBootstrapFailure(t *testing.T, s store.Store) {
	ctx := t.Context()
	existing, existingSec := NewKey(t)
	create(t, s, existing, existingSec)
	clash, clashSec := NewKey(t)
	clashSec.Hash = existingSec.Hash
	created, err := s.CreateBootstrapKey(ctx, clash, clashSec)
	if !errors.Is(err, store.ErrExists) || created {
		t.Fatalf("CreateBootstrapKey with a taken hash: got %v, %v; want false, ErrExists", created, err)
	}
	if _, err := s.KeyByID(ctx, clash.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("KeyByID of failed bootstrap key: got %v, want ErrNotFound", err)
	}
	k, sec := NewKey(t)
	created, err = s.CreateBootstrapKey(ctx, k, sec)
	if err != nil || !created {
		t.Fatalf("CreateBootstrapKey after a failed one: got %v, %v; want true, nil", created, err)
	}
}

func testBootstrapInvalid(t *testing.T, s store.Store) {
	ctx := t.Context()
	k, sec := NewKey(t)
	k.CreatedAt = time.Time{}
	created, err := s.CreateBootstrapKey(ctx, k, sec)
	if !errors.Is(err, store.ErrInvalid) || created {
		t.Fatalf("CreateBootstrapKey of invalid key: got %v, %v; want false, ErrInvalid", created, err)
	}
	k, sec = NewKey(t)
	created, err = s.CreateBootstrapKey(ctx, k, sec)
	if err != nil || !created {
		t.Fatalf("CreateBootstrapKey after an invalid one: got %v, %v; want true, nil", created, err)
	}
}

func testBootstrapConcurrent(t *testing.T, s store.Store) {
	RaceBootstrap(t, s, s, 16)
}

// RaceBootstrap calls CreateBootstrapKey from n goroutines, alternating
// between a and b (which may be one store, or two handles on one database),
// and fails t unless exactly one call created its key and only that key was
// stored.
func RaceBootstrap(t *testing.T, a, b store.Keys, n int) {
	t.Helper()
	ctx := t.Context()
	keys := make([]store.APIKey, n)
	secrets := make([]store.Secret, n)
	for i := range keys {
		keys[i], secrets[i] = NewKey(t)
	}
	created := make([]bool, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, k := range keys {
		s := a
		if i%2 == 1 {
			s = b
		}
		wg.Go(func() {
			<-start
			created[i], errs[i] = s.CreateBootstrapKey(ctx, k, secrets[i])
		})
	}
	close(start)
	wg.Wait()

	winners := 0
	for i, k := range keys {
		if errs[i] != nil {
			t.Errorf("CreateBootstrapKey %d: %v", i, errs[i])
		}
		_, err := a.KeyByID(ctx, k.ID)
		switch {
		case created[i]:
			winners++
			if err != nil {
				t.Errorf("KeyByID of created bootstrap key %d: %v", i, err)
			}
		case !errors.Is(err, store.ErrNotFound):
			t.Errorf("KeyByID of refused bootstrap key %d: got %v, want ErrNotFound", i, err)
		}
	}
	if winners != 1 {
		t.Errorf("got %d bootstrap keys created, want exactly 1", winners)
	}
}
