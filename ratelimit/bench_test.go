package ratelimit_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/skillgate/skillgate/ratelimit"
)

func BenchmarkAllow(b *testing.B) {
	ctx := context.Background()
	b.Run("single-key", func(b *testing.B) {
		l := ratelimit.New()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := l.Allow(ctx, "key", 1000); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("many-keys", func(b *testing.B) {
		keys := make([]string, 1<<16)
		for i := range keys {
			keys[i] = "key-" + strconv.Itoa(i)
		}
		l := ratelimit.New()
		var offset atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			// Each goroutine walks the keys from its own start.
			i := offset.Add(7919)
			for pb.Next() {
				if _, err := l.Allow(ctx, keys[i%uint64(len(keys))], 1000); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}
