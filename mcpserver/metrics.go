package mcpserver

import (
	"net/http"

	"github.com/skillgate/skillgate/auth"
)

// metricsPath is where Options.Metrics is served on this listener.
const metricsPath = "/metrics"

// newMetricsAuth returns the authentication of /metrics: the REST API's,
// with no credential accepted in the URL (a scraper's URL ends up in its
// configuration and logs) and a 401 that points at no OAuth flow, which
// could never yield the admin scope a scrape needs.
func newMetricsAuth(opts Options) *auth.Middleware {
	m := &auth.Middleware{
		Auth:   opts.Auth,
		Hint:   "Scraping /metrics needs a key holding the admin scope, in the Authorization header; or serve metrics on server.metrics_addr.",
		Logger: opts.Logger,
	}
	if opts.Audit != nil {
		m.Audit = opts.Audit
	}
	if opts.Observer != nil {
		m.Observer = opts.Observer
	}
	return m
}

// requireAdmin lets through authenticated requests whose effective scopes
// (the credential's own within its persona's) grant admin, and answers
// others 403 insufficient_scope. A principal matching no persona holds no
// scope at all, so it is refused too.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var held []string
		if c, err := s.callerFrom(r.Context()); err == nil {
			held = c.scopes
		}
		if !auth.Grants(held, auth.ScopeAdmin) {
			auth.WriteInsufficientScope(w, held, auth.ScopeAdmin, "Scraping metrics needs the admin scope")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
