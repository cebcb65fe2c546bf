// Package testidp runs real identity providers on 127.0.0.1 for tests.
//
// StartNode runs the Node.js package oidc-provider (see nodeprovider/) and
// the methods of Node obtain real tokens from it through real grants, so
// token validation code is tested against what an actual OpenID provider
// issues rather than against hand-made JWTs.
package testidp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/npmtest"
)

const (
	startTimeout   = 30 * time.Second
	stopGrace      = 5 * time.Second
	requestTimeout = 10 * time.Second
	// maxSteps bounds both redirect chains and login/consent round trips.
	maxSteps = 10
)

// NodeConfig configures the provider started by StartNode.
type NodeConfig struct {
	// Resource is the audience of the JWT access tokens (required).
	Resource string
	// AccessTokenTTL is the lifetime of access tokens (whole seconds).
	AccessTokenTTL time.Duration
	Clients        []NodeClient
	// Accounts maps a login name to the claims of that account (besides sub,
	// which is the login name). They go into ID tokens and access tokens.
	Accounts map[string]map[string]any
}

// NodeClient is an OAuth client registered with the provider.
type NodeClient struct {
	ID, Secret string
	// Public clients do not authenticate at the token endpoint (PKCE only).
	Public                   bool
	GrantTypes, RedirectURIs []string
	// Claims are added to client_credentials access tokens of this client.
	Claims map[string]any
}

// Tokens is the result of an authorization code or refresh token grant.
type Tokens struct {
	AccessToken, IDToken, RefreshToken string
}

// Node is a running oidc-provider.
type Node struct {
	issuer   string
	resource string
	meta     discovery
	client   *http.Client
}

// discovery holds the parts of the OpenID provider metadata we use.
type discovery struct {
	Issuer                string `json:"issuer"`
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	JWKSURI               string `json:"jwks_uri"`
}

// Issuer returns the issuer identifier, e.g. http://127.0.0.1:41234.
func (n *Node) Issuer() string { return n.issuer }

// JWKSURI returns the URL of the provider's signing keys.
func (n *Node) JWKSURI() string { return n.meta.JWKSURI }

// StartNode installs the npm dependencies if needed, starts the provider and
// stops it when the test ends. It fails the test if Node.js is unavailable.
func StartNode(t testing.TB, cfg NodeConfig) *Node {
	t.Helper()
	if cfg.Resource == "" {
		t.Fatal("testidp: NodeConfig.Resource is required (the audience of access tokens)")
	}
	dir := providerDir(t)
	npmtest.Install(t, dir)

	env, err := cfg.environment()
	if err != nil {
		t.Fatalf("testidp: %v", err)
	}
	issuer := startProcess(t, dir, env)

	n := &Node{issuer: issuer, resource: cfg.Resource, client: &http.Client{}}
	if err := n.discover(); err != nil {
		t.Fatalf("testidp: %v", err)
	}
	return n
}

// providerDir locates nodeprovider/ next to this source file, so tests work
// from any working directory.
func providerDir(t testing.TB) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("testidp: cannot locate source file of package testidp")
	}
	return filepath.Join(filepath.Dir(file), "nodeprovider")
}

// environment renders cfg as the TESTIDP_CONFIG document of server.mjs.
func (cfg NodeConfig) environment() (string, error) {
	type client struct {
		ClientID     string         `json:"client_id"`
		ClientSecret string         `json:"client_secret,omitempty"`
		Public       bool           `json:"public,omitempty"`
		GrantTypes   []string       `json:"grant_types,omitempty"`
		RedirectURIs []string       `json:"redirect_uris,omitempty"`
		Claims       map[string]any `json:"claims,omitempty"`
	}
	doc := struct {
		Resource       string                    `json:"resource"`
		AccessTokenTTL int64                     `json:"accessTokenTTL,omitempty"`
		Clients        []client                  `json:"clients"`
		Accounts       map[string]map[string]any `json:"accounts,omitempty"`
	}{
		Resource:       cfg.Resource,
		AccessTokenTTL: int64(cfg.AccessTokenTTL / time.Second),
		Accounts:       cfg.Accounts,
	}
	for _, c := range cfg.Clients {
		doc.Clients = append(doc.Clients, client{
			ClientID: c.ID, ClientSecret: c.Secret, Public: c.Public,
			GrantTypes: c.GrantTypes, RedirectURIs: c.RedirectURIs, Claims: c.Claims,
		})
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode provider config: %w", err)
	}
	return "TESTIDP_CONFIG=" + string(b), nil
}

