package oauth

import (
	"net/http"
	"net/url"
	"testing"
)

// revokeToken posts token to /revoke as c and checks the 200.
func (ts *testServer) revokeToken(t testing.TB, c testClient, token string) {
	t.Helper()
	resp, body := ts.postAs(t, "/revoke", c, url.Values{"token": {token}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: status %d, want 200: %s", resp.StatusCode, body)
	}
}

// TestRevokeRefreshToken: revoking the refresh token revokes the grant,
// so its access token stops verifying too.
func TestRevokeRefreshToken(t *testing.T) {
	ts := newTestServer(t)
	c, tokens := loggedIn(t, ts, login{})
	ts.revokeToken(t, c, tokens.RefreshToken)
	ts.mustRefuse(t, tokens.AccessToken, "after revoking the refresh token")
	resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestRevokeAccessToken: revoking the access token revokes the grant, its
// refresh token included.
func TestRevokeAccessToken(t *testing.T) {
	ts := newTestServer(t)
	c, tokens := loggedIn(t, ts, login{})
	ts.revokeToken(t, c, tokens.AccessToken)
	ts.mustRefuse(t, tokens.AccessToken, "after revoking it")
	resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestRevokeUnknownToken: an unknown token gets 200 (RFC 7009 section
// 2.2), whatever it looks like.
func TestRevokeUnknownToken(t *testing.T) {
	ts := newTestServer(t)
	c := ts.publicClient(t)
	for _, token := range []string{"sgr_unknown", "not-a-token", "eyJhbGciOiJFUzI1NiJ9.e30.c2ln"} {
		t.Run(token, func(t *testing.T) { ts.revokeToken(t, c, token) })
	}
}

// TestRevokeOtherClientsToken: a client revoking another client's token
// gets 200 and revokes nothing.
func TestRevokeOtherClientsToken(t *testing.T) {
	ts := newTestServer(t)
	a, tokens := loggedIn(t, ts, login{})
	b := ts.publicClient(t)
	ts.revokeToken(t, b, tokens.RefreshToken)
	ts.revokeToken(t, b, tokens.AccessToken)
	ts.mustVerify(t, tokens.AccessToken)
	resp, body := ts.refresh(t, a, tokens.RefreshToken, nil)
	checkTokens(t, resp, body)
}
