package apikey

import (
	"context"
	"fmt"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// MaxUsageDays is the longest history DailyUsage returns.
const MaxUsageDays = 366

// DailyUsage returns the tool calls made with the key id per UTC day, over
// the last days days up to and including today, oldest first; days without
// calls are absent, and so are calls dated after today. The actor must be
// able to see the key. It is read from the audit log's counts per day, so
// that charting usage costs the request path nothing.
func (m *Manager) DailyUsage(ctx context.Context, a Actor, id string, days int) ([]store.DayCount, error) {
	if err := a.need(auth.ScopeKeysRead); err != nil {
		return nil, err
	}
	if days < 1 || days > MaxUsageDays {
		return nil, invalidf("days must be between 1 and %d", MaxUsageDays)
	}
	if _, err := m.visible(ctx, a, id); err != nil {
		return nil, err
	}
	today := store.UTCDay(m.clock())
	counts, err := m.store.CountAuditByDay(ctx, store.DayFilter{
		KeyID: id, Action: store.ActionToolCall, From: today.AddDate(0, 0, -(days - 1)), To: today,
	})
	if err != nil {
		return nil, fmt.Errorf("count the usage of key %s: %w", id, err)
	}
	return counts, nil
}