// startProcess runs server.mjs and returns the issuer it announces. The
// process is stopped in t.Cleanup: closing its stdin makes it exit, and it is
// killed if it is still alive stopGrace later.
func startProcess(t testing.TB, dir, env string) string {
	t.Helper()
	cmd := exec.Command("node", "server.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env)
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	// An io.Pipe (not cmd.StdoutPipe) lets cmd.Wait run while we read.
	stdoutR, stdoutW := io.Pipe()
	cmd.Stdout = stdoutW
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("testidp: stdin pipe: %v", err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("testidp: start node: %v", err)
	}

	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		stdoutW.Close()
		close(exited)
	}()
	t.Cleanup(func() {
		stopProcess(cmd, stdin, exited)
		if t.Failed() {
			t.Logf("testidp: oidc-provider stderr:\n%s", stderr.String())
		}
	})

	issuer, err := readListening(stdoutR, exited)
	if err != nil {
		t.Fatalf("testidp: %v\nstderr of node:\n%s", err, stderr.String())
	}
	return issuer
}

// readListening waits for the "listening <issuer>" line, then keeps draining
// stdout so the process can never block on a full pipe.
func readListening(stdout io.Reader, exited <-chan struct{}) (string, error) {
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		line, _ := r.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, r)
	}()

	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line := <-lines:
		issuer, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
		if !ok {
			return "", fmt.Errorf("unexpected first line from provider: %q", line)
		}
		return issuer, nil
	case <-exited:
		return "", errors.New("provider exited before listening")
	case <-timer.C:
		return "", fmt.Errorf("provider not listening after %v", startTimeout)
	}
}

func stopProcess(cmd *exec.Cmd, stdin io.Closer, exited <-chan struct{}) {
	stdin.Close()
	select {
	case <-exited:
	case <-time.After(stopGrace):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// syncBuffer is a bytes.Buffer safe for the writer goroutine of exec.Cmd and
// a concurrent reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (n *Node) discover() error {
	req, err := http.NewRequest(http.MethodGet, n.issuer+"/.well-known/openid-configuration", nil)
	if err != nil {
		return fmt.Errorf("discovery request: %w", err)
	}
	body, err := expect(n.client, req, http.StatusOK)
	if err != nil {
		return fmt.Errorf("discovery: %w", err)
	}
	if err := json.Unmarshal(body, &n.meta); err != nil {
		return fmt.Errorf("decode discovery document: %w", err)
	}
	if n.meta.Issuer != n.issuer {
		return fmt.Errorf("discovery: issuer %q, want %q", n.meta.Issuer, n.issuer)
	}
	return nil
}

// expect sends req with a requestTimeout bound and returns the body, failing
// unless the status is want.
func expect(client *http.Client, req *http.Request, want int) ([]byte, error) {
	resp, body, err := send(client, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != want {
		return nil, fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL, resp.StatusCode, truncate(body))
	}
	return body, nil
}

// send performs req within requestTimeout and reads the whole body.
func send(client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	ctx, cancel := context.WithTimeout(req.Context(), requestTimeout)
	defer cancel()
	resp, err := client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: read body: %w", req.Method, req.URL, err)
	}
	return resp, body, nil
}

func truncate(b []byte) string {
	const limit = 2000
	if len(b) > limit {
		return string(b[:limit]) + "…"
	}
	return string(b)
}

