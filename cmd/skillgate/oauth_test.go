package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/testidp"
)

// oauthClient is a headless browser and OAuth client: it registers, follows
// skillgate's sign-in and consent forms as a person would, and redeems the
// code, all over real HTTP.
type oauthClient struct {
	t        *testing.T
	base     string
	http     *http.Client
	clientID string
	redirect string
}

func newOAuthClient(t *testing.T, base string) *oauthClient {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &oauthClient{t: t, base: base, redirect: "http://127.0.0.1:9/callback", http: &http.Client{
		Jar: jar, Timeout: 10 * time.Second,
		// Redirects are followed by hand: the last one goes to the
		// client's callback, which is not listening.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	c.do(http.MethodPost, "/register", "application/json",
		`{"client_name":"e2e test client","redirect_uris":["`+c.redirect+`"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],"response_types":["code"]}`,
		http.StatusCreated, &reg)
	c.clientID = reg.ClientID
	return c
}

// do sends a request and checks its status, decoding a JSON answer into
// out when it is not nil; it returns the response with its body read.
func (c *oauthClient) do(method, path, contentType, body string, want int, out any) (*http.Response, string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	target := path
	if strings.HasPrefix(path, "/") {
		target = c.base + path
	}
	req, err := http.NewRequestWithContext(ctx, method, target, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if want != 0 && resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return resp, string(raw)
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// formFields returns the hidden fields of the page's form.
func formFields(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], m[2])
	}
	if v.Get("request") == "" || v.Get("csrf_token") == "" {
		t.Fatalf("the page has no request form:\n%s", page)
	}
	return v
}

type tokenSet struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
}

// login runs the authorization code flow with PKCE, signing in with
// apiKey, and returns the tokens.
func (c *oauthClient) login(apiKey string) tokenSet {
	c.t.Helper()
	code, verifier := c.authorizationCode(apiKey)
	var tokens tokenSet
	c.do(http.MethodPost, "/token", "application/x-www-form-urlencoded", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.redirect},
		"client_id": {c.clientID}, "code_verifier": {verifier}, "resource": {c.base + "/mcp"},
	}.Encode(), http.StatusOK, &tokens)
	return tokens
}

// authorizationCode runs the authorization request with PKCE, signing in
// with apiKey, and returns the code and its verifier, not yet redeemed.
func (c *oauthClient) authorizationCode(apiKey string) (code, verifier string) {
	c.t.Helper()
	verifier = base64.RawURLEncoding.EncodeToString(randomBytes(c.t, 32))
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {c.clientID}, "redirect_uri": {c.redirect},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
		"state": {"st-123"}, "scope": {"skills:read skills:execute"}, "resource": {c.base + "/mcp"},
	}
	callback := c.approve(c.base+"/authorize?"+q.Encode(), apiKey)
	u, err := url.Parse(callback)
	if err != nil || !strings.HasPrefix(callback, c.redirect+"?") {
		c.t.Fatalf("redirected to %q, want the client's callback", callback)
	}
	if u.Query().Get("state") != "st-123" || u.Query().Get("iss") != c.base || u.Query().Get("code") == "" {
		c.t.Fatalf("callback %q lacks code, state or iss", callback)
	}
	return u.Query().Get("code"), verifier
}

// approve plays the person: it opens an authorization URL (built by this
// client or by another program), signs in with apiKey, approves, and
// returns where skillgate sends the browser back, not following it.
func (c *oauthClient) approve(authorizeURL, apiKey string) string {
	c.t.Helper()
	_, page := c.do(http.MethodGet, authorizeURL, "", "", http.StatusOK, nil)
	form := formFields(c.t, page)
	form.Set("api_key", apiKey)
	resp, _ := c.do(http.MethodPost, "/authorize/signin", "application/x-www-form-urlencoded", form.Encode(), http.StatusSeeOther, nil)
	resp, page = c.do(http.MethodGet, resp.Header.Get("Location"), "", "", 0, nil)
	switch resp.StatusCode {
	case http.StatusFound: // consented before
		return resp.Header.Get("Location")
	case http.StatusOK:
		form = formFields(c.t, page)
		form.Set("decision", "approve")
		resp, _ = c.do(http.MethodPost, "/authorize/consent", "application/x-www-form-urlencoded", form.Encode(), http.StatusSeeOther, nil)
		return resp.Header.Get("Location")
	}
	c.t.Fatalf("consent page: status %d: %s", resp.StatusCode, page)
	return ""
}

