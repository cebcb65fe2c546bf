package oauth

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// TestCodeExchange: a good code gives a Bearer access token that
// verifies and a refresh token, with no-store and no null.
func TestCodeExchange(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c})
	form := codeForm(res)
	form.Set("resource", testIssuer+"/mcp")
	resp, body := ts.postAs(t, "/token", c, form)
	tokens := checkTokens(t, resp, body)
	if tokens.RefreshToken == "" || tokens.Scope != "skills:read skills:execute" {
		t.Fatalf("tokens = %+v", tokens)
	}
	ts.mustVerify(t, tokens.AccessToken)
}

// codeRefusal logs in with c, then redeems the code as as with form
// altered by edit, and checks the refusal.
func codeRefusal(t testing.TB, ts *testServer, c, as testClient, edit func(url.Values), status int, code string) loginResult {
	t.Helper()
	res := ts.login(t, login{Client: c})
	form := codeForm(res)
	edit(form)
	resp, body := ts.postAs(t, "/token", as, form)
	checkError(t, resp, body, status, code)
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
	return res
}

// TestCodeRedirectURIMismatch: the redirect_uri at /token must be the one
// of the authorization request, byte for byte: another port of the same
// loopback URI does not do.
func TestCodeRedirectURIMismatch(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c, Edit: func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:5555/cb") }})
	form := codeForm(res)
	form.Set("redirect_uri", testRedirect)
	resp, body := ts.postAs(t, "/token", c, form)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
	t.Run("other path", func(t *testing.T) {
		codeRefusal(t, ts, c, c, func(f url.Values) { f.Set("redirect_uri", "http://127.0.0.1:9/other") }, http.StatusBadRequest, errInvalidGrant)
	})
	// Left out, it stands for the one registered URI, which is not the
	// one (another port) the code was issued for.
	t.Run("missing after another port", func(t *testing.T) {
		res := ts.login(t, login{Client: c, Edit: func(q url.Values) { q.Set("redirect_uri", "http://127.0.0.1:5555/cb") }})
		form := codeForm(res)
		form.Del("redirect_uri")
		resp, body := ts.postAs(t, "/token", c, form)
		checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
	})
}

// TestCodeVerifierMissing: PKCE is required at /token.
func TestCodeVerifierMissing(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	codeRefusal(t, ts, c, c, func(f url.Values) { f.Del("code_verifier") }, http.StatusBadRequest, errInvalidGrant)
}

// TestCodeVerifierWrong: a verifier that does not hash to the challenge is
// refused, and spends the code.
func TestCodeVerifierWrong(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	other, _ := newPKCE()
	res := codeRefusal(t, ts, c, c, func(f url.Values) { f.Set("code_verifier", other) }, http.StatusBadRequest, errInvalidGrant)
	resp, body := ts.postAs(t, "/token", c, codeForm(res))
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestCodeReplay: a code redeemed twice fails the second time and revokes
// what the first redemption issued.
func TestCodeReplay(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c})
	first := ts.redeem(t, c, res)
	ts.mustVerify(t, first.AccessToken)
	resp, body := ts.postAs(t, "/token", c, codeForm(res))
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
	ts.mustRefuse(t, first.AccessToken, "after the code's replay")
	resp, body = ts.refresh(t, c, first.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestCodeExpired: a code older than CodeTTL (60 s) is refused.
func TestCodeExpired(t *testing.T) {
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock))
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c})
	clock.Advance(DefaultCodeTTL + time.Second)
	resp, body := ts.postAs(t, "/token", c, codeForm(res))
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestCodeOtherClient: client B cannot redeem client A's code, and its
// attempt spends the code for A too.
func TestCodeOtherClient(t *testing.T) {
	ts := newTestServer(t)
	a, b := ts.publicClient(t), ts.publicClient(t)
	res := codeRefusal(t, ts, a, b, func(url.Values) {}, http.StatusBadRequest, errInvalidGrant)
	resp, body := ts.postAs(t, "/token", a, codeForm(res))
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestCodeResourceMismatch: a resource at /token other than the
// authorization request's is invalid_target.
func TestCodeResourceMismatch(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	for _, resource := range []string{testIssuer + "/sse", "https://other.example/mcp"} {
		t.Run(resource, func(t *testing.T) {
			codeRefusal(t, ts, c, c, func(f url.Values) { f.Set("resource", resource) }, http.StatusBadRequest, errInvalidTarget)
		})
	}
}

// TestScopeNarrowedToKey: a key allowed only skills:read that asks for
// skills:read skills:execute gets only skills:read, in the response and
// in the verified token.
func TestScopeNarrowedToKey(t *testing.T) {
	ts := newTestServer(t, withReaderKey)
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c, APIKey: readerAPIKey})
	tokens := ts.redeem(t, c, res)
	if tokens.Scope != auth.ScopeSkillsRead {
		t.Fatalf("scope = %q, want %q", tokens.Scope, auth.ScopeSkillsRead)
	}
	p := ts.mustVerify(t, tokens.AccessToken)
	if !slices.Equal(p.Scopes, []string{auth.ScopeSkillsRead}) {
		t.Fatalf("verified scopes = %q", p.Scopes)
	}
	if strings.Contains(tokens.Scope, auth.ScopeSkillsExecute) {
		t.Fatal("skills:execute granted to a read-only key")
	}
}

// TestCodeRedirectURIOmitted: a client that registered one redirect URI
// may omit redirect_uri from the authorization request; it then need not
// send one to /token either (RFC 6749 section 4.1.3: redirect_uri is
// required at the token endpoint only if it was included in the
// authorization request).
func TestCodeRedirectURIOmitted(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c, Edit: func(q url.Values) { q.Del("redirect_uri") }})
	form := codeForm(res)
	form.Del("redirect_uri")
	resp, body := ts.postAs(t, "/token", c, form)
	checkTokens(t, resp, body)
}

// replayingStore is the real store, with the grant of each redeemed code
// revoked at once after its redemption: what a second presentation of the
// same code does when it lands between the first's redemption and its
// refresh token.
type replayingStore struct{ store.OAuth }

func (s replayingStore) RedeemCode(ctx context.Context, hash []byte, now time.Time) (store.OAuthCode, store.OAuthGrant, error) {
	c, g, err := s.OAuth.RedeemCode(ctx, hash, now)
	if err == nil {
		err = s.OAuth.RevokeGrant(ctx, g.ID, "authorization code replayed", now)
	}
	return c, g, err
}

// TestCodeReplayedDuringRedemption: the first redemption of a code whose
// grant a concurrent replay revoked is refused as invalid_grant, not as a
// server failure.
func TestCodeReplayedDuringRedemption(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Store = replayingStore{o.Store} })
	c := ts.publicClient(t)
	res := ts.login(t, login{Client: c})
	resp, body := ts.postAs(t, "/token", c, codeForm(res))
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}
