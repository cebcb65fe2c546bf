package dashboard

import (
	"net/http"
	"net/url"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/store"
)

type auditPage struct {
	Events              []store.AuditEvent
	Key, Action, Result string
	Results             []string
	NextURL             string
}

// listAudit shows the audit log, newest first, filtered by key, action and
// result; the audit reader decides who may read it.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request, v visitor) error {
	if h.opts.Audit == nil {
		h.notFound(w, r)
		return nil
	}
	q := r.URL.Query()
	page, err := h.opts.Audit.List(r.Context(), v.actor, audit.Query{
		KeyID: q.Get("key"), Action: q.Get("action"), Result: q.Get("result"), Cursor: q.Get("cursor"),
	})
	if err != nil {
		return err
	}
	data := auditPage{
		Events: page.Events, Key: q.Get("key"), Action: q.Get("action"), Result: q.Get("result"),
		Results: []string{store.ResultOK, store.ResultDenied, store.ResultError},
	}
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		for _, k := range []string{"key", "action", "result"} {
			if s := q.Get(k); s != "" {
				next.Set(k, s)
			}
		}
		data.NextURL = Path + "/audit?" + next.Encode()
	}
	h.render(w, r, http.StatusOK, "audit", h.frame(v, "Audit log", data))
	return nil
}
