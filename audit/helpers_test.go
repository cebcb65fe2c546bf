package audit

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/skillgate/skillgate/store"
)

// fakeAppender stands in for storage. Calls fail with errs, in order, before
// they start succeeding. A non-nil gate makes every call wait until it is
// closed (a stuck disk) or the call's ctx ends, after signalling entered.
type fakeAppender struct {
	gate    chan struct{}
	entered chan struct{}

	mu      sync.Mutex
	errs    []error
	events  []store.AuditEvent
	batches []int // sizes of the calls, failed ones included
}

func stuckAppender() *fakeAppender {
	return &fakeAppender{gate: make(chan struct{}), entered: make(chan struct{}, 1)}
}

func (f *fakeAppender) AppendAudit(ctx context.Context, events []store.AuditEvent) error {
	if f.gate != nil {
		select {
		case f.entered <- struct{}{}:
		default:
		}
		select {
		case <-f.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, len(events))
	if len(f.errs) > 0 {
		err := f.errs[0]
		f.errs = f.errs[1:]
		return err
	}
	f.events = append(f.events, events...)
	return nil
}

func (f *fakeAppender) written() []store.AuditEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]store.AuditEvent(nil), f.events...)
}

func (f *fakeAppender) batchSizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]int(nil), f.batches...)
}

// logRecorder is a slog.Handler that keeps what it handles.
type logRecorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *logRecorder) WithGroup(string) slog.Handler            { return r }

func (r *logRecorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}

// attrs returns the attributes of each record with message msg.
func (r *logRecorder) attrs(msg string) []map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]string
	for _, rec := range r.records {
		if rec.Message != msg {
			continue
		}
		m := map[string]string{}
		rec.Attrs(func(a slog.Attr) bool {
			m[a.Key] = a.Value.String()
			return true
		})
		out = append(out, m)
	}
	return out
}

// fakeClock is a clock that moves only when told to.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func event(i int) store.AuditEvent {
	return store.AuditEvent{Action: "tool.call", Result: store.ResultOK, Detail: "event-" + strconv.Itoa(i)}
}
