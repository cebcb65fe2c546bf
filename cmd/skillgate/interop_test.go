package main

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/testclients"
)

// skillTools are the tools every persona allowed to use skills sees.
var skillTools = []string{"get_skill", "list_skills", "read_skill_file", "run_skill_script"}

// sdkOAuthResults is the JSON line of internal/testclients/sdk-oauth.mjs.
type sdkOAuthResults struct {
	Transport            string   `json:"transport"`
	Error                string   `json:"error"`
	Registered           bool     `json:"registered"`
	Authorizations       int      `json:"authorizations"`
	IssuerChecked        bool     `json:"issuer_checked"`
	StateChecked         bool     `json:"state_checked"`
	TokenType            string   `json:"token_type"`
	Tools                []string `json:"tools"`
	ListSkillsIsError    bool     `json:"list_skills_is_error"`
	ListSkillsText       string   `json:"list_skills_text"`
	Refreshed            bool     `json:"refreshed"`
	RefreshRequests      int      `json:"refresh_requests"`
	RefreshTokenRotated  bool     `json:"refresh_token_rotated"`
	ToolsAfterRefresh    []string `json:"tools_after_refresh"`
	ListSkillsAfterError bool     `json:"list_skills_after_refresh_is_error"`
	TokenRequests        []string `json:"token_requests"`
	AuthorizationRequest struct {
		Endpoint            string `json:"endpoint"`
		Resource            string `json:"resource"`
		CodeChallengeMethod string `json:"code_challenge_method"`
		HasState            bool   `json:"has_state"`
	} `json:"authorization_request"`
}

// runSDKOAuth signs in with the official TypeScript MCP SDK over transport
// ("streamable" or "sse") and checks the whole OAuth life of its tokens:
// discovery from the 401, dynamic registration, authorization with PKCE
// through skillgate's sign-in and consent pages, the code exchange, MCP
// calls with the token, and a refresh on a 401.
func runSDKOAuth(t *testing.T, transport string) {
	ts := newTestServer(t, testServerOptions{})
	_, key := createKeyOverREST(t, ts, `{"name":"ts-sdk-`+transport+`","roles":["analyst"],"user":"ada"}`)
	_, callbackPort, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	line := testclients.Run(t, "sdk-oauth.mjs", map[string]string{
		"SKILLGATE_URL": ts.baseURL,
		"SKILLGATE_KEY": key,
		"CALLBACK_PORT": callbackPort,
		"TRANSPORT":     transport,
	})
	var r sdkOAuthResults
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("results of sdk-oauth.mjs: %v: %s", err, line)
	}
	t.Logf("sdk-oauth.mjs (%s): %s", transport, line)
	if r.Error != "" {
		t.Fatalf("the TypeScript SDK failed: %s", r.Error)
	}

	checkSDKOAuth(t, ts, r, transport)
}

// checkSDKOAuth checks what an SDK's OAuth run reports: registration, one
// sign-in with PKCE, state and issuer checked, the tools, and one refresh
// on a 401 with the refresh token rotated.
func checkSDKOAuth(t *testing.T, ts *testServer, r sdkOAuthResults, transport string) {
	t.Helper()
	if r.Transport != transport {
		t.Errorf("transport %q, want %q", r.Transport, transport)
	}
	if !r.Registered {
		t.Error("the SDK did not register a client dynamically")
	}
	if r.Authorizations != 1 {
		t.Errorf("the SDK sent the person to /authorize %d times, want once (a refresh must not need a new sign-in)", r.Authorizations)
	}
	ar := r.AuthorizationRequest
	if ar.Endpoint != ts.baseURL+"/authorize" || ar.CodeChallengeMethod != "S256" || !ar.HasState {
		t.Errorf("authorization request = %+v, want %s/authorize with S256 and a state", ar, ts.baseURL)
	}
	// skillgate publishes /mcp and /sse as resources of their own (RFC
	// 9728 metadata at /.well-known/oauth-protected-resource/mcp and /sse),
	// and the SDK sends the one of the endpoint it connects to.
	if want := ts.baseURL + map[string]string{"streamable": "/mcp", "sse": "/sse"}[transport]; ar.Resource != want {
		t.Errorf("resource indicator %q, want %q (from the protected resource metadata)", ar.Resource, want)
	}
	if !r.StateChecked || !r.IssuerChecked {
		t.Errorf("state checked %v, issuer checked %v: the authorization response must carry both", r.StateChecked, r.IssuerChecked)
	}
	if r.TokenType != "Bearer" && r.TokenType != "bearer" {
		t.Errorf("token_type %q, want Bearer", r.TokenType)
	}
	if !slices.Equal(r.Tools, skillTools) {
		t.Errorf("tools = %v, want %v", r.Tools, skillTools)
	}
	if r.ListSkillsIsError {
		t.Errorf("list_skills answered an error: %s", r.ListSkillsText)
	}
	if !r.Refreshed || r.RefreshRequests != 1 {
		t.Errorf("refreshed %v after %d refresh requests: the SDK must refresh once on the 401 and carry on", r.Refreshed, r.RefreshRequests)
	}
	if !r.RefreshTokenRotated {
		t.Error("the refresh token was not rotated")
	}
	if !slices.Equal(r.ToolsAfterRefresh, skillTools) {
		t.Errorf("tools after the refresh = %v, want %v", r.ToolsAfterRefresh, skillTools)
	}
	if r.ListSkillsAfterError {
		t.Error("list_skills after the refresh answered an error")
	}
	if want := []string{"authorization_code", "refresh_token"}; !slices.Equal(r.TokenRequests, want) {
		t.Errorf("token requests %v, want %v", r.TokenRequests, want)
	}
}

