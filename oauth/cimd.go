package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/skillgate/skillgate/store"
)

// Client ID Metadata Documents (MCP 2025-11-25, draft-ietf-oauth-client-
// id-metadata-document): a client_id that is an HTTPS URL names a JSON
// document, served by the client's operator, that describes the client.
// The authorization server fetches it instead of asking the client to
// register. Fetching URLs chosen by strangers is a server-side request
// forgery risk, so the fetch is narrow: HTTPS only, public addresses only
// (checked on the connected IP, so DNS tricks do not help), no redirects,
// a small body, a short timeout.
const (
	maxMetadataBytes   = 16 << 10
	metadataTimeout    = 5 * time.Second
	defaultMetadataTTL = 5 * time.Minute
	maxMetadataTTL     = 24 * time.Hour
	maxCachedDocuments = 1000
)

// PinnedClient is a client metadata document given in configuration, used
// instead of fetching its URL: for well-known clients whose documents a
// datacenter may not reach.
type PinnedClient struct {
	ClientID     string
	Name         string
	RedirectURIs []string
}

// metadataDocuments fetches, checks and caches client metadata documents.
type metadataDocuments struct {
	http   *http.Client
	pinned map[string]store.OAuthClient
	now    func() time.Time
	logger *slog.Logger

	mu       sync.Mutex
	cache    map[string]cachedDocument
	inflight map[string]chan struct{}
	// window and fetched bound uncached fetches per minute, whoever asks:
	// the server must not become a request reflector for strangers.
	window  time.Time
	fetched int
}

// cachedDocument is a checked document, or a failure remembered briefly so
// that asking again does not fetch again.
type cachedDocument struct {
	client  store.OAuthClient
	err     error
	expires time.Time
}

// Failures are remembered this long, and at most this many fetches start
// per minute.
const (
	failureTTL        = time.Minute
	maxFetchPerMinute = 60
)

// errDocument is what a caller is told about a document that could not be
// used: the reason (an address, a TLS or network error) goes to the log
// only, so the endpoint tells strangers nothing about the network.
var errDocument = errors.New("the client metadata document could not be fetched or is not valid")

// newMetadataDocuments returns a fetcher. client nil means a client that
// refuses non-public addresses; tests pass their own.
func newMetadataDocuments(client *http.Client, pinned []PinnedClient, now func() time.Time, logger *slog.Logger) *metadataDocuments {
	if client == nil {
		dialer := &net.Dialer{Timeout: metadataTimeout, Control: publicAddressesOnly}
		client = &http.Client{
			Timeout:   metadataTimeout,
			Transport: &http.Transport{DialContext: dialer.DialContext, TLSHandshakeTimeout: metadataTimeout, Proxy: nil},
		}
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errors.New("redirects are not followed") }
	m := &metadataDocuments{http: &c, pinned: map[string]store.OAuthClient{}, now: now, logger: logger,
		cache: map[string]cachedDocument{}, inflight: map[string]chan struct{}{}}
	for _, p := range pinned {
		m.pinned[p.ClientID] = metadataClient(p.ClientID, p.Name, p.RedirectURIs, []string{grantAuthorizationCode, "refresh_token"})
	}
	return m
}

// isMetadataURL reports whether a client_id is a metadata document URL:
// https, a path (not just "/"), no fragment, userinfo or dot segments.
func isMetadataURL(id string) bool {
	u, err := url.Parse(id)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Fragment != "" || strings.Contains(id, "#") {
		return false
	}
	if u.Path == "" || u.Path == "/" || u.RawQuery != "" {
		return false
	}
	// ASCII host names only: a lookalike in another script (сlaude.ai)
	// would otherwise read as the real one on the consent page.
	for i := 0; i < len(u.Host); i++ {
		if c := u.Host[i]; c >= 0x80 || c <= ' ' {
			return false
		}
	}
	for seg := range strings.SplitSeq(u.Path, "/") {
		if seg == "." || seg == ".." {
			return false
		}
	}
	return true
}

// client returns the client a metadata URL describes: pinned, cached, or
// fetched now. Concurrent requests for one URL share one fetch; a failure
// is remembered for failureTTL.
func (m *metadataDocuments) client(ctx context.Context, id string) (store.OAuthClient, error) {
	if c, ok := m.pinned[id]; ok {
		return c, nil
	}
	for attempt := 0; ; attempt++ {
		m.mu.Lock()
		now := m.now()
		if cached, ok := m.cache[id]; ok && now.Before(cached.expires) {
			m.mu.Unlock()
			return cached.client, cached.err
		}
		if done, ok := m.inflight[id]; ok && attempt == 0 {
			m.mu.Unlock()
			select {
			case <-done:
				continue
			case <-ctx.Done():
				return store.OAuthClient{}, errDocument
			}
		}
		if !m.budgetLocked(now) {
			m.mu.Unlock()
			m.logger.WarnContext(ctx, "client metadata document fetches over budget", "per_minute", maxFetchPerMinute)
			return store.OAuthClient{}, errDocument
		}
		done := make(chan struct{})
		m.inflight[id] = done
		m.mu.Unlock()

		c, ttl, err := m.fetch(ctx, id)
		if err != nil {
			m.logger.InfoContext(ctx, "client metadata document refused", "client_id", id, "err", err)
			c, err, ttl = store.OAuthClient{}, errDocument, failureTTL
		}
		m.mu.Lock()
		delete(m.inflight, id)
		if ttl > 0 {
			if len(m.cache) >= maxCachedDocuments {
				clear(m.cache) // bounded memory; refetching is cheap
			}
			m.cache[id] = cachedDocument{client: c, err: err, expires: m.now().Add(ttl)}
		}
		m.mu.Unlock()
		close(done)
		return c, err
	}
}

