package dashboard

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/oauth"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// Path is where the dashboard is served.
const Path = "/dashboard"

// DefaultSessionTTL is how long a sign-in lasts: short, because the
// session can mint and revoke keys.
const DefaultSessionTTL = time.Hour

// Credentials verify the key typed into the sign-in form and check a
// session's credential again on every request; *auth.Authenticator is one.
type Credentials interface {
	Authenticate(ctx context.Context, token string) (auth.Principal, error)
	Recheck(ctx context.Context, p auth.Principal) (auth.Principal, error)
}

// KeyService is the key lifecycle the pages drive; *apikey.Manager is one.
// It MUST enforce who may see and change which key, as it does for the
// REST API.
type KeyService interface {
	Create(ctx context.Context, a apikey.Actor, p apikey.CreateParams) (apikey.Created, error)
	Get(ctx context.Context, a apikey.Actor, id string) (apikey.View, error)
	List(ctx context.Context, a apikey.Actor, p apikey.ListParams) (apikey.Page, error)
	Update(ctx context.Context, a apikey.Actor, id string, u apikey.UpdateParams) (apikey.View, error)
	Revoke(ctx context.Context, a apikey.Actor, id string) (apikey.Revoked, error)
	Rotate(ctx context.Context, a apikey.Actor, id string, grace *time.Duration) (apikey.Created, error)
	DailyUsage(ctx context.Context, a apikey.Actor, id string, days int) ([]store.DayCount, error)
}

// ClientService manages registered OAuth clients; *oauth.Server is one. It
// MUST enforce that only administrators may.
type ClientService interface {
	ListClients(ctx context.Context, a apikey.Actor) ([]oauth.ClientView, error)
	RevokeClientGrants(ctx context.Context, a apikey.Actor, id string) (int, error)
	DeleteClient(ctx context.Context, a apikey.Actor, id string) error
}

// AuditService reads the audit log; *audit.Reader is one. It MUST enforce
// that only administrators may.
type AuditService interface {
	List(ctx context.Context, a apikey.Actor, q audit.Query) (audit.Page, error)
}

// SessionStore keeps signed-in browser sessions; every store.Store is one.
type SessionStore interface {
	CreateWebSession(ctx context.Context, s store.WebSession) error
	WebSession(ctx context.Context, hash []byte, now time.Time) (store.WebSession, error)
	DeleteWebSession(ctx context.Context, hash []byte) error
	DeleteWebSessionsOf(ctx context.Context, credentialID string) (int, error)
	PruneWebSessions(ctx context.Context, now time.Time) (int, error)
}

// RateLimiter counts requests against a limit per minute;
// *ratelimit.Limiter is one. It MUST be safe for concurrent use.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit int) (ratelimit.Decision, error)
}

// Recorder records audit events; *audit.Log is one.
type Recorder interface {
	Record(ctx context.Context, e store.AuditEvent)
}

// Options configure a Handler. Credentials, Keys, Sessions, Scopes and
// BaseURL are required.
type Options struct {
	Credentials Credentials
	Keys        KeyService
	// Clients, if set, adds the OAuth clients page.
	Clients ClientService
	// Audit, if set, adds the audit log page.
	Audit    AuditService
	Sessions SessionStore
	// Providers are the identity providers people may sign in with,
	// besides a key. Each must accept BaseURL+CallbackPath as a redirect
	// URI.
	Providers []IdentityProvider
	// Limiter, if set, applies each credential's RateLimitPerMinute to
	// its pages, in the same budget as its API and MCP requests, and
	// limits sign-in attempts per client address.
	Limiter RateLimiter
	// AuditLog, if set, records sign-ins, refused ones included, and
	// sign-outs; the services record the changes made through the pages.
	AuditLog Recorder
	// Scopes returns what a principal may effectively do: its own scopes
	// within those of its roles.
	Scopes func(auth.Principal) []string
	// BaseURL is the server's public origin: cookies are Secure when it
	// is https, and the `claude mcp add` line shown with a new key points
	// at it.
	BaseURL string
	// SessionTTL is how long a sign-in lasts; zero means
	// DefaultSessionTTL.
	SessionTTL time.Duration
	// Logger receives failures; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Handler serves the dashboard under Path.
type Handler struct {
	opts   Options
	secure bool
	pages  map[string]*template.Template
	mux    *http.ServeMux
}

// New returns a Handler.
func New(opts Options) (*Handler, error) {
	switch {
	case opts.Credentials == nil:
		return nil, errors.New("dashboard: Credentials is required")
	case opts.Keys == nil:
		return nil, errors.New("dashboard: Keys is required")
	case opts.Sessions == nil:
		return nil, errors.New("dashboard: Sessions is required")
	case opts.Scopes == nil:
		return nil, errors.New("dashboard: Scopes is required")
	case opts.BaseURL == "":
		return nil, errors.New("dashboard: BaseURL is required")
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = DefaultSessionTTL
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	h := &Handler{opts: opts, secure: strings.HasPrefix(opts.BaseURL, "https://"), pages: pages, mux: http.NewServeMux()}
	h.routes()
	return h, nil
}

// Mount registers the dashboard on mux.
func (h *Handler) Mount(mux *http.ServeMux) {
	mux.Handle(Path, h)
	mux.Handle(Path+"/", h)
}

// ServeHTTP serves a dashboard request with the headers every page has.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("X-Content-Type-Options", "nosniff")
	// same-origin rather than no-referrer: with no-referrer, browsers
	// send "Origin: null" on form posts, and the origin check needs it.
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	h.mux.ServeHTTP(w, r)
}

// contentSecurityPolicy allows the dashboard's own stylesheet and script
// and nothing else: no inline script, no other origin, no framing.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (h *Handler) now() time.Time { return h.opts.Now().UTC() }
