package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func testSpend(t *testing.T, s store.Store) {
	ctx := t.Context()
	k, sec := NewKey(t)
	k.MonthlyQuota = 2
	create(t, s, k, sec)
	unlimited, us := NewKey(t)
	create(t, s, unlimited, us)
	tests := []struct {
		name    string
		id      string
		period  int
		want    store.Usage
		wantErr bool
	}{
		{"first", k.ID, 202501, store.Usage{Period: 202501, Count: 1}, false},
		{"second", k.ID, 202501, store.Usage{Period: 202501, Count: 2}, false},
		{"over quota", k.ID, 202501, store.Usage{}, true},
		// A new month starts from nothing.
		{"next month", k.ID, 202502, store.Usage{Period: 202502, Count: 1}, false},
		{"unlimited", unlimited.ID, 202501, store.Usage{Period: 202501, Count: 1}, false},
		{"unlimited again", unlimited.ID, 202501, store.Usage{Period: 202501, Count: 2}, false},
	}
	for _, tc := range tests {
		got, err := s.SpendExecution(ctx, tc.id, tc.period)
		if tc.wantErr {
			var qe *store.QuotaError
			if !errors.As(err, &qe) || qe.KeyID != k.ID || qe.Quota != 2 || !errors.Is(err, store.ErrQuotaExceeded) {
				t.Errorf("%s: got %v, want a *QuotaError for %s with quota 2", tc.name, err, k.ID)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %+v, %v; want %+v", tc.name, got, err, tc.want)
		}
	}
	stored, err := s.KeyByID(ctx, k.ID)
	if err != nil {
		t.Fatalf("KeyByID: %v", err)
	}
	if want := (store.Usage{Period: 202502, Count: 1}); stored.Usage != want {
		t.Errorf("stored usage: got %+v, want %+v", stored.Usage, want)
	}
}

// testSpendConcurrent races more spends than the quota allows: exactly
// the quota succeeds.
func testSpendConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	parent, ps := NewKey(t)
	create(t, s, parent, ps)
	k, sec := newChild(t, parent.ID)
	k.MonthlyQuota = 50
	create(t, s, k, sec)
	const workers, attempts = 32, 200
	var ok, refused atomic.Int64
	next := make(chan struct{}, attempts)
	for range attempts {
		next <- struct{}{}
	}
	close(next)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range next {
				_, err := s.SpendExecution(ctx, k.ID, 202511)
				switch {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, store.ErrQuotaExceeded):
					refused.Add(1)
				default:
					t.Errorf("SpendExecution: %v", err)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load() != 50 || refused.Load() != attempts-50 {
		t.Errorf("got %d spends and %d refusals, want 50 and %d", ok.Load(), refused.Load(), attempts-50)
	}
	for _, id := range []string{k.ID, parent.ID} {
		got, err := s.KeyByID(ctx, id)
		if err != nil {
			t.Fatalf("KeyByID: %v", err)
		}
		if want := (store.Usage{Period: 202511, Count: 50}); got.Usage != want {
			t.Errorf("key %s usage: got %+v, want %+v", id, got.Usage, want)
		}
	}
}

// testSpendParentQuota checks that an ancestor's exhausted quota refuses a
// descendant's spend, names the ancestor, and spends nothing anywhere.
func testSpendParentQuota(t *testing.T, s store.Store) {
	ctx := t.Context()
	root, rs := NewKey(t)
	create(t, s, root, rs)
	parent, ps := newChild(t, root.ID)
	parent.MonthlyQuota = 1
	create(t, s, parent, ps)
	child, cs := newChild(t, parent.ID)
	child.MonthlyQuota = 10
	create(t, s, child, cs)
	const period = 202503
	if _, err := s.SpendExecution(ctx, parent.ID, period); err != nil {
		t.Fatalf("SpendExecution on parent: %v", err)
	}
	_, err := s.SpendExecution(ctx, child.ID, period)
	var qe *store.QuotaError
	if !errors.As(err, &qe) || qe.KeyID != parent.ID || qe.Quota != 1 {
		t.Fatalf("SpendExecution on child: got %v, want a *QuotaError naming %s with quota 1", err, parent.ID)
	}
	for _, tc := range []struct {
		id   string
		want store.Usage
	}{
		{root.ID, store.Usage{Period: period, Count: 1}},
		{parent.ID, store.Usage{Period: period, Count: 1}},
		{child.ID, store.Usage{}},
	} {
		got, err := s.KeyByID(ctx, tc.id)
		if err != nil {
			t.Fatalf("KeyByID: %v", err)
		}
		if got.Usage != tc.want {
			t.Errorf("key %s usage: got %+v, want %+v", tc.id, got.Usage, tc.want)
		}
	}
	// The next month the parent has quota again.
	if u, err := s.SpendExecution(ctx, child.ID, period+1); err != nil || u != (store.Usage{Period: period + 1, Count: 1}) {
		t.Errorf("SpendExecution next month: got %+v, %v; want count 1", u, err)
	}
}

func testTouchKey(t *testing.T, s store.Store) {
	ctx := t.Context()
	k, sec := NewKey(t)
	create(t, s, k, sec)
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	v0, _ := s.KeysVersion(ctx)
	for _, tc := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"first use", t0, t0},
		// Within a minute the write may be skipped; the value stays.
		{"soon after", t0.Add(30 * time.Second), t0},
		{"a minute later", t0.Add(time.Minute), t0.Add(time.Minute)},
	} {
		if err := s.TouchKey(ctx, k.ID, tc.at); err != nil {
			t.Fatalf("%s: TouchKey: %v", tc.name, err)
		}
		got, err := s.KeyByID(ctx, k.ID)
		if err != nil {
			t.Fatalf("KeyByID: %v", err)
		}
		if !got.LastUsedAt.Equal(tc.want) && !got.LastUsedAt.Equal(tc.at) {
			t.Errorf("%s: LastUsedAt %v, want %v", tc.name, got.LastUsedAt, tc.want)
		}
	}
	if v1, _ := s.KeysVersion(ctx); v1 != v0 {
		t.Errorf("KeysVersion after TouchKey: got %d, want %d unchanged", v1, v0)
	}
}

func testKeysVersion(t *testing.T, s store.Store) {
	ctx := t.Context()
	v0, err := s.KeysVersion(ctx)
	if err != nil {
		t.Fatalf("KeysVersion: %v", err)
	}
	if v, err := s.KeysVersion(ctx); err != nil || v != v0 {
		t.Errorf("KeysVersion unchanged: got %d, %v; want %d", v, err, v0)
	}
	k, sec := NewKey(t)
	create(t, s, k, sec)
	seen := map[uint64]string{v0: "start"}
	for _, tc := range []struct {
		name string
		do   func() error
	}{
		{"update", func() error {
			_, err := s.UpdateKey(ctx, k.ID, func(k store.APIKey, _ store.Family) (store.APIKey, error) { return k, nil })
			return err
		}},
		{"rotate", func() error {
			_, err := s.RotateKey(ctx, k.ID, NewSecret(t, k.ID, time.Now()), time.Now(), nil)
			return err
		}},
		{"revoke", func() error {
			_, err := s.RevokeKey(ctx, k.ID, time.Now())
			return err
		}},
	} {
		if err := tc.do(); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		v, err := s.KeysVersion(ctx)
		if err != nil {
			t.Fatalf("KeysVersion after %s: %v", tc.name, err)
		}
		if prev, ok := seen[v]; ok {
			t.Errorf("KeysVersion after %s: got %d, seen already after %s", tc.name, v, prev)
		}
		seen[v] = tc.name
	}
}
