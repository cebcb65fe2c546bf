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

// ActionToolCall is the audit action of an MCP tool call. The MCP server
// records it and the key manager counts it for the usage per day, so it is
// named once here.
const ActionToolCall = "tool.call"

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

// DayCount is how many audit events fell on one UTC calendar day.
type DayCount struct {
	// Day is midnight UTC of the day. Events stored with the zero time
	// count on the zero time's day, before every other.
	Day   time.Time
	Count int64
}

// Audit stores the audit log. It is append-only.
type Audit interface {
	// AppendAudit stores events in one transaction, assigning their IDs.
	AppendAudit(ctx context.Context, events []AuditEvent) error
	// ListAudit returns the events f selects, newest (highest ID) first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
	// CountAuditByDay counts the events f selects (KeyID, Action, Result,
	// Since, Until; Before and Limit are ignored), grouped by the UTC day
	// of their Time, oldest day first. Days without events are absent;
	// when no event matches the result is empty (possibly nil).
	CountAuditByDay(ctx context.Context, f AuditFilter) ([]DayCount, error)
}
