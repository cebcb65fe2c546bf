package audit

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/skillgate/skillgate/store"
)

// Appender is what Log needs from storage; store.Audit is one.
//
// AppendAudit MUST store the events of one call in order, all or none, and
// MUST NOT keep the slice after it returns: Log reuses it.
type Appender interface {
	AppendAudit(ctx context.Context, events []store.AuditEvent) error
}

var _ Appender = store.Audit(nil)

// Stats is a snapshot of a Log's counters.
type Stats struct {
	// Queued is how many events wait for the writer, not counting the
	// batch being appended.
	Queued int
	// Dropped counts the events that will never be written: refused by
	// a full queue or a closed Log, in a batch that failed every append
	// attempt, or still queued when a Close gave up.
	Dropped uint64
	// Written counts the events appended successfully.
	Written uint64
}

// Log records audit events asynchronously: Record queues an event and
// returns, and one background goroutine appends the queue in batches. It is
// safe for concurrent use. Create it with NewLog and stop it with Close.
type Log struct {
	appender Appender
	logger   *slog.Logger
	now      func() time.Time
	backoff  time.Duration
	linger   time.Duration

	// mu guards closed and the closing of queue, so that Record never
	// sends on a closed channel. Record holds it for reading only, around
	// a send that does not block.
	mu     sync.RWMutex
	closed bool
	queue  chan store.AuditEvent

	closeOnce sync.Once
	// cancel aborts the writer's appends when a Close gives up waiting.
	cancel context.CancelFunc
	// done is closed when the writer has exited.
	done chan struct{}

	dropped atomic.Uint64
	written atomic.Uint64
	warner  dropWarner
}

// NewLog returns a Log that appends to a, and starts its writer goroutine.
// Problems (a full queue, failed appends) are logged to logger; nil means
// slog.Default(). Call Close to flush the queue and stop the goroutine.
func NewLog(a Appender, logger *slog.Logger, opts ...Option) *Log {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	if logger == nil {
		logger = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	l := &Log{
		appender: a,
		logger:   logger,
		now:      o.now,
		backoff:  o.backoff,
		linger:   o.linger,
		queue:    make(chan store.AuditEvent, o.queueSize),
		cancel:   cancel,
		done:     make(chan struct{}),
		warner:   dropWarner{logger: logger, now: o.now},
	}
	go l.run(ctx)
	return l
}

// Record queues e to be written and returns at once; it never waits on
// storage. A zero e.Time is set to now; every time is stored in UTC. When
// the queue is full, or the Log is closed, e is dropped: Stats counts it
// and a warning is logged, at most once per second, with the number of
// events dropped since the previous warning.
func (l *Log) Record(ctx context.Context, e store.AuditEvent) {
	e.Time = stamp(e.Time, l.now)
	switch l.enqueue(e) {
	case queued:
	case queueFull:
		l.dropped.Add(1)
		l.warner.drop(ctx, "audit queue full, events dropped")
	case logClosed:
		l.dropped.Add(1)
		l.warner.drop(ctx, "audit log closed, events dropped")
	}
}

type enqueueResult int

const (
	queued enqueueResult = iota
	queueFull
	logClosed
)

func (l *Log) enqueue(e store.AuditEvent) enqueueResult {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.closed {
		return logClosed
	}
	select {
	case l.queue <- e:
		return queued
	default:
		return queueFull
	}
}

// Close stops accepting events, flushes those queued and waits for the
// writer to finish. If ctx ends first, Close cancels the append in
// progress, counts what is still queued as dropped and returns an error
// wrapping ctx.Err() without waiting further. Close may be called more
// than once; a later call waits again for the flush.
func (l *Log) Close(ctx context.Context) error {
	l.closeOnce.Do(func() {
		l.mu.Lock()
		l.closed = true
		close(l.queue)
		l.mu.Unlock()
	})
	select {
	case <-l.done:
		return nil
	default:
	}
	select {
	case <-l.done:
		return nil
	case <-ctx.Done():
		queued := len(l.queue)
		l.cancel()
		return fmt.Errorf("close audit log with %d events queued: %w", queued, ctx.Err())
	}
}

// Stats returns the Log's counters.
func (l *Log) Stats() Stats {
	return Stats{Queued: len(l.queue), Dropped: l.dropped.Load(), Written: l.written.Load()}
}

// stamp returns t, or now when t is zero, in UTC: one zone keeps stored
// times comparable and their text forms sortable.
func stamp(t time.Time, now func() time.Time) time.Time {
	if t.IsZero() {
		t = now()
	}
	return t.UTC()
}