// TestTypeScriptSDKOAuthStreamable proves the OAuth login of the official
// TypeScript MCP SDK over streamable HTTP (/mcp).
func TestTypeScriptSDKOAuthStreamable(t *testing.T) {
	runSDKOAuth(t, "streamable")
}

// TestTypeScriptSDKOAuthSSE proves the OAuth login of the official
// TypeScript MCP SDK over the legacy SSE transport (/sse).
func TestTypeScriptSDKOAuthSSE(t *testing.T) {
	runSDKOAuth(t, "sse")
}

// TestTypeScriptSDKStaticHeader connects the official TypeScript MCP SDK
// with an API key in a static Authorization header, as clients configured
// by hand do.
func TestTypeScriptSDKStaticHeader(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	line := testclients.Run(t, "sdk-header.mjs", map[string]string{
		"SKILLGATE_URL": ts.baseURL,
		"SKILLGATE_KEY": testKeys["analyst"],
	})
	var r struct {
		Error             string   `json:"error"`
		Tools             []string `json:"tools"`
		ListSkillsIsError bool     `json:"list_skills_is_error"`
		ListSkillsText    string   `json:"list_skills_text"`
	}
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("results of sdk-header.mjs: %v: %s", err, line)
	}
	t.Logf("sdk-header.mjs: %s", line)
	if r.Error != "" {
		t.Fatalf("the TypeScript SDK failed: %s", r.Error)
	}
	if !slices.Equal(r.Tools, skillTools) {
		t.Errorf("tools = %v, want %v", r.Tools, skillTools)
	}
	if r.ListSkillsIsError {
		t.Errorf("list_skills answered an error: %s", r.ListSkillsText)
	}
	ts.assertNoSecretsLogged(t)
}

// mcpRemoteClient is mcp-remote's own test client (mcp-remote-client from
// mcp-remote 0.15.1, what Claude Desktop runs through): it connects, lists
// tools and resources, prints them and exits.
const mcpRemoteClient = "node_modules/mcp-remote/dist/client.js"

// mcpRemoteEnv keeps mcp-remote's token store in the test's own folder.
func mcpRemoteEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{"HOME": dir, "MCP_REMOTE_CONFIG_DIR": dir, "BROWSER": "true"}
}

func TestMCPRemoteWithHeader(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	p := testclients.Start(t, mcpRemoteEnv(t), mcpRemoteClient, ts.baseURL+"/mcp",
		"--header", "Authorization:Bearer "+testKeys["analyst"])
	if err := p.Wait(t, time.Minute); err != nil {
		t.Fatalf("mcp-remote-client: %v\n%s", err, p.Output())
	}
	out := p.Output()
	if !strings.Contains(out, "run_skill_script") || !strings.Contains(out, "Exiting OK") {
		t.Fatalf("mcp-remote-client did not list skillgate's tools:\n%s", out)
	}
	ts.assertNoSecretsLogged(t)
}

