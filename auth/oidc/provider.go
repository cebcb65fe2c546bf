package oidc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/tokencache"
)

// Defaults for Options left at zero.
const (
	// DefaultRefreshInterval is the least time between two fetches of an
	// issuer's keys (or discovery document) caused by tokens.
	DefaultRefreshInterval = 10 * time.Second
	// DefaultKeysMaxAge is how long fetched keys are used before they are
	// fetched again, so keys the issuer has withdrawn stop working even
	// when no token names a new one.
	DefaultKeysMaxAge = time.Hour
	// DefaultHTTPTimeout bounds each request to the issuer.
	DefaultHTTPTimeout = 10 * time.Second
	// maxBackoff caps the wait between discovery attempts in Run.
	maxBackoff = time.Minute
	// maxRedirects bounds the redirects followed when fetching from the
	// issuer.
	maxRedirects = 5
	// maxDiscoveryBytes bounds the discovery document.
	maxDiscoveryBytes = 1 << 20
)

// Options tune a Provider. The zero value is ready for production.
type Options struct {
	// HTTPClient fetches the discovery document and keys. Default: a client
	// with DefaultHTTPTimeout.
	HTTPClient *http.Client
	// RefreshInterval is the least time between fetches caused by tokens.
	// Default DefaultRefreshInterval.
	RefreshInterval time.Duration
	// KeysMaxAge is how long keys are used before they are refetched.
	// Default DefaultKeysMaxAge.
	KeysMaxAge time.Duration
	// TokenCacheSize is how many verified tokens are remembered, each
	// until it expires or the issuer's keys change. 0 means
	// tokencache.DefaultSize; negative turns the cache off.
	TokenCacheSize int
	// Logger receives discovery and key-fetch outcomes. Default: discard.
	Logger *slog.Logger
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// Provider verifies the tokens of one issuer. It is an auth.Verifier.
type Provider struct {
	cfg    Config
	opts   Options
	claims claimMapper
	// tokens holds the principals of verified tokens for the keys they
	// were verified with, until they expire; nil when turned off.
	tokens *tokencache.Cache

	mu        sync.Mutex
	ready     *discovered   // nil until discovery succeeds
	attempted time.Time     // start of the last discovery attempt
	inflight  chan struct{} // closed when the running discovery ends
	lastErr   error
}

// discovered is what discovery yields: a verifier bound to the issuer's
// keys.
type discovered struct {
	verifier *oidc.IDTokenVerifier
	keys     *keySet
	// endpoint is the provider's authorization and token endpoints, for
	// sign-in.
	endpoint oauth2.Endpoint
}

// New returns a Provider for cfg. It does no I/O: the issuer is discovered
// by Run, or by the first token that needs it.
func New(cfg Config, opts Options) *Provider {
	cfg = cfg.withDefaults()
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: DefaultHTTPTimeout, CheckRedirect: noDowngrade}
	}
	opts.HTTPClient = limitBodies(opts.HTTPClient, maxDiscoveryBytes)
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = DefaultRefreshInterval
	}
	if opts.KeysMaxAge <= 0 {
		opts.KeysMaxAge = DefaultKeysMaxAge
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Provider{cfg: cfg, opts: opts, claims: claimMapper{cfg: cfg}}
	if opts.TokenCacheSize >= 0 {
		p.tokens = tokencache.New(opts.TokenCacheSize)
	}
	return p
}

// Issuer returns the issuer URL the provider verifies tokens of.
func (p *Provider) Issuer() string { return p.cfg.Issuer }

// googleIssuer is Google's issuer; some of its tokens carry it without the
// scheme, which go-oidc accepts for Google alone.
const googleIssuer = "https://accounts.google.com"

// Aliases returns other spellings of the issuer that its tokens may carry
// in iss, so that routing by iss finds this provider for them too.
func (p *Provider) Aliases() []string {
	if p.cfg.Issuer == googleIssuer {
		return []string{"accounts.google.com"}
	}
	return nil
}

