package apikey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// QuotaExceededError says that an execution was refused because a monthly
// quota is spent: the caller's own, or that of a key above it.
type QuotaExceededError struct {
	// KeyID is the key whose quota is spent.
	KeyID string
	// Limit is that key's monthly quota.
	Limit int64
	// ResetsAt is when the quota starts again: the next UTC month.
	ResetsAt time.Time
}

func (e *QuotaExceededError) Error() string {
	return fmt.Sprintf("quota_exceeded: the monthly execution quota of %d of key %s is used up; it resets at %s",
		e.Limit, e.KeyID, e.ResetsAt.Format(time.RFC3339))
}

// SpendExecution spends one execution from the quota of the caller's key
// and of every key above it, or refuses with a *QuotaExceededError. Only
// managed keys have quotas; other callers spend nothing.
func (m *Manager) SpendExecution(ctx context.Context, p auth.Principal) error {
	keyID := p.ManagedKeyID()
	if keyID == "" {
		return nil
	}
	now := m.clock()
	_, err := m.store.SpendExecution(ctx, keyID, store.Period(now))
	if qe, ok := errors.AsType[*store.QuotaError](err); ok {
		return &QuotaExceededError{KeyID: qe.KeyID, Limit: qe.Quota, ResetsAt: store.PeriodEnd(now)}
	}
	if err != nil {
		return fmt.Errorf("spend execution of key %s: %w", keyID, err)
	}
	return nil
}