// TestMCPRemoteWithOAuth: mcp-remote-client finds no credential, logs in
// with OAuth on a fixed callback port, and the person (this test) signs in
// on skillgate's page; mcp-remote's callback server receives the code.
func TestMCPRemoteWithOAuth(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	_, port, _ := strings.Cut(freeAddr(t), ":")
	p := testclients.Start(t, mcpRemoteEnv(t), mcpRemoteClient, ts.baseURL+"/mcp", port)
	p.WaitFor(t, "Please authorize this client by visiting:", 30*time.Second)
	authorizeURL := strings.TrimSpace(p.NextLine(t, 10*time.Second))
	if !strings.HasPrefix(authorizeURL, ts.baseURL+"/authorize?") {
		t.Fatalf("mcp-remote sends the person to %q", authorizeURL)
	}
	_, key := createKeyOverREST(t, ts, `{"name":"mcp-remote","roles":["analyst"],"user":"ada"}`)
	callback := newOAuthClient(t, ts.baseURL).approve(authorizeURL, key)
	if !strings.HasPrefix(callback, "http://localhost:"+port+"/") && !strings.HasPrefix(callback, "http://127.0.0.1:"+port+"/") {
		t.Fatalf("callback %q is not mcp-remote's fixed port %s", callback, port)
	}
	resp, err := http.Get(callback)
	if err != nil {
		t.Fatalf("delivering the code to mcp-remote: %v", err)
	}
	resp.Body.Close()
	if err := p.Wait(t, time.Minute); err != nil {
		t.Fatalf("mcp-remote-client: %v\n%s", err, p.Output())
	}
	if out := p.Output(); !strings.Contains(out, "run_skill_script") || !strings.Contains(out, "Exiting OK") {
		t.Fatalf("mcp-remote-client did not list skillgate's tools after OAuth:\n%s", out)
	}
}

// issuerMismatch is an IssuerMismatchError of the TypeScript SDK v2, as
// sdk2-oauth.mjs reports it: which check failed, what the SDK expected and
// what it received, or what went wrong instead.
type issuerMismatch struct {
	Rejected      bool    `json:"rejected"`
	Kind          string  `json:"kind"`
	Expected      *string `json:"expected"`
	Received      *string `json:"received"`
	Error         string  `json:"error"`
	TokenRequests int     `json:"token_requests"`
	Registered    bool    `json:"registered"`
	Redirected    bool    `json:"redirected"`
}

// sdk2OAuthResults is the JSON line of internal/testclients/sdk2-oauth.mjs:
// that of sdk-oauth.mjs, and what the SDK's own issuer checks did.
type sdk2OAuthResults struct {
	sdkOAuthResults
	SDK             string `json:"sdk"`
	SDKIssuerChecks struct {
		Discovery struct {
			AuthorizationServer   string `json:"authorization_server"`
			MetadataIssuer        string `json:"metadata_issuer"`
			IssParameterSupported *bool  `json:"iss_parameter_supported"`
			ClientIssuerStamp     string `json:"client_issuer_stamp"`
		} `json:"discovery"`
		Metadata         issuerMismatch `json:"metadata"`
		ForgedIss        issuerMismatch `json:"forged_iss"`
		MissingIss       issuerMismatch `json:"missing_iss"`
		TokenIssuerStamp string         `json:"token_issuer_stamp"`
	} `json:"sdk_issuer_checks"`
}

