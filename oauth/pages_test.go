package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/store"
)

// checkPageHeaders checks the headers that keep a page from being framed,
// cached or read across origins.
func checkPageHeaders(t testing.TB, name string, resp *http.Response) {
	t.Helper()
	h := resp.Header
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: Content-Security-Policy = %q, want frame-ancestors 'none'", name, csp)
	}
	if v := h.Get("X-Frame-Options"); v != "DENY" {
		t.Errorf("%s: X-Frame-Options = %q, want DENY", name, v)
	}
	if v := h.Get("Cache-Control"); v != "no-store" {
		t.Errorf("%s: Cache-Control = %q, want no-store", name, v)
	}
	if v, ok := h["Access-Control-Allow-Origin"]; ok {
		t.Errorf("%s: Access-Control-Allow-Origin = %q, want none", name, v)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("%s: Content-Type = %q", name, ct)
	}
}

// startLogin registers a client and shows the sign-in page in a new
// browser.
func startLogin(t testing.TB, ts *testServer) (testClient, *browser, string) {
	t.Helper()
	c := ts.publicClient(t)
	b := ts.newBrowser(t)
	_, challenge := newPKCE()
	resp, page := b.authorize(t, authorizeQuery(c, challenge))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /authorize: status %d: %s", resp.StatusCode, page)
	}
	return c, b, page
}

// toConsent signs in on page and fetches the consent page.
func toConsent(t testing.TB, b *browser, page string) (*http.Response, string) {
	t.Helper()
	resp, body := b.signIn(t, page, testAPIKey)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: status %d: %s", resp.StatusCode, body)
	}
	return b.get(t, resp.Header.Get("Location"))
}

// storedRequest returns the authorization request id, failing the test if
// it is gone.
func storedRequest(t testing.TB, ts *testServer, id string) store.OAuthRequest {
	t.Helper()
	req, err := ts.DB.Request(context.Background(), id, ts.now())
	if err != nil {
		t.Fatalf("request %s: %v", id, err)
	}
	return req
}

// TestPageHeaders: the sign-in and consent pages cannot be framed,
// cached or read from another origin.
func TestPageHeaders(t *testing.T) {
	ts := newTestServer(t)
	_, b, _ := startLogin(t, ts)
	_, challenge := newPKCE()
	resp, page := b.authorize(t, authorizeQuery(ts.publicClient(t), challenge))
	checkPageHeaders(t, "sign-in page", resp)
	resp, _ = toConsent(t, b, page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: status %d", resp.StatusCode)
	}
	checkPageHeaders(t, "consent page", resp)
}

// TestSignInFormHasAPIKeyInput: the sign-in form asks for an API key.
func TestSignInFormHasAPIKeyInput(t *testing.T) {
	ts := newTestServer(t)
	_, _, page := startLogin(t, ts)
	if !regexp.MustCompile(`<input [^>]*name="api_key"`).MatchString(page) {
		t.Fatalf("no api_key input on the sign-in page:\n%s", page)
	}
}

// TestConsentFormHasApproveButton: the consent form approves with a
// button decision=approve.
func TestConsentFormHasApproveButton(t *testing.T) {
	ts := newTestServer(t)
	_, b, page := startLogin(t, ts)
	_, consent := toConsent(t, b, page)
	if !regexp.MustCompile(`<button [^>]*name="decision" value="approve"`).MatchString(consent) {
		t.Fatalf("no approve button on the consent page:\n%s", consent)
	}
}

// TestSignInFormForgery: a sign-in POST without the CSRF token, with a
// wrong one, or from another browser is refused with 403 and records no
// identity; the real form still works afterwards.
func TestSignInFormForgery(t *testing.T) {
	ts := newTestServer(t)
	_, b, page := startLogin(t, ts)
	good := formFields(t, page)
	id := good.Get("request")
	other := ts.newBrowser(t)
	_, challenge := newPKCE()
	if resp, _ := other.authorize(t, authorizeQuery(ts.publicClient(t), challenge)); resp.StatusCode != http.StatusOK || other.cookie(t) == "" {
		t.Fatalf("the other browser got no cookie (status %d)", resp.StatusCode)
	}
	for _, tc := range []struct {
		name    string
		browser *browser
		edit    func(url.Values)
	}{
		{"no csrf token", b, func(f url.Values) { f.Del("csrf_token") }},
		{"wrong csrf token", b, func(f url.Values) { f.Set("csrf_token", strings.Repeat("A", 43)) }},
		{"browser without cookie", ts.newBrowser(t), nil},
		{"browser with another cookie", other, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range good {
				form[k] = append([]string(nil), v...)
			}
			form.Set("api_key", testAPIKey)
			if tc.edit != nil {
				tc.edit(form)
			}
			resp, body := tc.browser.postForm(t, "/authorize/signin", form)
			checkErrorPage(t, resp, body, http.StatusForbidden)
			if req := storedRequest(t, ts, id); req.Identity != nil {
				t.Fatalf("a forged sign-in recorded identity %+v", *req.Identity)
			}
		})
	}
	resp, consent := toConsent(t, b, page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the real sign-in failed after the forgeries: status %d: %s", resp.StatusCode, consent)
	}
}

