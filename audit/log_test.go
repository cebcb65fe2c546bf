package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func closeLog(t *testing.T, l *Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestLogWritesAllInOrder(t *testing.T) {
	tests := []struct {
		name string
		n    int
	}{
		{"one event", 1},
		{"one full batch", maxBatch},
		{"several batches", 3*maxBatch + 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &fakeAppender{}
			l := NewLog(a, slog.New(&logRecorder{}))
			for i := range tc.n {
				l.Record(t.Context(), event(i))
			}
			closeLog(t, l)

			got := a.written()
			if len(got) != tc.n {
				t.Fatalf("got %d events written, want %d", len(got), tc.n)
			}
			for i, e := range got {
				if want := event(i).Detail; e.Detail != want {
					t.Fatalf("event %d: got Detail %q, want %q", i, e.Detail, want)
				}
			}
			for _, size := range a.batchSizes() {
				if size > maxBatch {
					t.Errorf("got a batch of %d, want at most %d", size, maxBatch)
				}
			}
			if got, want := l.Stats(), (Stats{Written: uint64(tc.n)}); got != want {
				t.Errorf("Stats() = %+v, want %+v", got, want)
			}
		})
	}
}

func TestRecordStampsTime(t *testing.T) {
	clock := newFakeClock()
	paris := time.FixedZone("CET", 3600)
	given := time.Date(2024, 6, 1, 9, 0, 0, 0, paris)
	tests := []struct {
		name string
		time time.Time
		want time.Time
	}{
		{"zero time set to now", time.Time{}, clock.Now()},
		{"given time kept, in UTC", given, given.UTC()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &fakeAppender{}
			l := NewLog(a, nil, WithClock(clock.Now))
			e := event(0)
			e.Time = tc.time
			l.Record(t.Context(), e)
			closeLog(t, l)

			got := a.written()
			if len(got) != 1 {
				t.Fatalf("got %d events written, want 1", len(got))
			}
			if !got[0].Time.Equal(tc.want) || got[0].Time.Location() != time.UTC {
				t.Errorf("got Time %v, want %v in UTC", got[0].Time, tc.want)
			}
		})
	}
}

// TestLogBatches checks that what queues up while an append is in progress
// goes out in as few calls as maxBatch allows, in order.
func TestLogBatches(t *testing.T) {
	a := stuckAppender()
	l := NewLog(a, slog.New(&logRecorder{}))
	l.Record(t.Context(), event(0))
	<-a.entered
	for i := 1; i <= maxBatch+44; i++ {
		l.Record(t.Context(), event(i))
	}
	close(a.gate)
	closeLog(t, l)

	if got, want := a.batchSizes(), []int{1, maxBatch, 44}; !slices.Equal(got, want) {
		t.Errorf("got batch sizes %v, want %v", got, want)
	}
	if got := len(a.written()); got != maxBatch+45 {
		t.Errorf("got %d events written, want %d", got, maxBatch+45)
	}
}

// TestRecordDoesNotWaitForStorage fills the queue while the appender is
// stuck: Record must keep returning (the loop completes), dropping and
// counting what does not fit, and warn at most once per second.
func TestRecordDoesNotWaitForStorage(t *testing.T) {
	const (
		queueSize = 4
		records   = 1000
	)
	a := stuckAppender()
	logs := &logRecorder{}
	clock := newFakeClock()
	l := NewLog(a, slog.New(logs), WithQueueSize(queueSize), WithClock(clock.Now))
	l.Record(t.Context(), event(0))
	<-a.entered // the writer holds event 0; the queue is empty

	for i := range records {
		l.Record(t.Context(), event(i+1))
	}
	wantDropped := uint64(records - queueSize)
	if got, want := l.Stats(), (Stats{Queued: queueSize, Dropped: wantDropped}); got != want {
		t.Errorf("Stats() = %+v, want %+v", got, want)
	}

	const msg = "audit queue full, events dropped"
	// The clock has not moved: one warning, for the first drop.
	if got, want := logs.attrs(msg), []map[string]string{{"dropped": "1", "dropped_total": "1"}}; !equalAttrs(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}
	// A second later, the next drop reports all those since.
	clock.Advance(time.Second)
	l.Record(t.Context(), event(records+1))
	wantDropped++
	want := []map[string]string{
		{"dropped": "1", "dropped_total": "1"},
		{"dropped": fmt.Sprint(wantDropped - 1), "dropped_total": fmt.Sprint(wantDropped)},
	}
	if got := logs.attrs(msg); !equalAttrs(got, want) {
		t.Errorf("warnings %v, want %v", got, want)
	}

	close(a.gate)
	closeLog(t, l)
	if got, want := l.Stats(), (Stats{Dropped: wantDropped, Written: 1 + queueSize}); got != want {
		t.Errorf("after Close: Stats() = %+v, want %+v", got, want)
	}
}

