package ratelimit_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/ratelimit"
)

// step is one Allow call in a script: the clock first moves by advance.
type step struct {
	advance time.Duration
	key     string // "" means "k"
	limit   int
	want    ratelimit.Decision
}

func allowed(limit, remaining int, reset time.Duration) ratelimit.Decision {
	return ratelimit.Decision{Allowed: true, Limit: limit, Remaining: remaining, Reset: reset}
}

func refused(limit int, reset, retryAfter time.Duration) ratelimit.Decision {
	return ratelimit.Decision{Limit: limit, Reset: reset, RetryAfter: retryAfter}
}

// burst5 spends the whole burst of a limit of 5 per minute (one every 12s)
// at one instant.
var burst5 = []step{
	{limit: 5, want: allowed(5, 4, 12*time.Second)},
	{limit: 5, want: allowed(5, 3, 24*time.Second)},
	{limit: 5, want: allowed(5, 2, 36*time.Second)},
	{limit: 5, want: allowed(5, 1, 48*time.Second)},
	{limit: 5, want: allowed(5, 0, 60*time.Second)},
}

func TestAllow(t *testing.T) {
	sec := time.Second
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "burst of exactly L then refused",
			steps: append(slices.Clone(burst5),
				step{limit: 5, want: refused(5, 60*sec, 12*sec)},
			),
		},
		{
			name: "RetryAfter counts down exactly",
			steps: append(slices.Clone(burst5),
				step{advance: 5 * sec, limit: 5, want: refused(5, 55*sec, 7*sec)},
				step{advance: 7*sec - 1, limit: 5, want: refused(5, 48*sec+1, 1)},
				step{advance: 1, limit: 5, want: allowed(5, 0, 60*sec)},
			),
		},
		{
			name: "refill after one interval allows exactly one more",
			steps: append(slices.Clone(burst5),
				step{advance: 12 * sec, limit: 5, want: allowed(5, 0, 60*sec)},
				step{limit: 5, want: refused(5, 60*sec, 12*sec)},
			),
		},
		{
			name: "Remaining and Reset after a partial refill",
			steps: append(slices.Clone(burst5),
				step{advance: 30 * sec, limit: 5, want: allowed(5, 1, 42*sec)},
				step{limit: 5, want: allowed(5, 0, 54*sec)},
				step{limit: 5, want: refused(5, 54*sec, 6*sec)},
			),
		},
		{
			name: "bucket full again after Reset",
			steps: []step{
				{limit: 5, want: allowed(5, 4, 12*sec)},
				{advance: 12 * sec, limit: 5, want: allowed(5, 4, 12*sec)},
			},
		},
		{
			name: "limit 1",
			steps: []step{
				{limit: 1, want: allowed(1, 0, 60*sec)},
				{limit: 1, want: refused(1, 60*sec, 60*sec)},
				{advance: 59 * sec, limit: 1, want: refused(1, sec, sec)},
				{advance: sec, limit: 1, want: allowed(1, 0, 60*sec)},
			},
		},
		{
			name: "limit 0 is unlimited",
			steps: []step{
				{limit: 0, want: ratelimit.Decision{Allowed: true}},
				{limit: 0, want: ratelimit.Decision{Allowed: true}},
			},
		},
		{
			name: "negative limit is unlimited",
			steps: []step{
				{limit: -1, want: ratelimit.Decision{Allowed: true}},
				{limit: -1, want: ratelimit.Decision{Allowed: true}},
			},
		},
		{
			name: "keys are independent",
			steps: []step{
				{key: "a", limit: 1, want: allowed(1, 0, 60*sec)},
				{key: "a", limit: 1, want: refused(1, 60*sec, 60*sec)},
				{key: "b", limit: 1, want: allowed(1, 0, 60*sec)},
			},
		},
		{
			name: "raised limit applies from the next call",
			steps: []step{
				{limit: 2, want: allowed(2, 1, 30*sec)},
				// Half the window is used; at 4 per minute that
				// leaves one more after this one.
				{limit: 4, want: allowed(4, 1, 45*sec)},
				{limit: 4, want: allowed(4, 0, 60*sec)},
				{limit: 4, want: refused(4, 60*sec, 15*sec)},
			},
		},
		{
			name: "lowered limit applies from the next call",
			steps: []step{
				{limit: 4, want: allowed(4, 3, 15*sec)},
				{limit: 2, want: allowed(2, 0, 45*sec)},
				{limit: 2, want: refused(2, 45*sec, 15*sec)},
			},
		},
		{
			name: "lowered limit grants nothing to a spent key",
			steps: []step{
				{limit: 2, want: allowed(2, 1, 30*sec)},
				{limit: 2, want: allowed(2, 0, 60*sec)},
				{limit: 1, want: refused(1, 60*sec, 60*sec)},
			},
		},
		{
			name: "limit that does not divide a minute rounds the interval down",
			steps: []step{
				{limit: 7, want: allowed(7, 6, 8571428571)},
				{limit: 7, want: allowed(7, 5, 2*8571428571)},
			},
		},
		{
			name: "limit above one per nanosecond is clamped",
			steps: []step{
				{limit: math.MaxInt, want: allowed(int(time.Minute), int(time.Minute)-1, 1)},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			l := ratelimit.New(ratelimit.WithClock(func() time.Time { return now }))
			for i, s := range tc.steps {
				now = now.Add(s.advance)
				key := s.key
				if key == "" {
					key = "k"
				}
				got, err := l.Allow(t.Context(), key, s.limit)
				if err != nil {
					t.Fatalf("step %d: Allow: %v", i, err)
				}
				if got != s.want {
					t.Errorf("step %d: Allow(%q, %d) = %+v, want %+v", i, key, s.limit, got, s.want)
				}
			}
		})
	}
}

// TestAllowConcurrent checks that concurrent callers on one key share its
// budget exactly: with the clock frozen, a limit of 50 admits 50 requests
// whatever the interleaving, each seeing a distinct Remaining.
func TestAllowConcurrent(t *testing.T) {
	const (
		goroutines = 16
		calls      = 100
		limit      = 50
	)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := ratelimit.New(ratelimit.WithClock(func() time.Time { return now }))

	var (
		wg        sync.WaitGroup
		mu        sync.Mutex
		remaining []int
	)
	for range goroutines {
		wg.Go(func() {
			for range calls {
				d, err := l.Allow(context.Background(), "shared", limit)
				if err != nil {
					t.Errorf("Allow: %v", err)
					return
				}
				if d.Allowed {
					mu.Lock()
					remaining = append(remaining, d.Remaining)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	if got := len(remaining); got != limit {
		t.Fatalf("allowed %d requests, want %d", got, limit)
	}
	slices.Sort(remaining)
	for i, r := range remaining {
		if r != i {
			t.Fatalf("sorted Remaining values = %v, want 0..%d each once", remaining, limit-1)
		}
	}
}