// TestTypeScriptSDKv2OAuth proves the OAuth login of v2 of the official
// TypeScript MCP SDK (@modelcontextprotocol/client 2.4.0) over streamable
// HTTP (/mcp), with the same checks as TestTypeScriptSDKOAuthStreamable,
// and proves that the SDK's own issuer checks ran rather than assuming it:
//
//   - RFC 8414 §3.3 (metadata echo): the SDK compares the issuer of the
//     authorization server metadata with the authorization server named by
//     the protected resource metadata. The script first connects through a
//     fetch that rewrites that issuer; the SDK must fail with its
//     IssuerMismatchError of kind "metadata" before registering. The real
//     flow uses the same code path unaltered (skipIssuerMetadataValidation
//     is not set), so skillgate's metadata passed the same check.
//   - RFC 9207 §2.4 (iss of the authorization response): finishAuth is
//     given the callback's URLSearchParams, from which the SDK reads iss and
//     compares it with the metadata's issuer before redeeming the code. The
//     script first calls finishAuth with a forged iss and with none (which
//     skillgate's authorization_response_iss_parameter_supported forbids);
//     the SDK must fail both with IssuerMismatchError of kind
//     "authorization_response" and send no token request, and then accepts
//     the real parameters and redeems the code.
func TestTypeScriptSDKv2OAuth(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	_, key := createKeyOverREST(t, ts, `{"name":"ts-sdk-v2","roles":["analyst"],"user":"ada"}`)
	_, callbackPort, err := net.SplitHostPort(freeAddr(t))
	if err != nil {
		t.Fatal(err)
	}
	line := testclients.Run(t, "sdk2-oauth.mjs", map[string]string{
		"SKILLGATE_URL": ts.baseURL,
		"SKILLGATE_KEY": key,
		"CALLBACK_PORT": callbackPort,
	})
	var r sdk2OAuthResults
	if err := json.Unmarshal([]byte(line), &r); err != nil {
		t.Fatalf("results of sdk2-oauth.mjs: %v: %s", err, line)
	}
	t.Logf("sdk2-oauth.mjs: %s", line)
	if r.Error != "" {
		t.Fatalf("the TypeScript SDK v2 failed: %s", r.Error)
	}

	// The same as TestTypeScriptSDKOAuthStreamable; its token requests
	// also show that the probes of the issuer checks redeemed nothing.
	checkSDKOAuth(t, ts, r.sdkOAuthResults, "streamable")

	// The SDK's own issuer checks.
	if r.SDK != "@modelcontextprotocol/client" {
		t.Errorf("sdk %q, want @modelcontextprotocol/client", r.SDK)
	}
	c := r.SDKIssuerChecks
	d := c.Discovery
	if d.AuthorizationServer != ts.baseURL && d.AuthorizationServer != ts.baseURL+"/" {
		t.Errorf("the SDK found the authorization server %q, want %s", d.AuthorizationServer, ts.baseURL)
	}
	if d.MetadataIssuer != ts.baseURL {
		t.Errorf("issuer of the metadata the SDK accepted %q, want %s", d.MetadataIssuer, ts.baseURL)
	}
	if d.IssParameterSupported == nil || !*d.IssParameterSupported {
		t.Errorf("authorization_response_iss_parameter_supported as the SDK read it = %v, want true (RFC 9207 §3)", d.IssParameterSupported)
	}
	if d.ClientIssuerStamp != ts.baseURL || c.TokenIssuerStamp != ts.baseURL {
		t.Errorf("issuer stamped by the SDK on the client %q and on the tokens %q, want %s", d.ClientIssuerStamp, c.TokenIssuerStamp, ts.baseURL)
	}
	forged := "https://attacker.example/as" // as in sdk2-oauth.mjs
	for _, probe := range []struct {
		what         string
		got          issuerMismatch
		wantKind     string
		wantReceived string
	}{
		{"connect through a fetch that rewrites the issuer of the authorization server metadata", c.Metadata, "metadata", forged},
		{"finishAuth with iss=" + forged, c.ForgedIss, "authorization_response", forged},
		{"finishAuth without iss", c.MissingIss, "authorization_response", "<none>"},
	} {
		m := probe.got
		if !m.Rejected || m.Kind != probe.wantKind {
			t.Errorf("%s: rejected %v with kind %q (%s), want the SDK's IssuerMismatchError of kind %q", probe.what, m.Rejected, m.Kind, m.Error, probe.wantKind)
			continue
		}
		if m.Expected == nil || strings.TrimSuffix(*m.Expected, "/") != ts.baseURL {
			t.Errorf("%s: the SDK expected the issuer %s, want %s", probe.what, deref(m.Expected), ts.baseURL)
		}
		if deref(m.Received) != probe.wantReceived {
			t.Errorf("%s: the SDK received the issuer %s, want %s", probe.what, deref(m.Received), probe.wantReceived)
		}
		if m.TokenRequests != 0 || m.Registered || m.Redirected {
			t.Errorf("%s: after the refusal the SDK sent %d token requests, registered %v, redirected %v; want none", probe.what, m.TokenRequests, m.Registered, m.Redirected)
		}
	}
}

// deref shows an optional string of the results, "<none>" when absent.
func deref(s *string) string {
	if s == nil {
		return "<none>"
	}
	return *s
}
