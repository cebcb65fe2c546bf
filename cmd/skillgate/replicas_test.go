package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skillgate/skillgate/internal/pgtest"
)

// replicaConfig is the configuration of the deployment the README
// describes: replicas behind a load balancer whose URL is the public one,
// sharing one PostgreSQL database, with stateless MCP sessions. The same
// file serves every replica.
const replicaConfig = `
server:
  public_url: %s
  sessions: %s
storage:
  driver: postgres
  dsn: %s
auth:
  api_keys:
    enabled: true
    keys:
      - key: %s
        name: admin-service
        roles: [admin]
  oauth:
    enabled: true
personas:
  definitions:
    admin:
      roles: [admin]
      priority: 100
      tools: {allow: ["*"]}
      skills: {allow: ["*"]}
      scopes: [admin]
    dev:
      roles: [dev]
      priority: 50
      tools: {allow: ["*"]}
      skills: {allow: ["*"]}
      scopes: [skills:read, skills:execute]
`

// revocationBound is the time within which a replica refuses a key revoked
// or rotated on another: postgres.DefaultVersionMaxAge.
const revocationBound = time.Second

// balancer is a round-robin HTTP load balancer on 127.0.0.1, as the
// deployment puts in front of the replicas. Every request goes to the next
// replica in turn, so consecutive requests of one client land on
// different replicas.
type balancer struct {
	url      string
	backends atomic.Pointer[[]*url.URL]
	next     atomic.Uint64
	served   sync.Map // backend host → *atomic.Int64
}

func newBalancer(t *testing.T) *balancer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &balancer{url: "http://" + ln.Addr().String()}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			backends := *b.backends.Load()
			u := backends[b.next.Add(1)%uint64(len(backends))]
			n, _ := b.served.LoadOrStore(u.Host, new(atomic.Int64))
			n.(*atomic.Int64).Add(1)
			r.SetURL(u)
			r.SetXForwarded()
		},
		FlushInterval: -1, // SSE
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return b
}

func (b *balancer) route(urls ...string) {
	var us []*url.URL
	for _, s := range urls {
		u, _ := url.Parse(s)
		us = append(us, u)
	}
	b.backends.Store(&us)
}

func (b *balancer) servedBy(baseURL string) int64 {
	u, _ := url.Parse(baseURL)
	n, ok := b.served.Load(u.Host)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

// replicas is two skillgate server processes on one PostgreSQL schema
// behind a balancer.
type replicas struct {
	lb   *balancer
	a, b *serverProcess
}

func startReplicas(t *testing.T, sessions string) *replicas {
	t.Helper()
	dsn := pgtest.Schema(t)
	lb := newBalancer(t)
	cfg := filepath.Join(t.TempDir(), "platform.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, replicaConfig, lb.url, sessions, dsn, testKeys["admin"]), 0o600); err != nil {
		t.Fatal(err)
	}
	// Started together: the schema is empty, so both migrate at once and
	// the advisory lock makes one wait for the other.
	r := replicas{a: launchServerProcess(t, "--config", cfg), b: launchServerProcess(t, "--config", cfg)}
	for _, p := range []*serverProcess{r.a, r.b} {
		if err := p.waitListening(); err != nil {
			t.Fatal(err)
		}
	}
	lb.route(r.a.baseURL, r.b.baseURL)
	r.lb = lb
	return &r
}

// adminRequest sends a REST request with the admin key to one replica and
// decodes the JSON answer into out.
func adminRequest(t *testing.T, method, url, body string, want int, out any) {
	t.Helper()
	resp := rawRequest(t, method, url, testKeys["admin"], "", body)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, url, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, url, err, raw)
		}
	}
}

type createdKey struct {
	Key struct {
		ID string `json:"id"`
	} `json:"key"`
	Secret string `json:"secret"`
}

func createKeyAt(t *testing.T, baseURL, body string) createdKey {
	t.Helper()
	var k createdKey
	adminRequest(t, http.MethodPost, baseURL+"/v1/api-keys", body, http.StatusCreated, &k)
	return k
}

