package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// AuditEntry is one audit event as the API and the CLI show it.
type AuditEntry struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	KeyID      string    `json:"key_id"`
	Principal  string    `json:"principal"`
	Action     string    `json:"action"`
	Target     string    `json:"target"`
	Result     string    `json:"result"`
	ClientAddr string    `json:"client_addr"`
	Detail     string    `json:"detail"`
}

// AuditPage is one page of the audit log, newest first.
type AuditPage struct {
	Events []AuditEntry `json:"data"`
	// NextCursor fetches the next (older) page; empty on the last one.
	NextCursor string `json:"next_cursor,omitempty"`
}

// NewAuditPage returns the page of events, which were fetched with one
// more than limit so that it can tell whether another page follows.
func NewAuditPage(events []store.AuditEvent, limit int) AuditPage {
	page := AuditPage{Events: make([]AuditEntry, 0, min(len(events), limit))}
	if len(events) > limit {
		events = events[:limit]
		page.NextCursor = strconv.FormatInt(events[limit-1].ID, 10)
	}
	for _, e := range events {
		page.Events = append(page.Events, AuditEntry{
			ID: e.ID, Time: e.Time.UTC(), KeyID: e.KeyID, Principal: e.Principal,
			Action: e.Action, Target: e.Target, Result: e.Result,
			ClientAddr: e.ClientAddr, Detail: e.Detail,
		})
	}
	return page
}

// listAudit serves GET /v1/audit, for administrators only.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, _ apikey.Actor) error {
	q, err := parseQuery(r, "key_id", "action", "result", "since", "until", "cursor", "limit")
	if err != nil {
		return err
	}
	f := store.AuditFilter{KeyID: q.Get("key_id"), Action: q.Get("action"), Result: q.Get("result")}
	switch f.Result {
	case "", store.ResultOK, store.ResultDenied, store.ResultError:
	default:
		return badRequest("Query parameter result must be ok, denied or error", "Leave it out for every result.")
	}
	if f.Since, err = timeParam(q, "since"); err != nil {
		return err
	}
	if f.Until, err = timeParam(q, "until"); err != nil {
		return err
	}
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		return badRequest("Query parameter since must be before until", "since is inclusive, until exclusive.")
	}
	if c := q.Get("cursor"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || n <= 0 {
			return badRequest("Query parameter cursor is not valid", "Pass next_cursor from the previous page unchanged.")
		}
		f.Before = n
	}
	limit := defaultAuditPage
	if _, ok := q["limit"]; ok {
		if limit, err = intParam(q, "limit"); err != nil {
			return err
		}
		if limit < 1 || limit > maxAuditPage {
			return badRequest(fmt.Sprintf("Query parameter limit must be between 1 and %d", maxAuditPage),
				fmt.Sprintf("Leave it out for pages of %d.", defaultAuditPage))
		}
	}
	f.Limit = limit + 1
	events, err := h.audit.ListAudit(r.Context(), f)
	if err != nil {
		return fmt.Errorf("list audit events: %w", err)
	}
	return writeJSON(w, http.StatusOK, NewAuditPage(events, limit))
}
