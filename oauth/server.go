package oauth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/tokencache"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// Defaults for Options left at zero.
const (
	DefaultAccessTokenTTL = time.Hour
	DefaultRefreshTTL     = 90 * 24 * time.Hour
	DefaultRefreshGrace   = 60 * time.Second
	DefaultCodeTTL        = 60 * time.Second
	DefaultRequestTTL     = 10 * time.Minute
	DefaultKeyRotation    = 30 * 24 * time.Hour
	// DefaultRegistrationRate is how many registrations one network
	// address may make per minute.
	DefaultRegistrationRate = 10
)

// Registration policies for dynamic client registration.
const (
	RegistrationOpen   = "open"   // anyone may register (MCP clients expect this)
	RegistrationToken  = "token"  // only with the initial access token
	RegistrationClosed = "closed" // only clients from platform.yaml
)

// Credentials verifies the API key a person types on the sign-in page, or a
// client sends as its secret; *auth.Authenticator is one.
type Credentials interface {
	Authenticate(ctx context.Context, token string) (auth.Principal, error)
	Recheck(ctx context.Context, p auth.Principal) (auth.Principal, error)
}

// Limiter limits requests per key per minute; *ratelimit.Limiter is one.
type Limiter interface {
	Allow(ctx context.Context, key string, limit int) (ratelimit.Decision, error)
}

// Recorder records audit events; *audit.Log is one.
type Recorder interface {
	Record(ctx context.Context, e store.AuditEvent)
}

// Options configure a Server.
type Options struct {
	// Store keeps clients, codes, grants and signing keys. Required.
	Store store.OAuth
	// Issuer is skillgate's public base URL: an origin without a path or
	// a trailing slash. Required.
	Issuer string
	// Credentials verifies API keys. Required.
	Credentials Credentials
	// Scopes returns the scopes a principal may hold at most (its own
	// within its persona's); granted scopes never exceed them. Required.
	Scopes func(auth.Principal) []string
	// SupportedScopes are the scopes clients may ask for. Required.
	SupportedScopes []string
	// Registration is RegistrationOpen (default), RegistrationToken or
	// RegistrationClosed.
	Registration string
	// InitialAccessTokenHash is the SHA-256 of the token RegistrationToken
	// requires.
	InitialAccessTokenHash []byte
	// RegistrationRate caps registrations per address per minute. Default
	// DefaultRegistrationRate.
	RegistrationRate int
	// Limiter enforces RegistrationRate. Default: a new in-memory one.
	Limiter Limiter
	// AccessTokenTTL, RefreshTTL, RefreshGrace, CodeTTL, RequestTTL and
	// KeyRotation default to the Default constants.
	AccessTokenTTL time.Duration
	RefreshTTL     time.Duration
	RefreshGrace   time.Duration
	CodeTTL        time.Duration
	RequestTTL     time.Duration
	KeyRotation    time.Duration
	// Upstream are the identity providers people may sign in with besides
	// API keys.
	Upstream []UpstreamLogin
	// UpstreamSessionTTL bounds grants made through Upstream. Default
	// DefaultUpstreamSessionTTL.
	UpstreamSessionTTL time.Duration
	// ClientMetadataDocuments accepts HTTPS URLs as client_id (Client ID
	// Metadata Documents), fetched or taken from PinnedClients.
	ClientMetadataDocuments bool
	// PinnedClients are metadata documents given here instead of fetched.
	PinnedClients []PinnedClient
	// MetadataHTTPClient fetches metadata documents. Default: one that
	// reaches public addresses only; tests pass one for their own server.
	MetadataHTTPClient *http.Client
	// Versions, if set, lets verified access tokens be cached until
	// anything they depend on changes; without it every request verifies
	// its token fully (signature, grant and key).
	Versions Versions
	// Audit, if set, records grants, refusals and revocations.
	Audit Recorder
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Server is the authorization server's HTTP surface and token logic.
type Server struct {
	opts      Options
	resources []string // this server's resource identifiers, canonical
	signer    *Signer
	docs      *metadataDocuments // nil unless ClientMetadataDocuments
	tokens    *tokencache.Cache
}

// New checks opts and returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Store == nil || opts.Credentials == nil || opts.Scopes == nil {
		return nil, errors.New("oauth: Store, Credentials and Scopes are required")
	}
	if err := checkIssuer(opts.Issuer); err != nil {
		return nil, err
	}
	switch opts.Registration {
	case "":
		opts.Registration = RegistrationOpen
	case RegistrationOpen, RegistrationClosed:
	case RegistrationToken:
		if len(opts.InitialAccessTokenHash) == 0 {
			return nil, errors.New("oauth: registration policy \"token\" needs an initial access token")
		}
	default:
		return nil, fmt.Errorf("oauth: unknown registration policy %q", opts.Registration)
	}
	setDefault(&opts.AccessTokenTTL, DefaultAccessTokenTTL)
	setDefault(&opts.RefreshTTL, DefaultRefreshTTL)
	setDefault(&opts.RefreshGrace, DefaultRefreshGrace)
	setDefault(&opts.CodeTTL, DefaultCodeTTL)
	setDefault(&opts.RequestTTL, DefaultRequestTTL)
	setDefault(&opts.KeyRotation, DefaultKeyRotation)
	setDefault(&opts.UpstreamSessionTTL, DefaultUpstreamSessionTTL)
	if opts.RegistrationRate <= 0 {
		opts.RegistrationRate = DefaultRegistrationRate
	}
	if opts.Limiter == nil {
		opts.Limiter = ratelimit.New()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		opts:      opts,
		resources: []string{opts.Issuer + "/mcp", opts.Issuer + "/sse", opts.Issuer},
	}
	s.signer = newSigner(opts.Store, opts.KeyRotation, opts.AccessTokenTTL, opts.Now)
	if opts.Versions != nil {
		s.tokens = tokencache.New(0)
	}
	if opts.ClientMetadataDocuments {
		s.docs = newMetadataDocuments(opts.MetadataHTTPClient, opts.PinnedClients, opts.Now, opts.Logger)
	}
	return s, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d <= 0 {
		*d = def
	}
}