func TestAppendRetries(t *testing.T) {
	failure := errors.New("disk I/O error")
	tests := []struct {
		name        string
		failures    int
		wantWritten uint64
		wantDropped uint64
		wantRetries int // warnings logged
		wantErrors  int // errors logged
	}{
		{"no failure", 0, 1, 0, 0, 0},
		{"one failure then written", 1, 1, 0, 1, 0},
		{"last try written", appendTries - 1, 1, 0, appendTries - 1, 0},
		{"every try fails, dropped", appendTries, 0, 1, appendTries - 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &fakeAppender{}
			for range tc.failures {
				a.errs = append(a.errs, failure)
			}
			logs := &logRecorder{}
			l := NewLog(a, slog.New(logs), WithRetryBackoff(0))
			e := event(0)
			e.Detail = "something-private"
			l.Record(t.Context(), e)
			closeLog(t, l)

			st := l.Stats()
			if st.Written != tc.wantWritten || st.Dropped != tc.wantDropped {
				t.Errorf("Stats() = %+v, want Written %d, Dropped %d", st, tc.wantWritten, tc.wantDropped)
			}
			if got := len(a.batchSizes()); got != min(tc.failures+1, appendTries) {
				t.Errorf("got %d append calls, want %d", got, min(tc.failures+1, appendTries))
			}
			retries := logs.attrs("audit append failed, retrying")
			errs := logs.attrs("audit append failed, events dropped")
			if len(retries) != tc.wantRetries || len(errs) != tc.wantErrors {
				t.Errorf("logged %d retries and %d errors, want %d and %d", len(retries), len(errs), tc.wantRetries, tc.wantErrors)
			}
			for _, attrs := range append(retries, errs...) {
				if attrs["err"] != failure.Error() {
					t.Errorf("logged err %q, want %q", attrs["err"], failure)
				}
				for k, v := range attrs {
					if strings.Contains(v, e.Detail) {
						t.Errorf("log attribute %s = %q reveals the event", k, v)
					}
				}
			}
		})
	}
}

func TestCloseIsIdempotent(t *testing.T) {
	a := &fakeAppender{}
	logs := &logRecorder{}
	l := NewLog(a, slog.New(logs))
	l.Record(t.Context(), event(0))
	closeLog(t, l)
	closeLog(t, l)

	l.Record(t.Context(), event(1))
	if got, want := l.Stats(), (Stats{Dropped: 1, Written: 1}); got != want {
		t.Errorf("after Record on a closed Log: Stats() = %+v, want %+v", got, want)
	}
	if got := len(logs.attrs("audit log closed, events dropped")); got != 1 {
		t.Errorf("got %d warnings about a closed Log, want 1", got)
	}
}

// TestCloseBoundedByContext checks that Close gives up when its ctx ends
// while storage is stuck, cancelling the append in progress and counting
// everything unwritten as dropped.
func TestCloseBoundedByContext(t *testing.T) {
	tests := []struct {
		name    string
		ctx     func(t *testing.T) context.Context
		wantErr error
	}{
		{
			name: "cancelled",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithCancel(t.Context())
				cancel()
				return ctx
			},
			wantErr: context.Canceled,
		},
		{
			name: "deadline",
			ctx: func(t *testing.T) context.Context {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
				t.Cleanup(cancel)
				return ctx
			},
			wantErr: context.DeadlineExceeded,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := stuckAppender()
			logs := &logRecorder{}
			l := NewLog(a, slog.New(logs))
			l.Record(t.Context(), event(0))
			<-a.entered
			for i := 1; i <= 3; i++ {
				l.Record(t.Context(), event(i))
			}

			if err := l.Close(tc.ctx(t)); !errors.Is(err, tc.wantErr) {
				t.Fatalf("Close with a stuck store: got %v, want %v", err, tc.wantErr)
			}
			// The writer is cancelled, so it now finishes quickly.
			closeLog(t, l)

			if got, want := l.Stats(), (Stats{Dropped: 4}); got != want {
				t.Errorf("Stats() = %+v, want %+v", got, want)
			}
			if got := len(logs.attrs("audit append failed, events dropped")); got != 1 {
				t.Errorf("got %d errors for the cancelled append, want 1", got)
			}
			want := []map[string]string{{"dropped": "3"}}
			if got := logs.attrs("audit log closed before flushing, events dropped"); !equalAttrs(got, want) {
				t.Errorf("got %v for the abandoned queue, want %v", got, want)
			}
		})
	}
}

// TestRecordConcurrent records from several goroutines at once (run it with
// -race): every event is written, and each goroutine's events in order.
func TestRecordConcurrent(t *testing.T) {
	const (
		goroutines = 8
		each       = 500
	)
	a := &fakeAppender{}
	l := NewLog(a, slog.New(&logRecorder{}))
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				e := event(i)
				e.Principal = fmt.Sprint(g)
				l.Record(t.Context(), e)
			}
		})
	}
	wg.Wait()
	closeLog(t, l)

	got := a.written()
	if len(got) != goroutines*each {
		t.Fatalf("got %d events written, want %d", len(got), goroutines*each)
	}
	next := map[string]int{}
	for _, e := range got {
		if want := event(next[e.Principal]).Detail; e.Detail != want {
			t.Fatalf("goroutine %s: got %q, want %q next", e.Principal, e.Detail, want)
		}
		next[e.Principal]++
	}
}

func equalAttrs(a, b []map[string]string) bool {
	return slices.EqualFunc(a, b, func(x, y map[string]string) bool {
		if len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if y[k] != v {
				return false
			}
		}
		return true
	})
}
