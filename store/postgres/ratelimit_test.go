package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/pgtest"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store/postgres"
)

// openReplicas opens n DBs on one schema, as n replicas would.
func openReplicas(t testing.TB, n int, opts ...postgres.Option) []*postgres.DB {
	t.Helper()
	dsn := pgtest.Schema(t)
	dbs := make([]*postgres.DB, n)
	for i := range dbs {
		db, err := postgres.Open(context.Background(), dsn, opts...)
		if err != nil {
			t.Fatalf("Open replica %d: %v", i, err)
		}
		t.Cleanup(func() { db.Close() })
		dbs[i] = db
	}
	return dbs
}

// TestRateLimiterDecidesAsInMemory checks that the shared limiter gives
// the same burst, refusal and retry hint as ratelimit.Limiter.
func TestRateLimiterDecidesAsInMemory(t *testing.T) {
	l := openReplicas(t, 1)[0].RateLimiter()
	ctx := t.Context()
	for i := range 5 {
		d, err := l.Allow(ctx, "key_a", 5)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Allowed || d.Limit != 5 || d.Remaining != 4-i {
			t.Fatalf("request %d: %+v, want allowed with %d remaining", i+1, d, 4-i)
		}
	}
	d, err := l.Allow(ctx, "key_a", 5)
	if err != nil {
		t.Fatal(err)
	}
	// At 5 a minute the next request is due 12 s after the first.
	if d.Allowed || d.RetryAfter <= 10*time.Second || d.RetryAfter > 12*time.Second {
		t.Fatalf("sixth request: %+v, want refused with a retry hint just under 12s", d)
	}
	if d, _ := l.Allow(ctx, "key_b", 5); !d.Allowed {
		t.Fatalf("another key was refused: %+v", d)
	}
	if d, _ := l.Allow(ctx, "key_c", 0); !d.Allowed || d.Limit != 0 {
		t.Fatalf("no limit: %+v", d)
	}
}

// TestRateLimiterSharedByReplicas sends many concurrent requests for one
// key through two replicas: exactly the limit is allowed in total. At 10
// a minute the bucket gains one request every 6 s, far longer than the
// test's burst takes.
func TestRateLimiterSharedByReplicas(t *testing.T) {
	const limit, perReplica = 10, 50
	dbs := openReplicas(t, 2)
	var allowed, refused atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4*perReplica)
	for _, db := range dbs {
		l := db.RateLimiter()
		for range perReplica {
			wg.Go(func() {
				d, err := l.Allow(context.Background(), "key_hot", limit)
				switch {
				case err != nil:
					errs <- err
				case d.Allowed:
					allowed.Add(1)
				default:
					refused.Add(1)
					// Decided on the TAT the tenth allowed request left:
					// the next request is due at most one interval (6 s)
					// from now, never already.
					if d.RetryAfter <= 0 || d.RetryAfter > 6*time.Second {
						errs <- fmt.Errorf("refused with retry hint %v, want within (0, 6s]", d.RetryAfter)
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if allowed.Load() != limit || refused.Load() != 2*perReplica-limit {
		t.Fatalf("allowed %d, refused %d; want %d and %d", allowed.Load(), refused.Load(), limit, 2*perReplica-limit)
	}
}

// BenchmarkRateLimiter compares the cost of a request decided in
// PostgreSQL, on one hot key and on keys spread out, with the in-memory
// limiter in the same run. Sixteen goroutines per core call at once, as
// the requests of many sessions would, so that the hot key's row lock is
// contended.
func BenchmarkRateLimiter(b *testing.B) {
	const limit = 1 << 30 // never refuses: measure the decision, not 429s
	run := func(b *testing.B, allow func(ctx context.Context, key string, limit int) (ratelimit.Decision, error), spread bool) {
		var n atomic.Int64
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				key := "key_hot"
				if spread {
					key = fmt.Sprintf("key_%d", n.Add(1)%1024)
				}
				if _, err := allow(context.Background(), key, limit); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.Run("memory/hot", func(b *testing.B) { run(b, ratelimit.New().Allow, false) })
	dbs := openReplicas(b, 1)
	b.Run("postgres/hot", func(b *testing.B) { run(b, dbs[0].RateLimiter().Allow, false) })
	b.Run("postgres/spread", func(b *testing.B) { run(b, dbs[0].RateLimiter().Allow, true) })
}
