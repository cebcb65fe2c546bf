package ratelimit

import (
	"fmt"
	"testing"
	"time"
)

// TestEvictionBound checks that a Limiter never tracks more than its
// maximum number of keys, and that a new key is still allowed when the
// bound is reached: refusing new keys would be a denial of service.
func TestEvictionBound(t *testing.T) {
	tests := []struct {
		name    string
		maxKeys int
	}{
		{"one key", 1},
		{"one small shard", 3},
		{"one shard", 100},
		{"uneven shards", 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			l := New(WithMaxKeys(tc.maxKeys), WithClock(func() time.Time { return now }))
			for i := range 4*tc.maxKeys + 10 {
				key := fmt.Sprintf("key-%d", i)
				d, err := l.Allow(t.Context(), key, 10)
				if err != nil {
					t.Fatalf("Allow(%q): %v", key, err)
				}
				if !d.Allowed {
					t.Fatalf("Allow(%q) refused a new key with %d keys tracked", key, l.size())
				}
				if got := l.size(); got > tc.maxKeys {
					t.Fatalf("after %d keys: tracking %d, want at most %d", i+1, got, tc.maxKeys)
				}
			}
		})
	}
}

// TestEvictsOldest checks that a full shard with nothing expired forgets the
// key with the oldest TAT, whose bucket is the most refilled.
func TestEvictsOldest(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(WithMaxKeys(3), WithClock(func() time.Time { return now }))
	if n := len(l.shards); n != 1 {
		t.Fatalf("%d shards, want 1 for so few keys", n)
	}
	allow := func(key string) bool {
		t.Helper()
		d, err := l.Allow(t.Context(), key, 1)
		if err != nil {
			t.Fatalf("Allow(%q): %v", key, err)
		}
		return d.Allowed
	}
	// a, b and c each spend their one request per minute, a second
	// apart, so a has the oldest TAT.
	for _, key := range []string{"a", "b", "c"} {
		if !allow(key) {
			t.Fatalf("first request of %q refused", key)
		}
		now = now.Add(time.Second)
	}
	if !allow("d") {
		t.Fatal("new key d refused in a full shard")
	}
	// Refused requests insert nothing, so checking b, c and d does not
	// evict anyone else.
	for _, key := range []string{"b", "c", "d"} {
		if allow(key) {
			t.Errorf("second request of %q allowed, want it remembered and refused", key)
		}
	}
	if !allow("a") {
		t.Error("request of a refused, want it evicted (oldest TAT) and so forgiven")
	}
}

// TestSweepsExpired checks that keys whose bucket has refilled are
// forgotten when the shard next grows, without evicting live keys.
func TestSweepsExpired(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(WithMaxKeys(minShardKeys), WithClock(func() time.Time { return now }))
	for i := range minShardKeys {
		if _, err := l.Allow(t.Context(), fmt.Sprintf("old-%d", i), 60); err != nil {
			t.Fatalf("Allow: %v", err)
		}
	}
	if got := l.size(); got != minShardKeys {
		t.Fatalf("tracking %d keys, want %d", got, minShardKeys)
	}
	// At 60 per minute one request refills in a second: every TAT is
	// now in the past.
	now = now.Add(time.Second)
	if _, err := l.Allow(t.Context(), "new", 60); err != nil {
		t.Fatalf("Allow: %v", err)
	}
	if got := l.size(); got != 1 {
		t.Errorf("tracking %d keys after the sweep, want 1", got)
	}
}