// budgetLocked spends one fetch of this minute's budget, if any is left.
// m.mu must be held.
func (m *metadataDocuments) budgetLocked(now time.Time) bool {
	if now.Sub(m.window) >= time.Minute {
		m.window, m.fetched = now, 0
	}
	if m.fetched >= maxFetchPerMinute {
		return false
	}
	m.fetched++
	return true
}

// fetch downloads and checks a document, returning how long it may be
// cached (0: not at all).
func (m *metadataDocuments) fetch(ctx context.Context, id string) (store.OAuthClient, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, metadataTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, id, nil)
	if err != nil {
		return store.OAuthClient{}, 0, fmt.Errorf("client metadata document: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := m.http.Do(req)
	if err != nil {
		return store.OAuthClient{}, 0, fmt.Errorf("fetch client metadata document: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return store.OAuthClient{}, 0, fmt.Errorf("client metadata document: the URL answered %s", resp.Status)
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return store.OAuthClient{}, 0, errors.New("client metadata document: not served as application/json")
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadataBytes+1))
	if err != nil {
		return store.OAuthClient{}, 0, fmt.Errorf("read client metadata document: %w", err)
	}
	if len(body) > maxMetadataBytes {
		return store.OAuthClient{}, 0, fmt.Errorf("client metadata document: larger than %d bytes", maxMetadataBytes)
	}
	c, err := parseMetadataDocument(id, body)
	if err != nil {
		return store.OAuthClient{}, 0, err
	}
	return c, cacheTTL(resp.Header.Get("Cache-Control")), nil
}

// parseMetadataDocument checks a document against its URL: it must name
// itself as client_id, be a public client (no secret exists to share) and
// register valid redirect URIs.
func parseMetadataDocument(id string, body []byte) (store.OAuthClient, error) {
	var doc struct {
		ClientID                string   `json:"client_id"`
		ClientName              string   `json:"client_name"`
		RedirectURIs            []string `json:"redirect_uris"`
		GrantTypes              []string `json:"grant_types"`
		TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
		ClientSecret            *string  `json:"client_secret"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return store.OAuthClient{}, errors.New("client metadata document: not a JSON object of client metadata")
	}
	switch {
	case doc.ClientID != id:
		return store.OAuthClient{}, errors.New("client metadata document: its client_id is not its own URL")
	case doc.ClientSecret != nil:
		return store.OAuthClient{}, errors.New("client metadata document: it must not contain a client_secret")
	case doc.TokenEndpointAuthMethod != "" && doc.TokenEndpointAuthMethod != authMethodNone:
		return store.OAuthClient{}, errors.New("client metadata document: token_endpoint_auth_method must be none")
	case len(doc.RedirectURIs) == 0:
		return store.OAuthClient{}, errors.New("client metadata document: redirect_uris is missing")
	}
	for _, u := range doc.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return store.OAuthClient{}, fmt.Errorf("client metadata document: %w", err)
		}
	}
	grants := []string{grantAuthorizationCode}
	for _, g := range doc.GrantTypes {
		if g != grantAuthorizationCode && g != "refresh_token" {
			return store.OAuthClient{}, fmt.Errorf("client metadata document: grant type %q is not supported for such clients", g)
		}
		if g == "refresh_token" {
			grants = append(grants, g)
		}
	}
	return metadataClient(id, doc.ClientName, doc.RedirectURIs, grants), nil
}

func metadataClient(id, name string, redirects, grants []string) store.OAuthClient {
	return store.OAuthClient{
		ID: id, Name: name, RedirectURIs: redirects, GrantTypes: grants,
		ResponseTypes: []string{"code"}, TokenEndpointAuthMethod: authMethodNone, RegisteredFrom: "metadata document",
	}
}

// cacheTTL reads how long a response may be cached: max-age, bounded;
// nothing for no-store or no-cache; a default otherwise.
func cacheTTL(header string) time.Duration {
	ttl := defaultMetadataTTL
	for d := range strings.SplitSeq(header, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(strings.ToLower(d)), "=")
		switch name {
		case "no-store", "no-cache":
			return 0
		case "max-age":
			if n, err := strconv.Atoi(strings.Trim(value, `"`)); err == nil && n >= 0 {
				ttl = time.Duration(n) * time.Second
			}
		}
	}
	return min(ttl, maxMetadataTTL)
}

// publicAddressesOnly refuses connections to anything but public unicast
// addresses: loopback, private, link-local, multicast, unspecified,
// carrier-grade NAT, benchmarking, reserved and IETF-assigned ranges, also
// when wrapped in IPv6 (IPv4-mapped, -compatible, NAT64, 6to4). A metadata
// URL must not reach into skillgate's own network. It runs on the address
// actually dialled, after DNS resolution.
func publicAddressesOnly(_, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return err
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return err
	}
	if !publicAddress(ip) {
		return fmt.Errorf("client metadata documents are not fetched from non-public address %s", ip)
	}
	return nil
}

// nonPublic are ranges publicAddress refuses beyond what netip classifies.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2001::/23"),
}

// Prefixes of IPv6 addresses that carry an IPv4 address.
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	compatV4   = netip.MustParsePrefix("::/96")
)

func publicAddress(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip), nat64Local.Contains(ip), compatV4.Contains(ip):
			return publicAddress(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return publicAddress(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	if !ip.IsGlobalUnicast() || ip.IsPrivate() || ip.IsLoopback() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}
