package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/conformance"
)

// conformanceBaselineFile lists the scenarios of the MCP conformance suite
// that skillgate is expected to fail, each with the reason.
const conformanceBaselineFile = "testdata/conformance-baseline.txt"

// conformanceRequired are scenarios skillgate must pass: they test the
// protocol and transport, not the suite's own fixture tools, resources and
// prompts. They can never be baselined.
var conformanceRequired = []string{
	"server-initialize",
	"ping",
	"tools-list",
	"resources-list",
	"prompts-list",
	"logging-set-level",
	"server-sse-multiple-streams",
	"dns-rebinding-protection",
}

// TestConformanceServerScenarios runs the official MCP conformance suite's
// server scenarios against a real skillgate. Every scenario must pass except
// those in the baseline, which must fail: a baseline entry that starts
// passing fails the test too, so the baseline stays honest.
func TestConformanceServerScenarios(t *testing.T) {
	baseline := readConformanceBaseline(t)
	for _, name := range conformanceRequired {
		if _, ok := baseline[name]; ok {
			t.Fatalf("%s: %s is a protocol scenario skillgate must pass; it cannot be in the baseline", conformanceBaselineFile, name)
		}
	}

	ts := newTestServer(t, testServerOptions{})
	proxy := startBearerProxy(t, ts.baseURL, testKeys["admin"])
	run := conformance.RunServer(t, proxy+"/mcp", conformance.ServerOptions{})

	for _, name := range conformanceRequired {
		if _, ok := run.Result(name); !ok {
			t.Errorf("required scenario %s did not run (suite %s renamed or dropped it?)", name, conformance.Version)
		}
	}
	for name := range baseline {
		if _, ok := run.Result(name); !ok {
			t.Errorf("%s lists %s, which the suite (%s) did not run; remove it", conformanceBaselineFile, name, conformance.Version)
		}
	}

	var passed, expected []string
	for _, res := range run.Results {
		_, baselined := baseline[res.Scenario]
		switch {
		case res.Passed() && baselined:
			t.Errorf("scenario %s now passes: remove it from %s", res.Scenario, conformanceBaselineFile)
		case res.Passed():
			passed = append(passed, res.Scenario)
		case baselined:
			expected = append(expected, res.Scenario)
		default:
			kind := "scenario %s (not in " + conformanceBaselineFile + ") failed"
			if slices.Contains(conformanceRequired, res.Scenario) {
				kind = "required protocol scenario %s failed"
			}
			t.Errorf(kind+":\n%s\nsuite output for %s:\n%s", res.Scenario, res.Failures(), res.Scenario, res.Output)
		}
	}
	t.Logf("conformance %s: %d scenarios passed %v; %d failed as the baseline expects %v",
		conformance.Version, len(passed), passed, len(expected), expected)
	if t.Failed() {
		t.Logf("skillgate output:\n%s", ts.logs.String())
	}
	ts.assertNoSecretsLogged(t)
}

