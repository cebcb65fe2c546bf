package oauth

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// docServer serves client metadata documents over TLS on 127.0.0.1 and
// counts fetches. handler, if set, answers instead of the document.
type docServer struct {
	srv     *httptest.Server
	fetches atomic.Int64
	doc     func(url string) map[string]any
	header  http.Header
	handler http.HandlerFunc
}

func newDocServer(t testing.TB) *docServer {
	d := &docServer{header: http.Header{"Content-Type": {"application/json"}}}
	d.doc = func(url string) map[string]any {
		return map[string]any{"client_id": url, "client_name": "Doc Client", "redirect_uris": []string{"http://127.0.0.1/callback"},
			"grant_types": []string{"authorization_code", "refresh_token"}, "token_endpoint_auth_method": "none"}
	}
	d.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.fetches.Add(1)
		if d.handler != nil {
			d.handler(w, r)
			return
		}
		for k, v := range d.header {
			w.Header()[k] = v
		}
		_ = json.NewEncoder(w).Encode(d.doc(d.srv.URL + r.URL.Path))
	}))
	t.Cleanup(d.srv.Close)
	return d
}

func withDocuments(d *docServer, pinned ...PinnedClient) func(*Options) {
	return func(o *Options) {
		o.ClientMetadataDocuments = true
		o.MetadataHTTPClient = d.srv.Client()
		o.PinnedClients = pinned
	}
}

func TestMetadataDocumentLogin(t *testing.T) {
	d := newDocServer(t)
	ts := newTestServer(t, withDocuments(d))
	c := testClient{ID: d.srv.URL + "/oauth/client.json", RedirectURI: "http://127.0.0.1:43123/callback", AuthMethod: authMethodNone}
	// Loopback redirect URIs of a document match on any port.
	tokens := ts.redeem(t, c, ts.login(t, login{Client: c}))
	p := ts.mustVerify(t, tokens.AccessToken)
	if p.Source == "" || tokens.RefreshToken == "" {
		t.Fatalf("login with a metadata document client: %+v", tokens)
	}
	before := d.fetches.Load()
	ts.redeem(t, c, ts.login(t, login{Client: c}))
	if d.fetches.Load() != before {
		t.Errorf("the document was fetched again within its cache lifetime")
	}
}

func TestMetadataDocumentRefusals(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *docServer)
	}{
		{"client_id is not its URL", func(d *docServer) {
			d.doc = func(string) map[string]any {
				return map[string]any{"client_id": "https://elsewhere.example/client.json", "redirect_uris": []string{"http://127.0.0.1/callback"}}
			}
		}},
		{"carries a secret", func(d *docServer) {
			base := d.doc
			d.doc = func(u string) map[string]any { m := base(u); m["client_secret"] = "s3cret"; return m }
		}},
		{"secret-based auth method", func(d *docServer) {
			base := d.doc
			d.doc = func(u string) map[string]any {
				m := base(u)
				m["token_endpoint_auth_method"] = "client_secret_basic"
				return m
			}
		}},
		{"redirect URI not in the document", func(d *docServer) {
			base := d.doc
			d.doc = func(u string) map[string]any {
				m := base(u)
				m["redirect_uris"] = []string{"https://app.example/cb"}
				return m
			}
		}},
		{"not JSON", func(d *docServer) { d.header = http.Header{"Content-Type": {"text/plain"}} }},
		{"too large", func(d *docServer) {
			base := d.doc
			d.doc = func(u string) map[string]any {
				m := base(u)
				m["client_name"] = strings.Repeat("x", maxMetadataBytes)
				return m
			}
		}},
		{"redirect not followed", func(d *docServer) {
			d.handler = func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/other.json", http.StatusFound)
			}
		}},
		{"error status", func(d *docServer) {
			d.handler = func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "gone", http.StatusNotFound) }
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDocServer(t)
			tt.edit(d)
			ts := newTestServer(t, withDocuments(d))
			c := testClient{ID: d.srv.URL + "/client.json", RedirectURI: "http://127.0.0.1:43123/callback"}
			_, challenge := newPKCE()
			resp, body := ts.newBrowser(t).authorize(t, authorizeQuery(c, challenge))
			checkErrorPage(t, resp, body, http.StatusBadRequest)
		})
	}
}

func TestPinnedMetadataDocument(t *testing.T) {
	d := newDocServer(t)
	d.handler = func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "unreachable", http.StatusServiceUnavailable)
	}
	pinned := PinnedClient{ClientID: "https://claude.ai/oauth/mcp-oauth-client-metadata", Name: "Claude",
		RedirectURIs: []string{"https://claude.ai/api/mcp/auth_callback"}}
	ts := newTestServer(t, withDocuments(d, pinned))
	c := testClient{ID: pinned.ClientID, RedirectURI: "https://claude.ai/api/mcp/auth_callback", AuthMethod: authMethodNone}
	ts.redeem(t, c, ts.login(t, login{Client: c}))
	if d.fetches.Load() != 0 {
		t.Error("a pinned document was fetched")
	}
}