// Run discovers the issuer, retrying with exponential backoff (1s doubling
// to a minute) until it succeeds or ctx ends, and fetches its keys. Servers
// run it in the background so that an identity provider that is down at
// startup does not keep API keys from being served.
func (p *Provider) Run(ctx context.Context) {
	backoff := time.Second
	for {
		err := p.Discover(ctx)
		if err == nil {
			return
		}
		p.opts.Logger.WarnContext(ctx, "identity provider unreachable; retrying",
			"issuer", p.cfg.Issuer, "retry_in", backoff, "err", shortError(err))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// Discover makes one attempt to fetch the issuer's discovery document and
// keys, unless it has succeeded already; a call made while another runs
// waits for that one.
func (p *Provider) Discover(ctx context.Context) error {
	p.mu.Lock()
	if p.ready != nil {
		p.mu.Unlock()
		return nil
	}
	done := p.startDiscovery()
	p.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("discover %s: %w", p.cfg.Issuer, ctx.Err())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready == nil {
		return p.lastErr
	}
	return nil
}

// discovered returns the discovery result. When discovery has not
// succeeded, a token may cause one more attempt (and waits for it as long as
// ctx allows) if the last began at least the refresh interval ago; the
// decision and the start happen under one lock, so a flood of tokens
// causes at most one attempt per interval.
func (p *Provider) discovered(ctx context.Context) (*discovered, error) {
	p.mu.Lock()
	if p.ready != nil {
		defer p.mu.Unlock()
		return p.ready, nil
	}
	if p.inflight == nil && p.opts.Now().Sub(p.attempted) < p.opts.RefreshInterval {
		p.mu.Unlock()
		return nil, p.unavailable()
	}
	done := p.startDiscovery()
	p.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, p.unavailable()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ready == nil {
		return nil, p.unavailable()
	}
	return p.ready, nil
}

func (p *Provider) unavailable() error {
	return fmt.Errorf("%w: %s", auth.ErrIssuerUnavailable, p.cfg.Issuer)
}

// startDiscovery starts a discovery attempt unless one is running. p.mu
// must be held.
func (p *Provider) startDiscovery() <-chan struct{} {
	if p.inflight != nil {
		return p.inflight
	}
	done := make(chan struct{})
	p.inflight, p.attempted = done, p.opts.Now()
	// Not tied to the caller's context, so a caller that gives up does not
	// cancel work others wait on; the HTTP client's timeout bounds it.
	go func() {
		d, err := p.discover(context.Background())
		p.mu.Lock()
		p.ready, p.lastErr, p.inflight = d, err, nil
		p.mu.Unlock()
		close(done)
		if err == nil {
			p.opts.Logger.Info("identity provider ready", "issuer", p.cfg.Issuer)
		}
	}()
	return done
}

// discover fetches the discovery document, checks that it names the
// configured issuer (go-oidc does), and fetches the keys once.
func (p *Provider) discover(ctx context.Context) (*discovered, error) {
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, p.opts.HTTPClient), p.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", p.cfg.Issuer, err)
	}
	var doc struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := provider.Claims(&doc); err != nil || doc.JWKSURI == "" {
		return nil, fmt.Errorf("discover %s: the discovery document has no jwks_uri", p.cfg.Issuer)
	}
	keys := &keySet{
		url:         doc.JWKSURI,
		client:      p.opts.HTTPClient,
		algs:        signatureAlgorithms(p.cfg.Algorithms),
		minInterval: p.opts.RefreshInterval,
		maxAge:      p.opts.KeysMaxAge,
		now:         p.opts.Now,
		onFetch:     p.logFetch,
	}
	if err := keys.fetchNow(ctx); err != nil {
		return nil, fmt.Errorf("discover %s: %w", p.cfg.Issuer, err)
	}
	verifier := oidc.NewVerifier(p.cfg.Issuer, keys, &oidc.Config{
		SupportedSigningAlgs: p.cfg.Algorithms,
		// Audience and validity times are checked by checkClaims, which
		// applies the configured clock skew (go-oidc allows none on exp
		// and a fixed five minutes on nbf) and words its refusals for
		// the caller.
		SkipClientIDCheck: true,
		SkipExpiryCheck:   true,
	})
	return &discovered{verifier: verifier, keys: keys, endpoint: provider.Endpoint()}, nil
}

func (p *Provider) logFetch(err error) {
	if err != nil {
		p.opts.Logger.Warn("fetching the identity provider's signing keys failed", "issuer", p.cfg.Issuer, "err", shortError(err))
		return
	}
	p.opts.Logger.Debug("fetched the identity provider's signing keys", "issuer", p.cfg.Issuer)
}

func signatureAlgorithms(names []string) []jose.SignatureAlgorithm {
	algs := make([]jose.SignatureAlgorithm, len(names))
	for i, n := range names {
		algs[i] = jose.SignatureAlgorithm(n)
	}
	return algs
}

// limitBodies returns a copy of c whose responses are cut off after max
// bytes, so a hostile or broken issuer cannot make us read without end.
func limitBodies(c *http.Client, max int64) *http.Client {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c2 := *c
	c2.Transport = roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := base.RoundTrip(r)
		if err == nil {
			resp.Body = limitedBody{io.LimitReader(resp.Body, max), resp.Body}
		}
		return resp, err
	})
	return &c2
}

// noDowngrade follows a few redirects, never from https to http: the
// discovery document and keys decide who may sign in, so they must not be
// fetched where a network attacker could answer.
func noDowngrade(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
		return fmt.Errorf("refusing a redirect from https to %s", req.URL.Scheme)
	}
	return nil
}

// maxLoggedError caps an error in a log line: go-oidc quotes the issuer's
// whole response body in its errors.
const maxLoggedError = 300

func shortError(err error) string {
	msg := err.Error()
	if len(msg) > maxLoggedError {
		return msg[:maxLoggedError] + "..."
	}
	return msg
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type limitedBody struct {
	io.Reader
	io.Closer
}
