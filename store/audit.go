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

// Audit stores the audit log. It is append-only.
type Audit interface {
	// AppendAudit stores events in one transaction, assigning their IDs.
	// The same transaction adds the events to the counts per day that
	// CountAuditByDay reads, so the two always agree: both are committed
	// or neither is.
	AppendAudit(ctx context.Context, events []AuditEvent) error
	// ListAudit returns the events f selects, newest (highest ID) first.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, error)
	// CountAuditByDay counts the events f selects per UTC day of their
	// Time, oldest day first; the events of one day with different
	// results or actions are summed into one DayCount. Every event is
	// counted, those without a key too. Days without events are absent;
	// when no event matches the result is empty (possibly nil). It reads
	// counts kept per key, action, result and day, so its cost grows with
	// the days asked for, not with the events.
	CountAuditByDay(ctx context.Context, f DayFilter) ([]DayCount, error)
}