func TestIsMetadataURL(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"https://app.example/oauth/client.json", true},
		{"https://app.example", false},
		{"https://app.example/", false},
		{"http://app.example/client.json", false},
		{"https://user@app.example/client.json", false},
		{"https://app.example/a/../client.json", false},
		{"https://app.example/client.json#x", false},
		{"cl_abc", false},
		{"https://сlaude.ai/oauth/client", false}, // Cyrillic lookalike
		{"https://app.example/client.json?v=1", false},
	}
	for _, tt := range tests {
		if got := isMetadataURL(tt.id); got != tt.want {
			t.Errorf("isMetadataURL(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

func TestCacheTTL(t *testing.T) {
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", defaultMetadataTTL},
		{"max-age=60", time.Minute},
		{"public, max-age=600", 10 * time.Minute},
		{"no-store", 0},
		{"no-cache", 0},
		{"max-age=99999999", maxMetadataTTL},
	}
	for _, tt := range tests {
		if got := cacheTTL(tt.header); got != tt.want {
			t.Errorf("cacheTTL(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestPublicAddressesOnly(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"93.184.215.14:443", true},
		{"[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443", true},
		{"127.0.0.1:443", false},
		{"10.1.2.3:443", false},
		{"172.16.0.1:443", false},
		{"192.168.1.1:443", false},
		{"169.254.169.254:80", false}, // cloud metadata service
		{"100.64.0.1:443", false},
		{"0.0.0.0:443", false},
		{"[::1]:443", false},
		{"[fe80::1]:443", false},
		{"[fd00::1]:443", false},
		{"[::ffff:127.0.0.1]:443", false},
		{"[64:ff9b::a9fe:a9fe]:80", false}, // NAT64 of 169.254.169.254
		{"[64:ff9b::5db8:d70e]:443", true}, // NAT64 of a public address
		{"[::a00:1]:443", false},           // IPv4-compatible 10.0.0.1
		{"[2002:a00:1::]:443", false},      // 6to4 of 10.0.0.1
		{"0.1.2.3:443", false},
		{"192.0.0.1:443", false},
		{"198.18.0.1:443", false},
		{"240.0.0.1:443", false},
		{"255.255.255.255:443", false},
	}
	for _, tt := range tests {
		if err := publicAddressesOnly("tcp", tt.addr, nil); (err == nil) != tt.ok {
			t.Errorf("publicAddressesOnly(%s) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
}

// TestDefaultFetcherRefusesLoopback: without a test client, a document on
// a loopback address is never fetched, whatever its URL's host says.
func TestDefaultFetcherRefusesLoopback(t *testing.T) {
	d := newDocServer(t)
	var logs strings.Builder
	m := newMetadataDocuments(nil, nil, time.Now, slog.New(slog.NewTextHandler(&logs, nil)))
	_, err := m.client(t.Context(), d.srv.URL+"/client.json")
	if !errors.Is(err, errDocument) || strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("fetching from 127.0.0.1: err = %v, want the generic refusal, naming no address", err)
	}
	if !strings.Contains(logs.String(), "non-public") {
		t.Fatalf("the reason was not logged: %s", logs.String())
	}
	if d.fetches.Load() != 0 {
		t.Error("the loopback server was reached")
	}
}

// TestMetadataFetchesAreShared: concurrent requests for one URL make one
// fetch, and a failure is remembered, so strangers cannot make the server
// fetch at will.
func TestMetadataFetchesAreShared(t *testing.T) {
	d := newDocServer(t)
	gate := make(chan struct{})
	d.handler = func(w http.ResponseWriter, r *http.Request) {
		<-gate
		http.Error(w, "nope", http.StatusNotFound)
	}
	m := newMetadataDocuments(d.srv.Client(), nil, time.Now, slog.New(slog.DiscardHandler))
	id := d.srv.URL + "/client.json"
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if _, err := m.client(t.Context(), id); !errors.Is(err, errDocument) {
				t.Errorf("err = %v, want errDocument", err)
			}
		})
	}
	close(gate)
	wg.Wait()
	for range 5 {
		_, _ = m.client(t.Context(), id)
	}
	if n := d.fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for 25 requests of one failing URL, want 1", n)
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Claude", "Claude"},
		{"Claude (claude.ai)\u202e", "Claude (claude.ai)"},
		{"a\x00b\nc", "abc"},
		{strings.Repeat("x", 100), strings.Repeat("x", maxNameRunes) + "…"},
	}
	for _, tt := range tests {
		if got := displayName(tt.in); got != tt.want {
			t.Errorf("displayName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
