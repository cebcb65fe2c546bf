package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store/sqlite"
)

// testRedirect is the redirect URI the flow tests' clients register: a
// native app's loopback listener, so any port matches it.
const testRedirect = "http://127.0.0.1:9/cb"

// testState is the state every flow sends unless told otherwise.
const testState = "st-123"

// testClock is a clock tests move by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Now().UTC().Truncate(time.Second)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// withClock makes the server use c.
func withClock(c *testClock) func(*Options) {
	return func(o *Options) { o.Now = c.Now }
}

// Keys of withReaderKey.
const (
	readerAPIKey  = "sk_test_oauth_reader_0123456789abcdefghijklm"
	readerKeyName = "reader"
)

// withReaderKey adds a static key holding skills:read only, and makes the
// scopes a principal may hold its own scopes.
func withReaderKey(o *Options) {
	keys, err := apikey.NewStatic([]apikey.StaticKey{
		{Key: testAPIKey, Name: testKeyName, Scopes: []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}},
		{Key: readerAPIKey, Name: readerKeyName, Scopes: []string{auth.ScopeSkillsRead}},
	})
	if err != nil {
		panic(err)
	}
	o.Credentials = &auth.Authenticator{Keys: []auth.Verifier{keys}}
	o.Scopes = func(p auth.Principal) []string {
		if p.Scopes != nil {
			return p.Scopes
		}
		return []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}
	}
}

// withTokensAccepted makes the server's Credentials verify its own access
// tokens too, as skillgate serve wires it, so that a token pasted on the
// sign-in page reaches the "not an API key" check.
func withTokensAccepted(ts *testServer) {
	ts.opts.Credentials.(*auth.Authenticator).Tokens = ts.Verifier()
}

// managedKeys is an apikey.Manager on a test server's store whose keys the
// server's Credentials accept.
type managedKeys struct {
	mgr *apikey.Manager
}

// withManagedKeys adds a managed-key verifier (without a cache, so that a
// revocation shows at once) on the server's store to its Credentials, and
// fills mk with a Manager of that store.
func withManagedKeys(mk *managedKeys, now func() time.Time) func(*Options) {
	return func(o *Options) {
		db := o.Store.(*sqlite.DB)
		a := o.Credentials.(*auth.Authenticator)
		a.Keys = append(a.Keys, apikey.NewManaged(db, apikey.ManagedOptions{CacheSize: -1, Now: now}))
		mgr, err := apikey.NewManager(db, nil, apikey.Policy{RoleScopes: func([]string) []string {
			return []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}
		}}, now)
		if err != nil {
			panic(err)
		}
		mk.mgr = mgr
	}
}

// create makes a managed key and returns its id and secret.
func (mk *managedKeys) create(t testing.TB, name string) (id, secret string) {
	t.Helper()
	c, err := mk.mgr.Create(context.Background(), apikey.CLIActor("test"), apikey.CreateParams{Name: name, User: "ada", Roles: []string{"analyst"}})
	if err != nil {
		t.Fatalf("create managed key: %v", err)
	}
	return c.Key.ID, c.Secret
}

// revoke revokes the managed key id.
func (mk *managedKeys) revoke(t testing.TB, id string) {
	t.Helper()
	if _, err := mk.mgr.Revoke(context.Background(), apikey.CLIActor("test"), id); err != nil {
		t.Fatalf("revoke managed key: %v", err)
	}
}

// testClient is a registered client.
type testClient struct {
	ID, Secret  string
	RedirectURI string
	AuthMethod  string // token_endpoint_auth_method
}

// registerClient registers a client with the given metadata.
func (ts *testServer) registerClient(t testing.TB, meta map[string]any) testClient {
	t.Helper()
	body, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	r := ts.register(t, string(body))
	c := testClient{ID: r.str("client_id"), Secret: r.str("client_secret"), AuthMethod: r.str("token_endpoint_auth_method")}
	if uris := stringList(r.body["redirect_uris"]); len(uris) > 0 {
		c.RedirectURI = uris[0]
	}
	if c.ID == "" {
		t.Fatalf("registration without client_id: %s", r.raw)
	}
	return c
}

// publicClient registers a public client (PKCE only) of testRedirect, as
// MCP clients do.
func (ts *testServer) publicClient(t testing.TB) testClient {
	t.Helper()
	return ts.registerClient(t, map[string]any{
		"client_name": "flow test client", "redirect_uris": []string{testRedirect},
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
		"token_endpoint_auth_method": "none",
	})
}

// confidentialClient registers a client with a secret, authenticating by
// method (client_secret_basic or client_secret_post).
func (ts *testServer) confidentialClient(t testing.TB, method string) testClient {
	t.Helper()
	c := ts.registerClient(t, map[string]any{
		"client_name": "confidential " + method, "redirect_uris": []string{testRedirect},
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
		"token_endpoint_auth_method": method,
	})
	if c.Secret == "" {
		t.Fatalf("confidential client %s got no secret", method)
	}
	return c
}

// browser is a person's browser: it keeps cookies and does not follow
// redirects, so that each can be checked.
type browser struct {
	ts   *testServer
	http *http.Client
}