// TestReplicas runs two server processes on one PostgreSQL database and
// checks every rule that must hold across them.
func TestReplicas(t *testing.T) {
	r := startReplicas(t, "stateless")

	t.Run("stateless sessions through the balancer", func(t *testing.T) {
		k := createKeyAt(t, r.a.baseURL, `{"name":"lb","user":"alice","roles":["dev"]}`)
		before := r.lb.servedBy(r.a.baseURL) + r.lb.servedBy(r.b.baseURL)
		c := connect(t, &testServer{baseURL: r.lb.url}, streamableLegacy, k.Secret)
		for range 4 {
			res, err := callTool(t, c, "list_skills", nil)
			if err != nil || res.IsError {
				t.Fatalf("list_skills through the balancer: %v %v", err, res)
			}
		}
		if r.lb.servedBy(r.a.baseURL) == 0 || r.lb.servedBy(r.b.baseURL) == 0 ||
			r.lb.servedBy(r.a.baseURL)+r.lb.servedBy(r.b.baseURL)-before < 5 {
			t.Fatalf("the session was not spread over both replicas: a %d, b %d",
				r.lb.servedBy(r.a.baseURL), r.lb.servedBy(r.b.baseURL))
		}
		resp := rawRequest(t, http.MethodGet, r.lb.url+"/mcp", k.Secret, "", "")
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodPost {
			t.Fatalf("GET /mcp without sessions: %d (Allow %q), want 405 (Allow POST)", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})

	t.Run("revocation reaches the other replica", func(t *testing.T) {
		k := createKeyAt(t, r.a.baseURL, `{"name":"revoked","user":"alice","roles":["dev"]}`)
		if got := initializeStatus(t, r.b.baseURL, k.Secret); got != http.StatusOK {
			t.Fatalf("replica b before the revocation: %d", got)
		}
		adminRequest(t, http.MethodPost, r.a.baseURL+"/v1/api-keys/"+k.Key.ID+"/revoke", "", http.StatusOK, nil)
		// The contract, checked once without polling: one bound after
		// the revocation committed, the other replica refuses.
		time.Sleep(revocationBound)
		if got := initializeStatus(t, r.b.baseURL, k.Secret); got != http.StatusUnauthorized {
			t.Fatalf("replica b %v after the revocation: %d, want 401", revocationBound, got)
		}
		t.Logf("propagation of a revocation, measured: %v", measurePropagation(t, r))
	})

	t.Run("rotation reaches the other replica", func(t *testing.T) {
		k := createKeyAt(t, r.a.baseURL, `{"name":"rotated","user":"alice","roles":["dev"]}`)
		if got := initializeStatus(t, r.b.baseURL, k.Secret); got != http.StatusOK {
			t.Fatalf("replica b before the rotation: %d", got)
		}
		var rotated createdKey
		adminRequest(t, http.MethodPost, r.a.baseURL+"/v1/api-keys/"+k.Key.ID+"/rotate", `{"grace_period":"0s"}`, http.StatusCreated, &rotated)
		time.Sleep(revocationBound)
		if got := initializeStatus(t, r.b.baseURL, k.Secret); got != http.StatusUnauthorized {
			t.Fatalf("the rotated-away secret on replica b: %d, want 401", got)
		}
		if got := initializeStatus(t, r.b.baseURL, rotated.Secret); got != http.StatusOK {
			t.Fatalf("the new secret on replica b: %d, want 200", got)
		}
	})

	t.Run("monthly quota is exact across replicas", func(t *testing.T) {
		const quota, callers = 12, 30
		k := createKeyAt(t, r.a.baseURL, fmt.Sprintf(`{"name":"quota","user":"alice","roles":["dev"],"monthly_execution_quota":%d}`, quota))
		var ran, refused atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for i := range callers {
			base := r.a.baseURL
			if i%2 == 1 {
				base = r.b.baseURL
			}
			wg.Go(func() {
				text, isErr, err := tryGreet(base, k.Secret)
				switch {
				case err != nil:
					errs <- err
				case !isErr:
					ran.Add(1)
				case strings.Contains(text, "quota"):
					refused.Add(1)
				default:
					errs <- fmt.Errorf("unexpected tool error: %s", text)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if ran.Load() != quota || refused.Load() != callers-quota {
			t.Fatalf("%d ran, %d refused for quota; want %d and %d", ran.Load(), refused.Load(), quota, callers-quota)
		}
		var got struct {
			Usage int64 `json:"current_month_usage"`
		}
		adminRequest(t, http.MethodGet, r.b.baseURL+"/v1/api-keys/"+k.Key.ID, "", http.StatusOK, &got)
		if got.Usage != quota {
			t.Fatalf("recorded usage %d, want %d", got.Usage, quota)
		}
	})

	t.Run("rate limit holds for the sum of the replicas", func(t *testing.T) {
		// 4 a minute: one more request every 15 s, far longer than the
		// burst takes even on a loaded machine.
		const limit, requests = 4, 40
		k := createKeyAt(t, r.a.baseURL, fmt.Sprintf(`{"name":"rate","user":"alice","roles":["dev"],"rate_limit_per_minute":%d}`, limit))
		var ok, limited atomic.Int64
		var wg sync.WaitGroup
		for i := range requests {
			base := r.a.baseURL
			if i%2 == 1 {
				base = r.b.baseURL
			}
			wg.Go(func() {
				switch got, err := tryInitialize(base, k.Secret); {
				case err != nil:
					t.Error(err)
				case got == http.StatusOK:
					ok.Add(1)
				case got == http.StatusTooManyRequests:
					limited.Add(1)
				default:
					t.Errorf("status %d", got)
				}
			})
		}
		wg.Wait()
		if ok.Load() != limit || limited.Load() != requests-limit {
			t.Fatalf("%d allowed, %d limited; want %d and %d", ok.Load(), limited.Load(), limit, requests-limit)
		}
	})

	t.Run("authorization code is redeemed once in total", func(t *testing.T) {
		c := newOAuthClient(t, r.lb.url)
		code, verifier := c.authorizationCode(testKeys["admin"])
		form := url.Values{
			"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect},
			"client_id": {c.clientID}, "code_verifier": {verifier}, "resource": {r.lb.url + "/mcp"},
		}.Encode()
		statuses := make(chan int, 2)
		var wg sync.WaitGroup
		for _, base := range []string{r.a.baseURL, r.b.baseURL} {
			wg.Go(func() {
				resp, err := http.Post(base+"/token", "application/x-www-form-urlencoded", strings.NewReader(form))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			})
		}
		wg.Wait()
		close(statuses)
		var won, lost int
		var all []int
		for s := range statuses {
			all = append(all, s)
			switch s {
			case http.StatusOK:
				won++
			case http.StatusBadRequest:
				lost++
			}
		}
		// At most one redemption issues tokens. The other is a replay,
		// which revokes the code's grant: if it lands before the first
		// has issued its refresh token, that one is refused too. Neither
		// may be a server failure.
		if won > 1 || won+lost != 2 {
			t.Fatalf("%d redemptions succeeded and %d failed (statuses %v); want at most 1 success and the rest invalid_grant", won, lost, all)
		}
	})

	t.Run("refresh token reuse is detected on the other replica", func(t *testing.T) {
		c := newOAuthClient(t, r.lb.url)
		first := c.login(testKeys["admin"])
		at := func(base string) *oauthClient { cc := *c; cc.base = base; return &cc }
		second := at(r.a.baseURL).refresh(first.RefreshToken, http.StatusOK)
		third := at(r.a.baseURL).refresh(second.RefreshToken, http.StatusOK)
		// The first token, two generations old, presented to replica b.
		at(r.b.baseURL).refresh(first.RefreshToken, http.StatusBadRequest)
		at(r.a.baseURL).refresh(third.RefreshToken, http.StatusBadRequest)
		time.Sleep(revocationBound)
		if got := initializeStatus(t, r.a.baseURL, third.AccessToken); got != http.StatusUnauthorized {
			t.Fatalf("an access token of the revoked family on replica a: %d, want 401", got)
		}
	})
}

// measurePropagation revokes a key on replica a and polls replica b until
// it refuses the key, returning how long that took. It is reported, not
// asserted.
func measurePropagation(t *testing.T, r *replicas) time.Duration {
	t.Helper()
	k := createKeyAt(t, r.a.baseURL, `{"name":"measured","user":"alice","roles":["dev"]}`)
	if got := initializeStatus(t, r.b.baseURL, k.Secret); got != http.StatusOK {
		t.Fatalf("replica b before the revocation: %d", got)
	}
	adminRequest(t, http.MethodPost, r.a.baseURL+"/v1/api-keys/"+k.Key.ID+"/revoke", "", http.StatusOK, nil)
	start := time.Now()
	for range 1000 {
		if initializeStatus(t, r.b.baseURL, k.Secret) == http.StatusUnauthorized {
			return time.Since(start)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("replica b never refused the revoked key")
	return 0
}

// TestStatefulSessionsNeedAffinity shows why stateful sessions need a
// balancer that keeps a client on one replica: a session opened on one
// replica is unknown to the other, which answers 404 so that the client
// starts a new session (as the MCP transport specification says).
func TestStatefulSessionsNeedAffinity(t *testing.T) {
	storage := "storage:\n  driver: postgres\n  dsn: " + pgtest.Schema(t) + "\n"
	a := newTestServer(t, testServerOptions{storage: storage, server: "  sessions: stateful\n"})
	b := newTestServer(t, testServerOptions{storage: storage, server: "  sessions: stateful\n"})
	key := testKeys["viewer"]

	resp := rawRequest(t, http.MethodPost, a.baseURL+"/mcp", key, "",
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"`+legacyVersion+`","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`)
	resp.Body.Close()
	session := resp.Header.Get("Mcp-Session-Id")
	if resp.StatusCode != http.StatusOK || session == "" {
		t.Fatalf("initialize on replica a: %d, session %q", resp.StatusCode, session)
	}
	list := `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	resp = rawRequest(t, http.MethodPost, b.baseURL+"/mcp", key, session, list)
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var body struct {
		Error       string   `json:"error"`
		Suggestions []string `json:"suggestions"`
	}
	if resp.StatusCode != http.StatusNotFound || json.Unmarshal(raw, &body) != nil ||
		len(body.Suggestions) == 0 || !strings.Contains(body.Suggestions[0], "initialize") {
		t.Fatalf("replica b with a's session: %d %s; want 404 telling the client to initialize", resp.StatusCode, raw)
	}
	resp = rawRequest(t, http.MethodPost, a.baseURL+"/mcp", key, session, list)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replica a with its own session: %d", resp.StatusCode)
	}
}

// tryInitialize sends an initialize with key and returns the status. It
// does not fail the test, so goroutines may call it.
func tryInitialize(baseURL, key string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, baseURL+"/mcp", strings.NewReader(
		`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}`))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// tryGreet runs the bundled hello-world script with key over a new client
// and returns the tool's text and whether it was an error. It does not fail
// the test, so goroutines may call it.
func tryGreet(baseURL, key string) (text string, isErr bool, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := client.NewStreamableHttpClient(baseURL+"/mcp", transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + key}))
	if err != nil {
		return "", false, err
	}
	defer c.Close()
	if err := c.Start(ctx); err != nil {
		return "", false, err
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.ProtocolVersion20251125
	init.Params.ClientInfo = mcp.Implementation{Name: "replica-test", Version: "1"}
	if _, err := c.Initialize(ctx, init); err != nil {
		return "", false, fmt.Errorf("initialize: %w", err)
	}
	req := mcp.CallToolRequest{}
	req.Params.Name = "run_skill_script"
	req.Params.Arguments = map[string]any{"skill_id": "shared/hello-world", "script": "scripts/greet.sh"}
	res, err := c.CallTool(ctx, req)
	if err != nil {
		return "", false, fmt.Errorf("run_skill_script: %w", err)
	}
	return resultText(res), res.IsError, nil
}
