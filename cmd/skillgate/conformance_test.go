package main

import (
	"bufio"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
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