func (ts *testServer) newBrowser(t testing.TB) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{ts: ts, http: &http.Client{
		Transport: ts.HTTP.Transport, Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// send sends a request to path (on the test server) and returns the
// response with its body read.
func (b *browser) send(t testing.TB, method, path, contentType, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, b.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := b.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, string(raw)
}

func (b *browser) get(t testing.TB, path string) (*http.Response, string) {
	t.Helper()
	return b.send(t, http.MethodGet, path, "", "")
}

func (b *browser) postForm(t testing.TB, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	return b.send(t, http.MethodPost, path, "application/x-www-form-urlencoded", form.Encode())
}

// authorize sends an authorization request with query q.
func (b *browser) authorize(t testing.TB, q url.Values) (*http.Response, string) {
	t.Helper()
	return b.get(t, "/authorize?"+q.Encode())
}

// signIn posts the sign-in form of page with apiKey.
func (b *browser) signIn(t testing.TB, page, apiKey string) (*http.Response, string) {
	t.Helper()
	form := formFields(t, page)
	form.Set("api_key", apiKey)
	return b.postForm(t, "/authorize/signin", form)
}

// cookie returns the browser's binding cookie, or "".
func (b *browser) cookie(t testing.TB) string {
	t.Helper()
	u, err := url.Parse(b.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range b.http.Jar.Cookies(u) {
		if c.Name == browserCookieName(testIssuer) {
			return c.Value
		}
	}
	return ""
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// formFields returns the hidden fields of the page's form.
func formFields(t testing.TB, page string) url.Values {
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

// newPKCE returns a fresh verifier and its S256 challenge.
func newPKCE() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeQuery is a good authorization request of c with challenge.
func authorizeQuery(c testClient, challenge string) url.Values {
	return url.Values{
		"response_type": {"code"}, "client_id": {c.ID}, "redirect_uri": {c.RedirectURI},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
		"state": {testState}, "scope": {"skills:read skills:execute"}, "resource": {testIssuer + "/mcp"},
	}
}

// login describes a headless login; the zero value of each field means
// the ordinary choice.
type login struct {
	// Client is the client logging in. Required.
	Client testClient
	// APIKey is typed on the sign-in page; default testAPIKey.
	APIKey string
	// Edit alters the authorization request's query.
	Edit func(url.Values)
	// Browser is the person's browser; default a new one.
	Browser *browser
	// Decision is posted on the consent page; default approve.
	Decision string
}

// loginResult is where a login ended.
type loginResult struct {
	Code, Verifier string
	// Query is the authorization request that was sent.
	Query url.Values
	// Location is the callback the browser was sent to, Callback its
	// parse, Status the redirect's status.
	Location string
	Callback *url.URL
	Status   int
	// Consented tells whether the consent page was skipped (a consent
	// given before).
	Consented bool
	Browser   *browser
}

// login runs /authorize, the sign-in form and the consent page, and
// returns the code. It fails the test unless the browser lands on the
// client's callback with the request's state and the issuer; with a
// Decision other than approve, it returns without a code.
func (ts *testServer) login(t testing.TB, l login) loginResult {
	t.Helper()
	res := loginResult{Browser: l.Browser}
	if res.Browser == nil {
		res.Browser = ts.newBrowser(t)
	}
	b := res.Browser
	key := l.APIKey
	if key == "" {
		key = testAPIKey
	}
	var challenge string
	res.Verifier, challenge = newPKCE()
	res.Query = authorizeQuery(l.Client, challenge)
	if l.Edit != nil {
		l.Edit(res.Query)
	}
	resp, page := b.authorize(t, res.Query)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /authorize: status %d, Location %q: %s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	resp, page = b.signIn(t, page, key)
	consent := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(consent, "/authorize/consent?request=") {
		t.Fatalf("POST /authorize/signin: status %d, Location %q: %s", resp.StatusCode, consent, page)
	}
	resp, page = b.get(t, consent)
	switch resp.StatusCode {
	case http.StatusFound:
		res.Consented = true
	case http.StatusOK:
		form := formFields(t, page)
		decision := l.Decision
		if decision == "" {
			decision = "approve"
		}
		form.Set("decision", decision)
		resp, page = b.postForm(t, "/authorize/consent", form)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST /authorize/consent: status %d, want 303: %s", resp.StatusCode, page)
		}
	default:
		t.Fatalf("GET %s: status %d: %s", consent, resp.StatusCode, page)
	}
	res.Status = resp.StatusCode
	res.Location = resp.Header.Get("Location")
	redirectURI := res.Query.Get("redirect_uri")
	if redirectURI == "" {
		redirectURI = l.Client.RedirectURI
	}
	res.Callback = checkCallback(t, res.Location, redirectURI, res.Query.Get("state"))
	res.Code = res.Callback.Query().Get("code")
	if (l.Decision == "" || l.Decision == "approve") && res.Code == "" {
		t.Fatalf("callback %q has no code", res.Location)
	}
	return res
}

// checkCallback checks that location is redirectURI with state (when not
// empty) and iss equal to the issuer byte for byte, and returns it parsed.
func checkCallback(t testing.TB, location, redirectURI, state string) *url.URL {
	t.Helper()
	if !strings.HasPrefix(location, redirectURI+"?") {
		t.Fatalf("redirected to %q, want the client's callback %s", location, redirectURI)
	}
	u, err := url.Parse(location)
	if err != nil {
		t.Fatalf("callback %q: %v", location, err)
	}
	q := u.Query()
	if got := q["iss"]; len(got) != 1 || got[0] != testIssuer {
		t.Errorf("callback %q: iss = %q, want exactly %q", location, got, testIssuer)
	}
	if !strings.Contains(u.RawQuery, "iss="+url.QueryEscape(testIssuer)) {
		t.Errorf("callback %q does not carry iss=%s", location, url.QueryEscape(testIssuer))
	}
	if state != "" && q.Get("state") != state {
		t.Errorf("callback %q: state = %q, want %q", location, q.Get("state"), state)
	}
	return u
}

// checkRedirectError checks that resp is a redirect with status to
// redirectURI carrying error code, state and iss.
func checkRedirectError(t testing.TB, resp *http.Response, body string, status int, redirectURI, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; Location %q; body %s", resp.StatusCode, status, resp.Header.Get("Location"), body)
	}
	u := checkCallback(t, resp.Header.Get("Location"), redirectURI, testState)
	if got := u.Query().Get("error"); got != code {
		t.Errorf("error = %q, want %q (Location %s)", got, code, u)
	}
	if u.Query().Get("code") != "" {
		t.Errorf("an error redirect carries a code: %s", u)
	}
}

// checkErrorPage checks that resp is an HTML error page with status, not
// a redirect.
func checkErrorPage(t testing.TB, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status = %d, want %d; Location %q; body %s", resp.StatusCode, status, resp.Header.Get("Location"), body)
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		t.Errorf("an error page redirects to %q", loc)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type = %q, want an HTML page", ct)
	}
	if !strings.Contains(body, "Cannot continue") {
		t.Errorf("not the error page: %s", body)
	}
}

// tokenSet is a token response.
type tokenSet struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
	RefreshToken string `json:"refresh_token"`
}

// postAs posts form to path authenticated as c, by its registered
// method.
func (ts *testServer) postAs(t testing.TB, path string, c testClient, form url.Values) (*http.Response, []byte) {
	t.Helper()
	var header []string
	switch c.AuthMethod {
	case "client_secret_basic":
		header = []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(c.ID+":"+c.Secret))}
	case "client_secret_post":
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	default:
		form.Set("client_id", c.ID)
	}
	return ts.postForm(t, path, form, header...)
}