// ClientCredentials returns a JWT access token for a confidential client.
func (n *Node) ClientCredentials(t testing.TB, clientID, secret, scope string) string {
	t.Helper()
	form := url.Values{
		"grant_type": {"client_credentials"},
		"scope":      {scope},
		"resource":   {n.resource},
	}
	req, err := n.tokenRequest(form)
	if err != nil {
		t.Fatalf("testidp: %v", err)
	}
	// RFC 6749 §2.3.1: credentials are form-encoded before Basic encoding.
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	tokens, err := n.token(req)
	if err != nil {
		t.Fatalf("testidp: client_credentials for %s: %v", clientID, err)
	}
	return tokens.AccessToken
}

// Refresh redeems a refresh token of a public client.
func (n *Node) Refresh(t testing.TB, clientID, refreshToken string) Tokens {
	t.Helper()
	req, err := n.tokenRequest(url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
		"client_id":     {clientID},
	})
	if err != nil {
		t.Fatalf("testidp: %v", err)
	}
	tokens, err := n.token(req)
	if err != nil {
		t.Fatalf("testidp: refresh for %s: %v", clientID, err)
	}
	return tokens
}

func (n *Node) tokenRequest(form url.Values) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, n.meta.TokenEndpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("token request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// token sends a token endpoint request and decodes a successful response.
func (n *Node) token(req *http.Request) (Tokens, error) {
	body, err := expect(n.client, req, http.StatusOK)
	if err != nil {
		return Tokens{}, err
	}
	var resp struct {
		AccessToken  string `json:"access_token"`
		IDToken      string `json:"id_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return Tokens{}, fmt.Errorf("decode token response: %w", err)
	}
	if resp.AccessToken == "" {
		return Tokens{}, fmt.Errorf("token response without access_token: %s", truncate(body))
	}
	return Tokens{AccessToken: resp.AccessToken, IDToken: resp.IDToken, RefreshToken: resp.RefreshToken}, nil
}

// AuthorizationCode signs login in through the provider's development
// login and consent pages, as a browser would, and redeems the code with
// PKCE for a public client.
func (n *Node) AuthorizationCode(t testing.TB, clientID, redirectURI, login string) Tokens {
	t.Helper()
	tokens, err := n.authorizationCode(clientID, redirectURI, login)
	if err != nil {
		t.Fatalf("testidp: authorization code flow for %s as %q: %v", clientID, login, err)
	}
	return tokens
}

func (n *Node) authorizationCode(clientID, redirectURI, login string) (Tokens, error) {
	verifier, state, nonce := randomString(), randomString(), randomString()
	challenge := sha256.Sum256([]byte(verifier))
	query := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid email offline_access skills:read skills:execute"},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
		"resource":              {n.resource},
	}
	callback, err := n.browse(n.meta.AuthorizationEndpoint+"?"+query.Encode(), redirectURI, login)
	if err != nil {
		return Tokens{}, err
	}
	code, err := n.checkCallback(callback, state)
	if err != nil {
		return Tokens{}, err
	}

	req, err := n.tokenRequest(url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {redirectURI},
		"client_id":     {clientID},
		"code_verifier": {verifier},
	})
	if err != nil {
		return Tokens{}, err
	}
	tokens, err := n.token(req)
	if err != nil {
		return Tokens{}, fmt.Errorf("redeem code: %w", err)
	}
	if err := checkNonce(tokens.IDToken, nonce); err != nil {
		return Tokens{}, err
	}
	return tokens, nil
}

// SignIn plays a person signing in as login at the provider, starting from
// authURL (an authorization request another party built, such as
// skillgate's own sign-in page), and returns the URL the provider sends the
// browser back to at redirectURI.
func (n *Node) SignIn(t testing.TB, authURL, redirectURI, login string) *url.URL {
	t.Helper()
	callback, err := n.browse(authURL, redirectURI, login)
	if err != nil {
		t.Fatalf("testidp: sign in as %q: %v", login, err)
	}
	return callback
}

// browse plays the browser: it follows redirects from authURL and submits
// each login or consent form it lands on until the provider redirects to
// redirectURI, whose URL (with code and state) it returns.
func (n *Node) browse(authURL, redirectURI, login string) (*url.URL, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, fmt.Errorf("cookie jar: %w", err)
	}
	browser := &http.Client{Jar: jar, CheckRedirect: stopAt(redirectURI)}

	req, err := http.NewRequest(http.MethodGet, authURL, nil)
	if err != nil {
		return nil, fmt.Errorf("authorization request: %w", err)
	}
	for range maxSteps {
		resp, body, err := send(browser, req)
		if err != nil {
			return nil, err
		}
		if loc, err := resp.Location(); err == nil && isRedirectURI(loc, redirectURI) {
			return loc, nil
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL, resp.StatusCode, truncate(body))
		}
		if req, err = submitForm(resp.Request.URL, body, login); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("no redirect to %s after %d steps", redirectURI, maxSteps)
}

// stopAt follows redirects, up to maxSteps, except the one to redirectURI:
// nothing listens there, and the code is all we need from it.
func stopAt(redirectURI string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if isRedirectURI(req.URL, redirectURI) {
			return http.ErrUseLastResponse
		}
		if len(via) >= maxSteps {
			return fmt.Errorf("stopped after %d redirects", maxSteps)
		}
		return nil
	}
}

func isRedirectURI(u *url.URL, redirectURI string) bool {
	target := *u
	target.RawQuery, target.Fragment = "", ""
	return target.String() == redirectURI
}

// checkCallback checks state and iss of the authorization response (RFC
// 9207) and returns the code.
func (n *Node) checkCallback(callback *url.URL, state string) (string, error) {
	q := callback.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("authorization error %s: %s", e, q.Get("error_description"))
	}
	if got := q.Get("state"); got != state {
		return "", fmt.Errorf("state %q in authorization response, want %q", got, state)
	}
	if iss := q.Get("iss"); iss != "" && iss != n.issuer {
		return "", fmt.Errorf("iss %q in authorization response, want %q", iss, n.issuer)
	}
	code := q.Get("code")
	if code == "" {
		return "", fmt.Errorf("no code in authorization response %s", callback)
	}
	return code, nil
}

var (
	formPattern  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputPattern = regexp.MustCompile(`(?is)<input\b[^>]*>`)
	attrPattern  = regexp.MustCompile(`(?is)\b([a-z_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')`)
)

// submitForm builds the POST of the first form on an interaction page: its
// hidden inputs plus, on the login page, the login name and a password (the
// development login accepts any).
func submitForm(page *url.URL, body []byte, login string) (*http.Request, error) {
	m := formPattern.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("no form on %s: %s", page, truncate(body))
	}
	action, err := page.Parse(attributes(m[1])["action"])
	if err != nil {
		return nil, fmt.Errorf("form action on %s: %w", page, err)
	}
	form := url.Values{}
	for _, input := range inputPattern.FindAll(m[2], -1) {
		attrs := attributes(input)
		if strings.EqualFold(attrs["type"], "hidden") && attrs["name"] != "" {
			form.Add(attrs["name"], attrs["value"])
		}
	}
	if form.Get("prompt") == "login" {
		form.Set("login", login)
		form.Set("password", "any-password")
	}
	req, err := http.NewRequest(http.MethodPost, action.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("form request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req, nil
}

// attributes parses the quoted attributes of an HTML start tag.
func attributes(tag []byte) map[string]string {
	attrs := map[string]string{}
	for _, m := range attrPattern.FindAllSubmatch(tag, -1) {
		attrs[strings.ToLower(string(m[1]))] = html.UnescapeString(string(m[2]) + string(m[3]))
	}
	return attrs
}

func checkNonce(idToken, nonce string) error {
	claims, err := jwtClaims(idToken)
	if err != nil {
		return fmt.Errorf("id_token: %w", err)
	}
	if claims["nonce"] != nonce {
		return fmt.Errorf("id_token nonce %v, want %q", claims["nonce"], nonce)
	}
	return nil
}

// jwtClaims decodes the payload of a JWT without verifying it.
func jwtClaims(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a JWT: %d parts", len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("decode JWT payload: %w", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return nil, fmt.Errorf("decode JWT claims: %w", err)
	}
	return claims, nil
}

// randomString returns 256 random bits, base64url encoded: a valid PKCE
// verifier (43 characters) and an unguessable state or nonce.
func randomString() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}
