package ratelimit_test

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/ratelimit"
)

func ExampleLimiter_Allow() {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l := ratelimit.New(ratelimit.WithClock(func() time.Time { return now }))
	// Two requests per minute: a burst of two, then one every 30s.
	for range 3 {
		d, err := l.Allow(context.Background(), "key-1", 2)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(d.Allowed, d.Remaining, d.Reset, d.RetryAfter)
	}
	// Output:
	// true 1 30s 0s
	// true 0 1m0s 0s
	// false 0 1m0s 30s
}
