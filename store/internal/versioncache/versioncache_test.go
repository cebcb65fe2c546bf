package versioncache

import (
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	tests := []struct {
		name  string
		steps func(c *Cache)
		want  uint64
		ok    bool
	}{
		{"empty", func(*Cache) {}, 0, false},
		{"fresh read", func(c *Cache) { c.Remember(7, time.Now()) }, 7, true},
		{"older than the max age", func(c *Cache) { c.Remember(7, time.Now().Add(-time.Hour)) }, 0, false},
		{"read before a local change", func(c *Cache) {
			began := time.Now()
			time.Sleep(time.Millisecond)
			c.Invalidate()
			c.Remember(7, began)
		}, 0, false},
		{"read after a local change", func(c *Cache) {
			c.Invalidate()
			time.Sleep(time.Millisecond)
			c.Remember(8, time.Now())
		}, 8, true},
		{"a smaller version never replaces a larger", func(c *Cache) {
			now := time.Now()
			c.Remember(9, now)
			c.Remember(8, now.Add(time.Millisecond))
		}, 9, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(time.Minute)
			tc.steps(c)
			got, ok := c.Get()
			if got != tc.want || ok != tc.ok {
				t.Fatalf("Get() = %d, %v; want %d, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestInvalidateOnlyGrows checks that an invalidation computed earlier but
// stored later does not undo a later one.
func TestInvalidateOnlyGrows(t *testing.T) {
	c := New(time.Minute)
	c.Invalidate()
	later := c.changed.Load()
	c.changed.Store(later + int64(time.Hour)) // a later invalidation
	c.Invalidate()                            // an earlier instant arriving late
	if c.changed.Load() != later+int64(time.Hour) {
		t.Fatal("an earlier invalidation replaced a later one")
	}
}

func BenchmarkGet(b *testing.B) {
	c := New(time.Hour)
	c.Remember(1, time.Now())
	for b.Loop() {
		if _, ok := c.Get(); !ok {
			b.Fatal("miss")
		}
	}
}
