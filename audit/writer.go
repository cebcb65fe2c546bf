package audit

import (
	"context"
	"time"

	"github.com/skillgate/skillgate/store"
)

// run is the writer goroutine. It appends the queue in batches until the
// queue is closed and drained. Once ctx is cancelled (a Close gave up), it
// drains the rest without appending, counting it as dropped.
func (l *Log) run(ctx context.Context) {
	defer close(l.done)
	defer l.cancel()

	batch := make([]store.AuditEvent, 0, maxBatch)
	abandoned := 0
	for e := range l.queue {
		batch = l.fill(append(batch[:0], e))
		if ctx.Err() != nil {
			abandoned += len(batch)
			continue
		}
		l.write(ctx, batch)
	}
	if abandoned > 0 {
		l.dropped.Add(uint64(abandoned))
		l.logger.ErrorContext(ctx, "audit log closed before flushing, events dropped", "dropped", abandoned)
	}
}

// fill adds to batch the events queued within the linger, up to maxBatch
// events. Waiting a few milliseconds for more turns a busy server's stream
// of events into a few large transactions (each an fsync) instead of many
// small ones; a closed queue ends the wait at once.
func (l *Log) fill(batch []store.AuditEvent) []store.AuditEvent {
	var expired <-chan time.Time
	if l.linger > 0 {
		t := time.NewTimer(l.linger)
		defer t.Stop()
		expired = t.C
	}
	for len(batch) < maxBatch {
		select {
		case e, ok := <-l.queue:
			if !ok {
				return batch
			}
			batch = append(batch, e)
			continue
		default:
		}
		if expired == nil {
			return batch
		}
		select {
		case e, ok := <-l.queue:
			if !ok {
				return batch
			}
			batch = append(batch, e)
		case <-expired:
			return batch
		}
	}
	return batch
}

// write appends batch, retrying a failed append up to appendTries times in
// all with a doubling backoff, then counts the batch as dropped. Errors are
// logged with the error and the event count only: the events themselves
// stay out of the log.
func (l *Log) write(ctx context.Context, batch []store.AuditEvent) {
	wait := l.backoff
	for try := 1; ; try++ {
		err := l.appender.AppendAudit(ctx, batch)
		if err == nil {
			l.written.Add(uint64(len(batch)))
			return
		}
		if try == appendTries || !sleep(ctx, wait) {
			l.dropped.Add(uint64(len(batch)))
			l.logger.ErrorContext(ctx, "audit append failed, events dropped",
				"err", err, "attempts", try, "dropped", len(batch))
			return
		}
		l.logger.WarnContext(ctx, "audit append failed, retrying",
			"err", err, "attempt", try, "events", len(batch))
		wait *= 2
	}
}

// sleep waits for d or until ctx ends, and reports whether it waited the
// whole d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