// checkIssuer accepts an absolute http(s) origin with no path, query,
// fragment or trailing slash: the issuer must be byte-identical wherever it
// appears (RFC 8414 section 3.3, RFC 9207).
func checkIssuer(issuer string) error {
	u, err := url.Parse(issuer)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || strings.HasSuffix(issuer, "/") {
		return fmt.Errorf("oauth: issuer %q must be an origin like https://skills.example.com, without a path or trailing slash", issuer)
	}
	return nil
}

// Issuer returns the issuer identifier.
func (s *Server) Issuer() string { return s.opts.Issuer }

// Signer returns the key set that signs access tokens.
func (s *Server) Signer() *Signer { return s.signer }

// Mount registers the authorization server's endpoints on mux, at the
// origin root, where some clients expect them whatever metadata says.
func (s *Server) Mount(mux *http.ServeMux) {
	mux.HandleFunc("/authorize", s.serveAuthorize)
	mux.HandleFunc("/authorize/signin", s.serveSignIn)
	mux.HandleFunc("/authorize/consent", s.serveConsent)
	mux.HandleFunc("/authorize/upstream", s.serveUpstream)
	mux.HandleFunc(upstreamCallbackPath, s.serveUpstreamCallback)
	mux.HandleFunc("/token", s.serveToken)
	mux.HandleFunc("/revoke", s.serveRevoke)
	mux.HandleFunc("/register", s.serveRegister)
	mux.HandleFunc("/register/{client_id}", s.serveClientConfiguration)
}

func (s *Server) now() time.Time { return s.opts.Now().UTC() }

func (s *Server) audit(ctx context.Context, e store.AuditEvent) {
	if s.opts.Audit != nil {
		s.opts.Audit.Record(ctx, e)
	}
}

// SupportsClientMetadataDocuments reports whether HTTPS URLs are accepted
// as client_id, for the discovery document to advertise.
func (s *Server) SupportsClientMetadataDocuments() bool { return s.docs != nil }
