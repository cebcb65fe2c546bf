package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// KeyService is the key lifecycle the API exposes; *apikey.Manager is one.
// It MUST enforce who may see and change which key: the API checks only
// the scope each route needs, up front.
type KeyService interface {
	Create(ctx context.Context, a apikey.Actor, p apikey.CreateParams) (apikey.Created, error)
	Get(ctx context.Context, a apikey.Actor, id string) (apikey.View, error)
	List(ctx context.Context, a apikey.Actor, p apikey.ListParams) (apikey.Page, error)
	Update(ctx context.Context, a apikey.Actor, id string, u apikey.UpdateParams) (apikey.View, error)
	Revoke(ctx context.Context, a apikey.Actor, id string) (apikey.Revoked, error)
	RevokeSecret(ctx context.Context, a apikey.Actor, plain string) (apikey.Revoked, error)
	Rotate(ctx context.Context, a apikey.Actor, id string, grace *time.Duration) (apikey.Created, error)
}

var _ KeyService = (*apikey.Manager)(nil)

// ClientService manages the OAuth clients of skillgate's authorization
// server; *oauth.Server is one. Like KeyService, it MUST enforce its own
// rules (the admin scope, configured clients not deletable), so that the
// dashboard, which calls it directly, gets the same answers; the API's own
// scope check is only the first of two.
type ClientService interface {
	// ListClients returns every registered client, newest first.
	ListClients(ctx context.Context, a apikey.Actor) ([]oauth.ClientView, error)
	// RevokeClientGrants revokes every grant of the client and returns
	// how many; its tokens stop working at once.
	RevokeClientGrants(ctx context.Context, a apikey.Actor, id string) (int, error)
	// DeleteClient deletes a dynamically registered client and revokes
	// its grants.
	DeleteClient(ctx context.Context, a apikey.Actor, id string) error
}

var _ ClientService = (*oauth.Server)(nil)

// AuditReader reads stored audit events; store.Audit is one. The API
// serves them through an audit.Reader, which holds the rules of reading.
type AuditReader interface {
	// ListAudit returns the events f selects, newest (highest ID) first.
	ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, error)
}

// RateLimiter counts a caller's requests; *ratelimit.Limiter is one. It
// MUST be safe for concurrent use.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit int) (ratelimit.Decision, error)
}

// Observer counts the API's authentication decisions and rate limit
// refusals for metrics; *metrics.Metrics is one. It MUST be safe for
// concurrent use, and MUST reduce the paths it is given to a bounded set
// of routes before using them as labels.
type Observer interface {
	auth.DecisionObserver
	RateLimited(path string)
}

// Options configure a Handler. Auth, Keys, Audit and Scopes are required.
type Options struct {
	// Auth verifies the bearer credential of every request.
	Auth auth.Authenticating
	// Keys runs the key operations.
	Keys KeyService
	// Audit serves GET /v1/audit.
	Audit AuditReader
	// Clients, if set, serves /v1/oauth-clients; nil (OAuth not enabled)
	// answers those routes with a structured 404.
	Clients ClientService
	// AuditLog, if set, records refused credentials and refused scopes.
	AuditLog auth.Recorder
	// Scopes returns what a principal may effectively do: its own scopes
	// within those of its roles.
	Scopes func(auth.Principal) []string
	// Limiter applies each principal's RateLimitPerMinute; nil means no
	// rate limiting.
	Limiter RateLimiter
	// Logger receives server failures; nil discards them.
	Logger *slog.Logger
	// Observer, if set, counts authentication decisions and rate limit
	// refusals; nil counts nothing.
	Observer Observer
	// Now turns a relative expiry (expires_in) into a time; nil means
	// time.Now.
	Now func() time.Time
}

// Handler serves the REST API. It serves paths under /v1/ and expects to
// be mounted there, unstripped (see Mount).
type Handler struct {
	keys    KeyService
	audit   *audit.Reader
	clients ClientService // nil when OAuth is not enabled
	record  auth.Recorder
	scopes  func(auth.Principal) []string
	limiter RateLimiter
	// observer is nil when nothing is counted.
	observer Observer
	log      *slog.Logger
	now      func() time.Time
	mux      *http.ServeMux
	// next is the whole chain behind ServeHTTP: authentication, then
	// routing.
	next http.Handler
}

// New returns a Handler, or an error naming the required options missing.
func New(opts Options) (*Handler, error) {
	var missing []string
	if opts.Auth == nil {
		missing = append(missing, "Auth")
	}
	if opts.Keys == nil {
		missing = append(missing, "Keys")
	}
	if opts.Audit == nil {
		missing = append(missing, "Audit")
	}
	if opts.Scopes == nil {
		missing = append(missing, "Scopes")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("api: missing options: %s", strings.Join(missing, ", "))
	}
	h := &Handler{
		keys: opts.Keys, audit: audit.NewReader(opts.Audit), clients: opts.Clients, record: opts.AuditLog,
		scopes: opts.Scopes, limiter: opts.Limiter, observer: opts.Observer, log: opts.Logger, now: opts.Now,
		mux: http.NewServeMux(),
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.routes()
	authn := &auth.Middleware{
		Auth: opts.Auth,
		// No QueryParams: a key in a URL ends up in proxy and access
		// logs, so this API never accepts one.
		Hint:   "The REST API accepts keys only in the Authorization header, never in the URL.",
		Logger: h.log,
		Audit:  opts.AuditLog,
	}
	if opts.Observer != nil {
		authn.Observer = opts.Observer
	}
	h.next = authn.Wrap(http.HandlerFunc(h.route))
	return h, nil
}

// Mount registers h on mux for every path under /v1/.
func (h *Handler) Mount(mux *http.ServeMux) { mux.Handle("/v1/", h) }

// ServeHTTP serves one API request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Set first, so that every answer, errors included, carries it: some
	// bodies hold a secret shown once.
	w.Header().Set("Cache-Control", "no-store")
	rw := &responseWriter{ResponseWriter: w}
	defer h.recoverPanic(rw, r)
	h.next.ServeHTTP(rw, r)
}

// recoverPanic turns a panic in a handler into a logged 500, so that no
// panic (and no stack trace) reaches a client.
func (h *Handler) recoverPanic(rw *responseWriter, r *http.Request) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	h.log.ErrorContext(r.Context(), "panic serving API request",
		"method", r.Method, "path", auth.LogPath(r.URL.Path), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	if !rw.wrote {
		apierror.Write(rw, internalError())
	}
}

// responseWriter remembers whether a response was started, so that a
// panic after it is not answered twice.
type responseWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *responseWriter) WriteHeader(status int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *responseWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
