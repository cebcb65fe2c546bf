package oauth

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAuthorizeUnknownClient: an unknown client_id gets an error page,
// never a redirect, whatever redirect_uri the request names.
func TestAuthorizeUnknownClient(t *testing.T) {
	ts := newTestServer(t)
	_, challenge := newPKCE()
	q := authorizeQuery(testClient{ID: "cl_unknown", RedirectURI: testRedirect}, challenge)
	resp, body := ts.newBrowser(t).authorize(t, q)
	checkErrorPage(t, resp, body, http.StatusBadRequest)
}

// TestAuthorizeUnregisteredRedirectURI: a redirect_uri the client did not
// register gets an error page, not a redirect to it.
func TestAuthorizeUnregisteredRedirectURI(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	_, challenge := newPKCE()
	q := authorizeQuery(c, challenge)
	q.Set("redirect_uri", "https://attacker.example/cb")
	resp, body := ts.newBrowser(t).authorize(t, q)
	checkErrorPage(t, resp, body, http.StatusBadRequest)
}

// TestAuthorizeLoopbackRedirectAnyPort: a loopback redirect URI matches
// on any port (RFC 8252 section 7.3), but only with the same host and
// path.
func TestAuthorizeLoopbackRedirectAnyPort(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t) // registered http://127.0.0.1:9/cb
	t.Run("other port matches", func(t *testing.T) {
		res := ts.login(t, login{Client: c, Edit: func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:5555/cb") }})
		if !strings.HasPrefix(res.Location, "http://127.0.0.1:5555/cb?") {
			t.Fatalf("callback %q, want the port of the request", res.Location)
		}
		form := codeForm(res)
		form.Set("redirect_uri", "http://127.0.0.1:5555/cb")
		resp, body := ts.postAs(t, "/token", c, form)
		checkTokens(t, resp, body)
	})
	for _, tc := range []struct{ name, uri string }{
		{"other path refused", "http://127.0.0.1:5555/other"},
		{"localhost is another host", "http://localhost:5555/cb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, challenge := newPKCE()
			q := authorizeQuery(c, challenge)
			q.Set("redirect_uri", tc.uri)
			resp, body := ts.newBrowser(t).authorize(t, q)
			checkErrorPage(t, resp, body, http.StatusBadRequest)
		})
	}
}

// TestAuthorizeErrorsRedirect: once the client and redirect URI are
// known good, a bad request goes back to the client with a 302, the
// error, the state and the issuer.
func TestAuthorizeErrorsRedirect(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	for _, tc := range []struct {
		name string
		edit func(url.Values)
		code string
	}{
		{"PKCE missing", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, errInvalidRequest},
		{"challenge without method", func(q url.Values) { q.Del("code_challenge_method") }, errInvalidRequest},
		{"plain method", func(q url.Values) { q.Set("code_challenge_method", "plain") }, errInvalidRequest},
		{"response_type token", func(q url.Values) { q.Set("response_type", "token") }, errUnsupportedResponse},
		{"resource of another server", func(q url.Values) { q.Set("resource", "https://other.example/mcp") }, errInvalidTarget},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, challenge := newPKCE()
			q := authorizeQuery(c, challenge)
			tc.edit(q)
			resp, body := ts.newBrowser(t).authorize(t, q)
			checkRedirectError(t, resp, body, http.StatusFound, testRedirect, tc.code)
		})
	}
}

// TestAuthorizePostErrorRedirectIs303: an authorization request POSTed as
// a form that is refused goes back with 303, never 302 or 307: the
// browser must not re-post (or be allowed to re-post) the form to the
// client.
func TestAuthorizePostErrorRedirectIs303(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	_, challenge := newPKCE()
	q := authorizeQuery(c, challenge)
	q.Set("code_challenge_method", "plain")
	resp, body := ts.newBrowser(t).postForm(t, "/authorize", q)
	checkRedirectError(t, resp, body, http.StatusSeeOther, testRedirect, errInvalidRequest)
}

