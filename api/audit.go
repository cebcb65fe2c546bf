package api

import (
	"net/http"
	"time"

	"github.com/skillgate/skillgate/audit"

	"github.com/skillgate/skillgate/auth/apikey"
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

// NewAuditPage returns the API's form of a page of the audit log.
func NewAuditPage(p audit.Page) AuditPage {
	page := AuditPage{Events: make([]AuditEntry, 0, len(p.Events)), NextCursor: p.NextCursor}
	for _, e := range p.Events {
		page.Events = append(page.Events, AuditEntry{
			ID: e.ID, Time: e.Time.UTC(), KeyID: e.KeyID, Principal: e.Principal,
			Action: e.Action, Target: e.Target, Result: e.Result,
			ClientAddr: e.ClientAddr, Detail: e.Detail,
		})
	}
	return page
}

// listAudit serves GET /v1/audit. The audit reader decides who may read
// it and which queries are valid; this parses the query string.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	q, err := parseQuery(r, "key_id", "action", "result", "since", "until", "cursor", "limit")
	if err != nil {
		return err
	}
	query := audit.Query{KeyID: q.Get("key_id"), Action: q.Get("action"), Result: q.Get("result"), Cursor: q.Get("cursor")}
	if query.Since, err = timeParam(q, "since"); err != nil {
		return err
	}
	if query.Until, err = timeParam(q, "until"); err != nil {
		return err
	}
	if _, ok := q["limit"]; ok {
		if query.Limit, err = intParam(q, "limit"); err != nil {
			return err
		}
		if query.Limit == 0 {
			query.Limit = -1 // given as 0: refused, not the default
		}
	}
	page, err := h.audit.List(r.Context(), a, query)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, NewAuditPage(page))
}