func (c *oauthClient) refresh(refreshToken string, want int) tokenSet {
	c.t.Helper()
	var tokens tokenSet
	c.do(http.MethodPost, "/token", "application/x-www-form-urlencoded", url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}, "client_id": {c.clientID},
	}.Encode(), want, &tokens)
	return tokens
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// createKeyOverREST creates a managed key with the admin key and returns
// its id and secret.
func createKeyOverREST(t *testing.T, ts *testServer, body string) (id, secret string) {
	t.Helper()
	c := &oauthClient{t: t, base: ts.baseURL, http: &http.Client{Timeout: 10 * time.Second}}
	req, _ := http.NewRequest(http.MethodPost, ts.baseURL+"/v1/api-keys", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKeys["admin"])
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var created struct {
		Key struct {
			ID string `json:"id"`
		} `json:"key"`
		Secret string `json:"secret"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&created); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create key: status %d, %v", resp.StatusCode, err)
	}
	return created.Key.ID, created.Secret
}

// TestOAuthFlowEndToEnd is the whole login of an MCP client against a real
// server: discovery from the 401, registration, the sign-in and consent
// forms, the code exchange, MCP with the token, refresh, and the linked
// key's revocation stopping the tokens.
func TestOAuthFlowEndToEnd(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	// Discovery starts from the 401 of an unauthenticated initialize.
	resp := rawRequest(t, http.MethodPost, ts.baseURL+"/mcp", "", "", initializeBody)
	resp.Body.Close()
	challenge := resp.Header.Get("WWW-Authenticate")
	m := regexp.MustCompile(`resource_metadata="([^"]+)"`).FindStringSubmatch(challenge)
	if resp.StatusCode != http.StatusUnauthorized || m == nil {
		t.Fatalf("401 challenge = %q", challenge)
	}
	c := newOAuthClient(t, ts.baseURL)
	var prm struct {
		Resource             string   `json:"resource"`
		AuthorizationServers []string `json:"authorization_servers"`
	}
	c.do(http.MethodGet, m[1], "", "", http.StatusOK, &prm)
	if prm.Resource != ts.baseURL+"/mcp" || len(prm.AuthorizationServers) != 1 || prm.AuthorizationServers[0] != ts.baseURL {
		t.Fatalf("protected resource metadata = %+v", prm)
	}
	var asm map[string]any
	c.do(http.MethodGet, "/.well-known/oauth-authorization-server", "", "", http.StatusOK, &asm)
	if asm["issuer"] != ts.baseURL || asm["token_endpoint"] != ts.baseURL+"/token" || asm["client_id_metadata_document_supported"] != true {
		t.Fatalf("authorization server metadata = %v", asm)
	}

	keyID, key := createKeyOverREST(t, ts, `{"name":"oauth-e2e","roles":["analyst"],"user":"ada"}`)
	tokens := c.login(key)
	if tokens.TokenType != "Bearer" || tokens.RefreshToken == "" || tokens.Scope != "skills:read skills:execute" {
		t.Fatalf("tokens = %+v", tokens)
	}
	if out, isErr := runGreet(t, ts.baseURL, tokens.AccessToken); isErr {
		t.Fatalf("run_skill_script with the access token: %s", out)
	}
	refreshed := c.refresh(tokens.RefreshToken, http.StatusOK)
	if refreshed.RefreshToken == tokens.RefreshToken || refreshed.AccessToken == "" {
		t.Fatalf("refresh did not rotate: %+v", refreshed)
	}
	if status := initializeStatus(t, ts.baseURL, refreshed.AccessToken); status != http.StatusOK {
		t.Fatalf("initialize with the refreshed token: %d", status)
	}
	// A second login of the same person and client skips the consent page.
	again := c.login(key)
	if again.AccessToken == "" {
		t.Fatal("second login gave no token")
	}
	// Revoking the key stops every token issued from it, at once.
	req, _ := http.NewRequest(http.MethodPost, ts.baseURL+"/v1/api-keys/"+keyID+"/revoke", nil)
	req.Header.Set("Authorization", "Bearer "+testKeys["admin"])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	for _, token := range []string{refreshed.AccessToken, again.AccessToken} {
		if status := initializeStatus(t, ts.baseURL, token); status != http.StatusUnauthorized {
			t.Fatalf("access token after its key was revoked: %d, want 401", status)
		}
	}
	c.refresh(again.RefreshToken, http.StatusBadRequest)
}

