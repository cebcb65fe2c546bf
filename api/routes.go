package api

import (
	"net/http"
	"strings"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// routes registers every endpoint with the scope it needs.
func (h *Handler) routes() {
	h.handle("POST /v1/api-keys", auth.ScopeKeysWrite, h.createKey)
	h.handle("GET /v1/api-keys", auth.ScopeKeysRead, h.listKeys)
	h.handle("GET /v1/api-keys/{id}", auth.ScopeKeysRead, h.getKey)
	h.handle("PATCH /v1/api-keys/{id}", auth.ScopeKeysWrite, h.updateKey)
	h.handle("DELETE /v1/api-keys/{id}", auth.ScopeKeysWrite, h.revokeKey)
	h.handle("POST /v1/api-keys/{id}/revoke", auth.ScopeKeysWrite, h.revokeKey)
	h.handle("POST /v1/api-keys/revoke", auth.ScopeKeysWrite, h.revokeSecret)
	h.handle("POST /v1/api-keys/{id}/rotate", auth.ScopeKeysWrite, h.rotateKey)
	h.handle("GET /v1/oauth-clients", auth.ScopeAdmin, h.listClients)
	h.handle("POST /v1/oauth-clients/{id}/revoke-grants", auth.ScopeAdmin, h.revokeClientGrants)
	h.handle("DELETE /v1/oauth-clients/{id}", auth.ScopeAdmin, h.deleteClient)
	h.handle("GET /v1/audit", auth.ScopeAdmin, h.listAudit)
}

// actorHandler serves one endpoint for an authenticated actor. An error it
// returns is answered by writeError; it has written nothing then.
type actorHandler func(w http.ResponseWriter, r *http.Request, a apikey.Actor) error

// handle registers fn at pattern behind the scope check and rate limit.
func (h *Handler) handle(pattern, need string, fn actorHandler) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok {
			// Fail closed; unreachable behind the middleware.
			h.fail(w, r, errNoPrincipal)
			return
		}
		held := h.scopes(p)
		if !auth.Grants(held, need) {
			h.recordDenied(r, p, "missing scope "+need)
			auth.WriteInsufficientScope(w, held, need, "")
			return
		}
		if !h.allow(w, r, p) {
			return
		}
		a := apikey.Actor{Principal: p, Scopes: held, ClientAddr: r.RemoteAddr}
		if err := fn(w, r, a); err != nil {
			h.writeError(w, r, a, err)
		}
	})
}

// allow applies the principal's rate limit, setting the RateLimit headers
// on the response, and answers the request itself when it is refused.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, p auth.Principal) bool {
	if h.limiter == nil || p.RateLimitPerMinute <= 0 {
		return true
	}
	d, err := h.limiter.Allow(r.Context(), p.Identity(), p.RateLimitPerMinute)
	if err != nil {
		// Fail closed: a limit that cannot be counted is not waived.
		h.log.ErrorContext(r.Context(), "rate limiter failed", "path", auth.LogPath(r.URL.Path), "err", err)
		apierror.Write(w, apierror.New(http.StatusServiceUnavailable, apierror.CodeUnavailable,
			"Rate limiting is temporarily unavailable", "Retry in a few seconds."))
		return false
	}
	if !d.Allowed {
		if h.observer != nil {
			h.observer.RateLimited(r.URL.Path)
		}
		ratelimit.WriteLimited(w, d)
		return false
	}
	ratelimit.SetHeaders(w.Header(), d)
	return true
}

// recordDenied audits a request refused for a missing scope; the key
// manager audits its own refusals, but a route refused up front never
// reaches it.
func (h *Handler) recordDenied(r *http.Request, p auth.Principal, detail string) {
	if h.record == nil {
		return
	}
	h.record.Record(r.Context(), store.AuditEvent{
		Time: h.now().UTC(), KeyID: p.ManagedKeyID(), Principal: p.Identity(),
		Action: "api.forbidden", Target: r.Method + " " + auth.LogPath(r.URL.Path), Result: store.ResultDenied,
		ClientAddr: r.RemoteAddr, Detail: detail,
	})
}

// route dispatches an authenticated request, answering a path or method
// the API does not have with a structured 404 or 405.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.WithContext(r.Context())
		probe.Method = m
		if _, pattern := h.mux.Handler(probe); pattern != "" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		apierror.Write(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
			"No such API endpoint", "The API serves /v1/api-keys, /v1/oauth-clients and /v1/audit."))
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	apierror.Write(w, apierror.New(http.StatusMethodNotAllowed, apierror.CodeMethodNotAllowed,
		"Method "+r.Method+" is not allowed here", "Use one of: "+strings.Join(allow, ", ")+"."))
}
