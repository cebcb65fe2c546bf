package audit

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// dropWarner reports the events Record drops. It logs a warning for the
// first drop and then at most once per dropWarnInterval, each warning
// counting the drops since the previous one, so that a flood of drops
// costs a log line a second and no drop goes unreported for longer than
// it takes the next one to happen.
type dropWarner struct {
	logger *slog.Logger
	now    func() time.Time

	// count is the number of drops so far; lastWarn, the unix nanos of
	// the last warning (0 before the first). Both are atomic so that the
	// common case, a drop soon after a warning, takes no lock.
	count    atomic.Uint64
	lastWarn atomic.Int64

	// mu serialises warnings, so that each reports a consistent count.
	mu       sync.Mutex
	reported uint64 // count at the last warning
}

// drop counts one dropped event and warns with msg if the last warning is
// old enough.
func (w *dropWarner) drop(ctx context.Context, msg string) {
	w.count.Add(1)
	now := w.now().UnixNano()
	if !w.due(now) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.due(now) {
		return // another caller warned meanwhile
	}
	w.lastWarn.Store(now)
	total := w.count.Load()
	w.logger.WarnContext(ctx, msg, "dropped", total-w.reported, "dropped_total", total)
	w.reported = total
}

func (w *dropWarner) due(now int64) bool {
	last := w.lastWarn.Load()
	return last == 0 || now-last >= int64(dropWarnInterval)
}