// TestConsentFormForgery: a consent POST without the CSRF token, with a
// wrong one, or from another browser is refused with 403 and issues
// nothing: no code, no consent, the request still pending.
func TestConsentFormForgery(t *testing.T) {
	ts := newTestServer(t)
	c, b, page := startLogin(t, ts)
	resp, consent := toConsent(t, b, page)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: status %d", resp.StatusCode)
	}
	good := formFields(t, consent)
	good.Set("decision", "approve")
	id := good.Get("request")
	identity := storedRequest(t, ts, id).Identity
	if identity == nil {
		t.Fatal("no identity after signing in")
	}
	other := ts.newBrowser(t)
	_, challenge := newPKCE()
	if resp, _ := other.authorize(t, authorizeQuery(c, challenge)); resp.StatusCode != http.StatusOK || other.cookie(t) == "" {
		t.Fatalf("the other browser got no cookie (status %d)", resp.StatusCode)
	}
	for _, tc := range []struct {
		name    string
		browser *browser
		edit    func(url.Values)
	}{
		{"no csrf token", b, func(f url.Values) { f.Del("csrf_token") }},
		{"wrong csrf token", b, func(f url.Values) { f.Set("csrf_token", strings.Repeat("A", 43)) }},
		{"browser without cookie", ts.newBrowser(t), nil},
		{"browser with another cookie", other, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range good {
				form[k] = append([]string(nil), v...)
			}
			if tc.edit != nil {
				tc.edit(form)
			}
			resp, body := tc.browser.postForm(t, "/authorize/consent", form)
			checkErrorPage(t, resp, body, http.StatusForbidden)
			storedRequest(t, ts, id) // still pending: nothing was decided
			if _, err := ts.DB.Consent(context.Background(), c.ID, identity.Key()); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a forged consent was saved (err %v)", err)
			}
		})
	}
	resp, _ = b.postForm(t, "/authorize/consent", good)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the real consent failed after the forgeries: status %d", resp.StatusCode)
	}
	if u := checkCallback(t, resp.Header.Get("Location"), testRedirect, testState); u.Query().Get("code") == "" {
		t.Fatalf("no code after the real consent: %s", u)
	}
}

// TestSignInWrongKey: a wrong API key shows the sign-in page again with an
// error, and records no identity.
func TestSignInWrongKey(t *testing.T) {
	ts := newTestServer(t)
	_, b, page := startLogin(t, ts)
	id := formFields(t, page).Get("request")
	resp, body := b.signIn(t, page, "sk_test_oauth_wrong_0123456789abcdefghijklmn")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="api_key"`) || !strings.Contains(body, `class="error"`) {
		t.Fatalf("wrong key: status %d, want the sign-in page with an error:\n%s", resp.StatusCode, body)
	}
	if req := storedRequest(t, ts, id); req.Identity != nil {
		t.Fatalf("a wrong key recorded identity %+v", *req.Identity)
	}
}

// TestSignInRefusesAccessToken: an OAuth access token pasted as the key is
// refused: signing in needs an API key.
func TestSignInRefusesAccessToken(t *testing.T) {
	ts := newTestServer(t)
	withTokensAccepted(ts)
	c := ts.publicClient(t)
	tokens := ts.redeem(t, c, ts.login(t, login{Client: c}))
	ts.mustVerify(t, tokens.AccessToken)

	_, b, page := startLogin(t, ts)
	id := formFields(t, page).Get("request")
	resp, body := b.signIn(t, page, tokens.AccessToken)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Sign in with an API key") {
		t.Fatalf("access token as key: status %d, want the sign-in page saying \"Sign in with an API key\":\n%s", resp.StatusCode, body)
	}
	if req := storedRequest(t, ts, id); req.Identity != nil {
		t.Fatalf("an access token recorded identity %+v", *req.Identity)
	}
}

// TestConsentDeny: denying sends the browser back with access_denied.
func TestConsentDeny(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c, Decision: "deny"})
	if got := res.Callback.Query().Get("error"); got != errAccessDenied || res.Code != "" {
		t.Fatalf("deny: callback %s, want error=access_denied and no code", res.Location)
	}
}

// TestConsentRemembered: a second login of the same identity and client
// goes from the consent GET straight back to the callback with a 302.
func TestConsentRemembered(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	first := ts.login(t, login{Client: c})
	if first.Consented {
		t.Fatal("the first login skipped the consent page")
	}
	// Another browser: consent is remembered for the identity, not the
	// browser.
	second := ts.login(t, login{Client: c})
	if !second.Consented || second.Status != http.StatusFound {
		t.Fatalf("second login: consented %v, status %d; want straight back with 302", second.Consented, second.Status)
	}
	ts.redeem(t, c, second)
	// Another client is asked again.
	if third := ts.login(t, login{Client: ts.publicClient(t)}); third.Consented {
		t.Fatal("a consent given to one client was used for another")
	}
}

// TestAuthorizationRequestExpires: a request older than RequestTTL gets
// the expired error page.
func TestAuthorizationRequestExpires(t *testing.T) {
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock))
	t.Run("sign-in", func(t *testing.T) {
		_, b, page := startLogin(t, ts)
		clock.Advance(DefaultRequestTTL + 1)
		resp, body := b.signIn(t, page, testAPIKey)
		checkErrorPage(t, resp, body, http.StatusBadRequest)
		if !strings.Contains(body, "expired") {
			t.Errorf("not the expired page: %s", body)
		}
	})
	t.Run("consent", func(t *testing.T) {
		_, b, page := startLogin(t, ts)
		resp, body := b.signIn(t, page, testAPIKey)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign-in: status %d: %s", resp.StatusCode, body)
		}
		clock.Advance(DefaultRequestTTL + 1)
		resp, body = b.get(t, resp.Header.Get("Location"))
		checkErrorPage(t, resp, body, http.StatusBadRequest)
		if !strings.Contains(body, "expired") {
			t.Errorf("not the expired page: %s", body)
		}
	})
}