// postForm posts form to path.
func (ts *testServer) postForm(t testing.TB, path string, form url.Values, header ...string) (*http.Response, []byte) {
	t.Helper()
	return ts.do(t, http.MethodPost, path, strings.NewReader(form.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, header...)...)
}

// codeForm is the token request redeeming res's code.
func codeForm(res loginResult) url.Values {
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {res.Code}, "redirect_uri": {res.Query.Get("redirect_uri")},
		"code_verifier": {res.Verifier},
	}
}

// redeem exchanges res's code as c and fails the test unless it gets
// tokens.
func (ts *testServer) redeem(t testing.TB, c testClient, res loginResult) tokenSet {
	t.Helper()
	resp, body := ts.postAs(t, "/token", c, codeForm(res))
	return checkTokens(t, resp, body)
}

// refresh posts a refresh token request as c, with extra parameters.
func (ts *testServer) refresh(t testing.TB, c testClient, refreshToken string, extra url.Values) (*http.Response, []byte) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}
	for k, v := range extra {
		form[k] = v
	}
	return ts.postAs(t, "/token", c, form)
}

// checkTokens checks a successful token response and decodes it.
func checkTokens(t testing.TB, resp *http.Response, body []byte) tokenSet {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token response: status %d: %s", resp.StatusCode, body)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	checkNoNull(t, body)
	var tokens tokenSet
	if err := json.Unmarshal(body, &tokens); err != nil {
		t.Fatalf("token response: %v: %s", err, body)
	}
	if tokens.AccessToken == "" || tokens.TokenType != "Bearer" || tokens.ExpiresIn <= 0 {
		t.Fatalf("token response lacks a Bearer access token: %s", body)
	}
	return tokens
}

// verify checks an access token with the server's verifier.
func (ts *testServer) verify(token string) (auth.Principal, error) {
	return ts.Verifier().Verify(context.Background(), token)
}

// mustVerify fails the test unless token verifies.
func (ts *testServer) mustVerify(t testing.TB, token string) auth.Principal {
	t.Helper()
	p, err := ts.verify(token)
	if err != nil {
		t.Fatalf("the access token does not verify: %v", err)
	}
	return p
}

// mustRefuse fails the test if token verifies.
func (ts *testServer) mustRefuse(t testing.TB, token, why string) error {
	t.Helper()
	p, err := ts.verify(token)
	if err == nil {
		t.Errorf("%s: the access token still verifies (grant %s)", why, p.GrantID)
	}
	return err
}