// TestOAuthTokenKeepsItsKeysLimits checks that a token issued from a key
// is held to that key's monthly quota and allowed skills, not just its
// revocation: the token acts through the key.
func TestOAuthTokenKeepsItsKeysLimits(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	_, key := createKeyOverREST(t, ts, `{"name":"quota-1","roles":["analyst"],"user":"ada","monthly_execution_quota":1,"allowed_skill_ids":["shared/hello-world"]}`)
	c := newOAuthClient(t, ts.baseURL)
	tokens := c.login(key)
	if out, isErr := runGreet(t, ts.baseURL, tokens.AccessToken); isErr {
		t.Fatalf("first run: %s", out)
	}
	// The key's quota of 1 is spent, whether through the key or a token.
	if out, isErr := runGreet(t, ts.baseURL, tokens.AccessToken); !isErr || !strings.Contains(out, "quota") {
		t.Fatalf("second run through the token: isError=%v %s, want the quota refusal", isErr, out)
	}
	if out, isErr := runGreet(t, ts.baseURL, key); !isErr || !strings.Contains(out, "quota") {
		t.Fatalf("run with the key itself: isError=%v %s, want the quota refusal", isErr, out)
	}
	if ids := listAll(t, ts, tokens.AccessToken); len(ids) != 1 || ids[0] != "shared/hello-world" {
		t.Fatalf("skills seen through the token: %v, want only the key's allowed skill", ids)
	}
}

// freeAddr returns a loopback address with a port nobody listens on, for a
// server whose URL another party must know before it starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestOAuthSignInWithIdentityProvider signs a person in on skillgate's
// sign-in page through the organisation's identity provider (a real
// oidc-provider, authorization code with PKCE), and uses the token: the
// IdP's roles pick the persona.
func TestOAuthSignInWithIdentityProvider(t *testing.T) {
	addr := freeAddr(t)
	base := "http://" + addr
	node := testidp.StartNode(t, testidp.NodeConfig{
		Resource: oidcAudience,
		Clients: []testidp.NodeClient{{ID: "skillgate-login", Secret: "skillgate-login-secret-0123456789",
			GrantTypes: []string{"authorization_code"}, RedirectURIs: []string{base + "/authorize/callback"}}},
		Accounts: map[string]map[string]any{
			"alice": {"email": "alice@example.test", "email_verified": true,
				"realm_access": map[string]any{"roles": []any{"skill-analyst"}}},
		},
	})
	login := "        login:\n          client_id: skillgate-login\n          client_secret: skillgate-login-secret-0123456789\n          name: Acme SSO\n"
	ts := newTestServer(t, testServerOptions{addr: addr, auth: oidcAuthConfig(node.Issuer()) + login})
	c := newOAuthClient(t, ts.baseURL)

	q := url.Values{
		"response_type": {"code"}, "client_id": {c.clientID}, "redirect_uri": {c.redirect},
		"code_challenge": {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"}, "code_challenge_method": {"S256"},
		"state": {"st-idp"},
	}
	_, page := c.do(http.MethodGet, "/authorize?"+q.Encode(), "", "", http.StatusOK, nil)
	m := regexp.MustCompile(`<a class="provider" href="([^"]+)">Sign in with Acme SSO</a>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the sign-in page offers no identity provider:\n%s", page)
	}
	resp, _ := c.do(http.MethodGet, html.UnescapeString(m[1]), "", "", http.StatusFound, nil)
	back := node.SignIn(t, resp.Header.Get("Location"), ts.baseURL+"/authorize/callback", "alice")
	resp, body := c.do(http.MethodGet, back.String(), "", "", http.StatusSeeOther, nil)
	_, page = c.do(http.MethodGet, resp.Header.Get("Location"), "", "", http.StatusOK, nil)
	if !strings.Contains(page, "alice@example.test") {
		t.Fatalf("consent page does not name the person signed in at the IdP:\n%s%s", page, body)
	}
	form := formFields(t, page)
	form.Set("decision", "approve")
	resp, _ = c.do(http.MethodPost, "/authorize/consent", "application/x-www-form-urlencoded", form.Encode(), http.StatusSeeOther, nil)
	cb, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || cb.Query().Get("code") == "" {
		t.Fatalf("callback %q", resp.Header.Get("Location"))
	}
	var tokens tokenSet
	c.do(http.MethodPost, "/token", "application/x-www-form-urlencoded", url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Query().Get("code")}, "redirect_uri": {c.redirect},
		"client_id": {c.clientID}, "code_verifier": {"dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"},
	}.Encode(), http.StatusOK, &tokens)
	if out, isErr := runGreet(t, ts.baseURL, tokens.AccessToken); isErr {
		t.Fatalf("run_skill_script as the IdP's analyst: %s", out)
	}
}
