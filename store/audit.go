package store

import (
	"context"
	"time"
)

// AuditEvent is one row of the audit log. It never holds a secret: keys
// appear by id, callers by identity.
type AuditEvent struct {
	// ID is assigned by the store, increasing in insertion order.
	ID int64
	// Time is when the event happened.
	Time time.Time
	// KeyID is the managed key involved (as caller or target), if any.
	KeyID string
	// Principal is the identity of whoever acted, "" when unknown (a
	// failed authentication).
	Principal string
	// Action is what happened, e.g. "key.create", "auth.failure",
	// "tool.call".
	Action string
	// Target is what was acted on: a key id, a tool name.
	Target string
	// Result is "ok", "denied" or "error".
	Result string
	// ClientAddr is the caller's network address, if known.
	ClientAddr string
	// Detail is free text: a reason, a skill id. Never a secret.
	Detail string
}

// Results of audit events.
const (
	ResultOK     = "ok"
	ResultDenied = "denied"
	ResultError  = "error"
)

// AuditFilter selects audit events. Zero fields do not filter.
type AuditFilter struct {
	KeyID  string
	Action string
	Result string
	// Since and Until bound Time (Since inclusive, Until exclusive).
	Since time.Time
	Until time.Time
	// Before is the cursor: events with an ID lower than it.
	Before int64
	// Limit caps the events returned; 0 means no cap.
	Limit int
}

// Audit stores the audit log. It is append-only.
type Audit interface {
	// AppendAudit stores events in one transaction, assigning their IDs.
	AppendAudit(ctx context.Context, events []AuditEvent) error
	// ListAudit returns the events f selects, newest (highest ID) first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
}
