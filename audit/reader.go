package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// Page sizes of the audit log.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

// Query selects events of the audit log, as a reader asks for them.
type Query struct {
	KeyID  string
	Action string
	// Result is "", store.ResultOK, store.ResultDenied or store.ResultError.
	Result string
	// Since (inclusive) and Until (exclusive) bound the events' time.
	Since, Until time.Time
	// Cursor is NextCursor of the previous page.
	Cursor string
	// Limit is the page size; 0 means DefaultPageSize.
	Limit int
}

// Page is one page of the audit log, newest first.
type Page struct {
	Events []store.AuditEvent
	// NextCursor fetches the next (older) page; empty on the last one.
	NextCursor string
}

// Lister reads stored events; store.Audit is one.
type Lister interface {
	ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, error)
}

// Reader serves the audit log to administrators. The REST API, the CLI's
// server-side readers and the dashboard all read through it, so who may
// read the log and what a valid query is are decided here once.
type Reader struct {
	store Lister
}

// NewReader returns a Reader of s.
func NewReader(s Lister) *Reader { return &Reader{store: s} }

// List returns the page of events q selects, if the actor holds the admin
// scope. Refusals are *apikey.Error values, like those of the key manager.
func (r *Reader) List(ctx context.Context, a apikey.Actor, q Query) (Page, error) {
	if !auth.Grants(a.Scopes, auth.ScopeAdmin) {
		return Page{}, apikey.Forbidden(auth.ScopeAdmin, "Reading the audit log needs the admin scope")
	}
	f, limit, err := q.filter()
	if err != nil {
		return Page{}, err
	}
	events, err := r.store.ListAudit(ctx, f)
	if err != nil {
		return Page{}, fmt.Errorf("list audit events: %w", err)
	}
	var page Page
	if len(events) > limit {
		events = events[:limit]
		page.NextCursor = strconv.FormatInt(events[limit-1].ID, 10)
	}
	page.Events = events
	return page, nil
}

// filter checks q and returns the store filter that fetches one event more
// than the page holds, which tells whether another page follows.
func (q Query) filter() (store.AuditFilter, int, error) {
	f := store.AuditFilter{KeyID: q.KeyID, Action: q.Action, Result: q.Result, Since: q.Since, Until: q.Until}
	switch q.Result {
	case "", store.ResultOK, store.ResultDenied, store.ResultError:
	default:
		return f, 0, invalid("result must be ok, denied or error", "Leave it out for every result.")
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return f, 0, invalid("since must be before until", "since is inclusive, until exclusive.")
	}
	if q.Cursor != "" {
		n, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return f, 0, invalid("cursor is not valid", "Pass next_cursor from the previous page unchanged.")
		}
		f.Before = n
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultPageSize
	case limit < 1 || limit > MaxPageSize:
		return f, 0, invalid(fmt.Sprintf("limit must be between 1 and %d", MaxPageSize),
			fmt.Sprintf("Leave it out for pages of %d.", DefaultPageSize))
	}
	f.Limit = limit + 1
	return f, limit, nil
}

func invalid(message, hint string) *apikey.Error {
	return &apikey.Error{Kind: apikey.KindInvalid, Message: message, Hint: hint}
}
