package oauth

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
)

// loggedIn logs in with a new public client and redeems the code.
func loggedIn(t testing.TB, ts *testServer, l login) (testClient, tokenSet) {
	t.Helper()
	if l.Client.ID == "" {
		l.Client = ts.publicClient(t)
	}
	tokens := ts.redeem(t, l.Client, ts.login(t, l))
	if tokens.RefreshToken == "" {
		t.Fatal("no refresh token")
	}
	return l.Client, tokens
}

// TestRefreshRotates: a refresh gives a new refresh token and a new
// access token that verifies.
func TestRefreshRotates(t *testing.T) {
	ts := newTestServer(t)
	c, first := loggedIn(t, ts, login{})
	resp, body := ts.refresh(t, c, first.RefreshToken, nil)
	next := checkTokens(t, resp, body)
	if next.RefreshToken == "" || next.RefreshToken == first.RefreshToken {
		t.Fatalf("refresh token not rotated: %q then %q", first.RefreshToken, next.RefreshToken)
	}
	if next.AccessToken == first.AccessToken {
		t.Fatal("the same access token again")
	}
	ts.mustVerify(t, next.AccessToken)
	// The new one works in turn.
	resp, body = ts.refresh(t, c, next.RefreshToken, nil)
	checkTokens(t, resp, body)
}

// TestRefreshReplayWithinGrace: the previous refresh token presented
// again within RefreshGrace gets the very same new refresh token.
func TestRefreshReplayWithinGrace(t *testing.T) {
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock))
	c, first := loggedIn(t, ts, login{})
	resp, body := ts.refresh(t, c, first.RefreshToken, nil)
	next := checkTokens(t, resp, body)
	clock.Advance(DefaultRefreshGrace / 2)
	resp, body = ts.refresh(t, c, first.RefreshToken, nil)
	again := checkTokens(t, resp, body)
	if again.RefreshToken != next.RefreshToken {
		t.Fatalf("replay within the grace window: refresh token %q, want the same %q", again.RefreshToken, next.RefreshToken)
	}
	ts.mustVerify(t, again.AccessToken)
	ts.mustVerify(t, next.AccessToken)
}

// TestRefreshReuseAfterGrace: the previous refresh token presented after
// the grace window is refused and revokes the whole family: the current
// refresh token and every access token.
func TestRefreshReuseAfterGrace(t *testing.T) {
	clock := newTestClock()
	ts := newTestServer(t, withClock(clock))
	c, first := loggedIn(t, ts, login{})
	resp, body := ts.refresh(t, c, first.RefreshToken, nil)
	next := checkTokens(t, resp, body)
	clock.Advance(DefaultRefreshGrace + time.Second)
	resp, body = ts.refresh(t, c, first.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
	resp, body = ts.refresh(t, c, next.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
	ts.mustRefuse(t, first.AccessToken, "first access token after reuse")
	ts.mustRefuse(t, next.AccessToken, "rotated access token after reuse")
}

// TestRefreshOtherClient: client B cannot use client A's refresh token.
func TestRefreshOtherClient(t *testing.T) {
	ts := newTestServer(t)
	_, tokens := loggedIn(t, ts, login{})
	resp, body := ts.refresh(t, ts.publicClient(t), tokens.RefreshToken, nil)
	checkError(t, resp, body, http.StatusBadRequest, errInvalidGrant)
}

// TestRefreshResponsesNoStore: refresh responses, success or error, are
// JSON with Cache-Control: no-store and no null.
func TestRefreshResponsesNoStore(t *testing.T) {
	ts := newTestServer(t)
	c, tokens := loggedIn(t, ts, login{})
	resp, body := ts.refresh(t, c, tokens.RefreshToken, nil)
	checkTokens(t, resp, body) // checks no-store and no null
	for _, tc := range []struct {
		name  string
		token string
		code  string
	}{
		{"unknown token", "sgr_unknown", errInvalidGrant},
		{"missing token", "", errInvalidRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ts.refresh(t, c, tc.token, nil)
			checkError(t, resp, body, http.StatusBadRequest, tc.code)
			if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
		})
	}
}

// TestRefreshScopeEscalation: a refresh may not ask for a scope that was
// not granted.
func TestRefreshScopeEscalation(t *testing.T) {
	ts := newTestServer(t, withReaderKey)
	c, tokens := loggedIn(t, ts, login{APIKey: readerAPIKey})
	if tokens.Scope != auth.ScopeSkillsRead {
		t.Fatalf("granted %q, want skills:read only", tokens.Scope)
	}
	for _, scope := range []string{auth.ScopeSkillsExecute, "skills:read skills:execute"} {
		t.Run(scope, func(t *testing.T) {
			resp, body := ts.refresh(t, c, tokens.RefreshToken, url.Values{"scope": {scope}})
			checkError(t, resp, body, http.StatusBadRequest, errInvalidScope)
		})
	}
}

// TestRefreshScopeNarrowing: a refresh may ask for fewer scopes than were
// granted, and the new access token carries only those.
func TestRefreshScopeNarrowing(t *testing.T) {
	ts := newTestServer(t)
	c, tokens := loggedIn(t, ts, login{})
	resp, body := ts.refresh(t, c, tokens.RefreshToken, url.Values{"scope": {auth.ScopeSkillsRead}})
	next := checkTokens(t, resp, body)
	if next.Scope != auth.ScopeSkillsRead {
		t.Fatalf("scope = %q, want skills:read", next.Scope)
	}
	if p := ts.mustVerify(t, next.AccessToken); !slices.Equal(p.Scopes, []string{auth.ScopeSkillsRead}) {
		t.Fatalf("verified scopes = %q", p.Scopes)
	}
}
