package audit

import (
	"context"
	"log/slog"
	"time"

	"github.com/skillgate/skillgate/store"
)

// Sync records each event by appending it at once, in the caller's
// goroutine. It suits a short-lived process, such as the CLI, that exits
// right after recording and so has no time for a Log to flush. A must be
// set; the zero Logger means slog.Default().
type Sync struct {
	// A stores the events.
	A Appender
	// Logger receives append errors; nil means slog.Default().
	Logger *slog.Logger
}

// Record appends e, setting a zero e.Time to now and storing times in UTC.
// An append error is logged, not returned, as with Log: auditing must not
// change the outcome of the action it records.
func (s Sync) Record(ctx context.Context, e store.AuditEvent) {
	e.Time = stamp(e.Time, time.Now)
	if err := s.A.AppendAudit(ctx, []store.AuditEvent{e}); err != nil {
		logger := s.Logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.ErrorContext(ctx, "audit append failed, event dropped", "err", err)
	}
}