// readConformanceBaseline parses the baseline: one scenario per line, then
// a "#" comment saying why skillgate fails it; blank and comment-only lines
// are ignored.
func readConformanceBaseline(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.FromSlash(conformanceBaselineFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, why, _ := strings.Cut(line, "#")
		name, why = strings.TrimSpace(name), strings.TrimSpace(why)
		if strings.ContainsAny(name, " \t") || why == "" {
			t.Fatalf("%s:%d: want `scenario-name  # why skillgate fails it`, got %q", conformanceBaselineFile, n, line)
		}
		if _, dup := entries[name]; dup {
			t.Fatalf("%s:%d: %s is listed twice", conformanceBaselineFile, n, name)
		}
		entries[name] = why
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return entries
}

// startBearerProxy starts a reverse proxy on 127.0.0.1 in front of target
// that adds "Authorization: Bearer key" to every request, for clients (such
// as the conformance suite) that cannot send a key. Host and Origin reach
// target as the client sent them, so target's DNS rebinding defences judge
// what the client sent. It returns the proxy's base URL.
func startBearerProxy(t *testing.T, target, key string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(u)
			r.Out.Host = r.In.Host // SetURL would put target's host there
			r.Out.Header.Set("Authorization", "Bearer "+key)
		},
		// Stream responses (SSE) as they are written.
		FlushInterval: -1,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestConformanceAuthorizationServer runs the conformance suite's
// authorization server scenarios (pre-release conformance.NextVersion)
// against skillgate's OAuth server: its metadata, and a whole code grant
// by a public client with PKCE. The suite prints the authorization URL for a
// person to open; the test plays the person on skillgate's sign-in and
// consent pages and delivers the code to the suite's callback server. Both
// scenarios must pass, with nothing skipped or warned.
func TestConformanceAuthorizationServer(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	base := ts.baseURL
	browser := newOAuthClient(t, base)
	_, key := createKeyOverREST(t, ts, `{"name":"conformance-as","roles":["analyst"],"user":"ada"}`)

	// The suite's callback server listens on 127.0.0.1:<port>/callback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	redirect := "http://127.0.0.1:" + strconv.Itoa(port) + conformance.CallbackPath
	var reg struct {
		ClientID string `json:"client_id"`
	}
	browser.do(http.MethodPost, "/register", "application/json",
		`{"client_name":"MCP conformance suite","redirect_uris":["`+redirect+`"],"token_endpoint_auth_method":"none",`+
			`"grant_types":["authorization_code"],"response_types":["code"]}`,
		http.StatusCreated, &reg)

	suite := conformance.StartAuthorization(t, conformance.AuthorizationOptions{
		URL: base, ClientID: reg.ClientID, Resource: base + "/mcp", Port: port, Timeout: 3 * time.Minute,
	})
	suite.WaitForLine(t, "Access the following URL", time.Minute)
	authorizeURL := strings.TrimSpace(suite.NextLine(t, 10*time.Second))
	if !strings.HasPrefix(authorizeURL, base+"/authorize?") {
		t.Fatalf("the suite printed %q where the authorization URL should be", authorizeURL)
	}
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	t.Logf("the suite's authorization request: %s", q.Encode())
	if q.Get("redirect_uri") != redirect || q.Get("client_id") != reg.ClientID || q.Get("code_challenge_method") != "S256" {
		t.Fatalf("authorization request %q: want redirect_uri %s, client_id %s, code_challenge_method S256", authorizeURL, redirect, reg.ClientID)
	}
	askedScope := q.Has("scope")

	callback := browser.approve(authorizeURL, key)
	if !strings.HasPrefix(callback, redirect+"?") {
		t.Fatalf("skillgate sent the browser to %q, want the suite's callback %s", callback, redirect)
	}
	// The browser arrives at the suite's callback server, which starts
	// listening as the suite prints the URL: allow it a moment.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var resp *http.Response
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, callback, nil)
		if resp, err = http.DefaultClient.Do(req); err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("GET the suite's callback %s: %v", redirect, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the suite's callback answered %d: %s", resp.StatusCode, body)
	}

	run := suite.Wait(t)
	for _, name := range []string{conformance.ScenarioAuthorizationServerMetadata, conformance.ScenarioAuthorizationCodeGrant} {
		res, ok := run.Result(name)
		if !ok {
			t.Errorf("scenario %s did not run (suite %s renamed or dropped it?)", name, conformance.NextVersion)
			continue
		}
		// Failures lists failed and warned checks; skipped (or any other
		// non-success) checks fail this test too.
		var bad []string
		for _, c := range res.Checks {
			if c.Status != conformance.StatusSuccess && c.Status != conformance.StatusFailure && c.Status != conformance.StatusWarning {
				bad = append(bad, "  "+c.Status+" ["+c.ID+"] "+c.Description+": "+c.ErrorMessage+"\n")
			}
		}
		if !res.Passed() || len(bad) > 0 {
			t.Errorf("scenario %s did not pass:\n%s%s\nsuite output for %s:\n%s",
				name, res.Failures(), strings.Join(bad, ""), name, res.Output)
		}
	}
	res, _ := run.Result(conformance.ScenarioAuthorizationCodeGrant)
	if !t.Failed() && len(res.Checks) == 1 {
		// The suite redacts the tokens but keeps the rest of the token
		// response: with no scope asked, skillgate grants its defaults.
		var details struct {
			Body json.RawMessage `json:"body"`
		}
		var token struct {
			TokenType string `json:"token_type"`
			Scope     string `json:"scope"`
		}
		if err := json.Unmarshal(res.Checks[0].Details, &details); err != nil || json.Unmarshal(details.Body, &token) != nil {
			t.Fatalf("details of %s: want the token response body: %s", res.Scenario, res.Checks[0].Details)
		}
		if token.TokenType != "Bearer" {
			t.Errorf("token_type %q, want Bearer", token.TokenType)
		}
		if !askedScope && token.Scope != "skills:read skills:execute" {
			t.Errorf("the suite asked for no scope; skillgate granted %q, want its default %q",
				token.Scope, "skills:read skills:execute")
		}
		t.Logf("token response (tokens redacted by the suite): %s", details.Body)
	}
	t.Logf("conformance %s authorization: %d scenarios ran", conformance.NextVersion, len(run.Results))
	if t.Failed() {
		t.Logf("skillgate output:\n%s", ts.logs.String())
	}
	ts.assertNoSecretsLogged(t)
}