// TestAuthorizeResourceCanonical: resource identifiers compare with the
// scheme and host case-insensitive and one trailing slash allowed on an
// origin only; any other difference of path is another resource.
func TestAuthorizeResourceCanonical(t *testing.T) {
	const issuer = "https://skills.example.com"
	ts := newTestServer(t, func(o *Options) { o.Issuer = issuer })
	c := ts.publicClient(t)
	for _, tc := range []struct {
		name     string
		resource string
		ok       bool
	}{
		{"exact", issuer + "/mcp", true},
		{"uppercase host", "https://SKILLS.Example.COM/mcp", true},
		{"uppercase scheme", "HTTPS://skills.example.com/mcp", true},
		{"origin", issuer, true},
		{"origin with trailing slash", issuer + "/", true},
		{"sse", issuer + "/sse", true},
		{"trailing slash on a path", issuer + "/mcp/", false},
		{"path case differs", issuer + "/MCP", false},
		{"query", issuer + "/mcp?x=1", false},
		{"fragment", issuer + "/mcp#x", false},
		{"other port", "https://skills.example.com:8443/mcp", false},
		{"http instead of https", "http://skills.example.com/mcp", false},
		{"relative", "/mcp", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, challenge := newPKCE()
			q := authorizeQuery(c, challenge)
			q.Set("resource", tc.resource)
			resp, body := ts.newBrowser(t).authorize(t, q)
			if tc.ok {
				if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="api_key"`) {
					t.Fatalf("resource %q refused: status %d, Location %q", tc.resource, resp.StatusCode, resp.Header.Get("Location"))
				}
				return
			}
			if resp.StatusCode != http.StatusFound {
				t.Fatalf("resource %q: status %d, want 302 invalid_target", tc.resource, resp.StatusCode)
			}
			u, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || u.Query().Get("error") != errInvalidTarget || u.Query().Get("iss") != issuer {
				t.Fatalf("resource %q: Location %q, want invalid_target with iss %s", tc.resource, resp.Header.Get("Location"), issuer)
			}
		})
	}
}

// TestAuthorizeUnknownScopesIgnored: scopes this server does not support
// are dropped, as MCP clients send scopes of other servers; none left
// means the defaults.
func TestAuthorizeUnknownScopesIgnored(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	for _, tc := range []struct{ name, scope, want string }{
		{"mixed", "openid skills:read other:write", "skills:read"},
		{"only unknown", "openid profile", "skills:read skills:execute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := ts.login(t, login{Client: c, Edit: func(q url.Values) { q.Set("scope", tc.scope) }})
			tokens := ts.redeem(t, c, res)
			if tokens.Scope != tc.want {
				t.Fatalf("scope = %q, want %q", tokens.Scope, tc.want)
			}
		})
	}
}

// TestAuthorizeDuplicateParameter: a parameter given twice gets an error
// page (RFC 6749 section 3.1), even when the redirect URI is good.
func TestAuthorizeDuplicateParameter(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	for _, name := range []string{"state", "client_id", "redirect_uri", "code_challenge", "resource", "scope"} {
		t.Run(name, func(t *testing.T) {
			_, challenge := newPKCE()
			q := authorizeQuery(c, challenge)
			q.Add(name, q.Get(name))
			resp, body := ts.newBrowser(t).authorize(t, q)
			checkErrorPage(t, resp, body, http.StatusBadRequest)
		})
	}
}

// TestRedirectStatuses: every redirect of a login is 302 after a GET and
// 303 after a POST, never 307, and every callback carries iss byte for
// byte.
func TestRedirectStatuses(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	b := ts.newBrowser(t)
	_, challenge := newPKCE()
	resp, page := b.authorize(t, authorizeQuery(c, challenge))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /authorize: %d", resp.StatusCode)
	}
	resp, _ = b.signIn(t, page, testAPIKey)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in POST: status %d, want 303", resp.StatusCode)
	}
	resp, page = b.get(t, resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %d", resp.StatusCode)
	}
	form := formFields(t, page)
	form.Set("decision", "approve")
	resp, _ = b.postForm(t, "/authorize/consent", form)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("consent POST: status %d, want 303", resp.StatusCode)
	}
	checkCallback(t, resp.Header.Get("Location"), testRedirect, testState)

	// The second login skips the consent page: a GET, so 302.
	res := ts.login(t, login{Client: c, Browser: b})
	if !res.Consented || res.Status != http.StatusFound {
		t.Errorf("remembered consent: status %d (consented %v), want 302", res.Status, res.Consented)
	}
	// A deny after a POST: 303.
	res = ts.login(t, login{Client: ts.publicClient(t), Decision: "deny"})
	if res.Status != http.StatusSeeOther {
		t.Errorf("deny: status %d, want 303", res.Status)
	}
}

// TestAuthorizeRateLimitPerAddress: authorization requests are limited
// per network address, not per connection: opening a new connection (a
// new source port) for each request does not escape the limit.
func TestAuthorizeRateLimitPerAddress(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	b := ts.newBrowser(t)
	b.http.Transport = &http.Transport{DisableKeepAlives: true}
	_, challenge := newPKCE()
	q := authorizeQuery(c, challenge)
	limited := false
	for i := 0; i <= authorizeRate && !limited; i++ {
		resp, _ := b.authorize(t, q)
		limited = resp.StatusCode == http.StatusTooManyRequests
	}
	if !limited {
		t.Fatalf("%d authorization requests from one address, each on a new connection, were all served; want 429 past %d a minute", authorizeRate+1, authorizeRate)
	}
}
