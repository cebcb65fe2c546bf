package oauth

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// basicAuth is an Authorization header of HTTP Basic with id and secret
// as given.
func basicAuth(id, secret string) []string {
	return []string{"Authorization", "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))}
}

// percentEncodeAll percent-encodes every byte of s: a valid, if zealous,
// application/x-www-form-urlencoded encoding, which differs from s.
func percentEncodeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

// TestClientCredentialsAPIKey: an API key as client_secret gives an access
// token linked to that key, without a refresh token.
func TestClientCredentialsAPIKey(t *testing.T) {
	ts := newTestServer(t)
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"client_secret_post", url.Values{"grant_type": {"client_credentials"}, "client_id": {"my-script"}, "client_secret": {testAPIKey}}, nil},
		{"client_secret_basic", url.Values{"grant_type": {"client_credentials"}}, basicAuth("my-script", testAPIKey)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ts.postForm(t, "/token", tc.form, tc.header...)
			tokens := checkTokens(t, resp, body)
			if _, ok := decodeObject(t, body)["refresh_token"]; ok || tokens.RefreshToken != "" {
				t.Errorf("client credentials gave a refresh token: %s", body)
			}
			p := ts.mustVerify(t, tokens.AccessToken)
			if p.CredentialID != "static:"+testKeyName {
				t.Errorf("CredentialID = %q, want static:%s", p.CredentialID, testKeyName)
			}
		})
	}
}

// TestClientCredentialsWrongKey: a wrong key is invalid_client (401).
func TestClientCredentialsWrongKey(t *testing.T) {
	ts := newTestServer(t)
	resp, body := ts.postForm(t, "/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"my-script"},
		"client_secret": {"sk_test_oauth_wrong_0123456789abcdefghijklmn"}})
	checkError(t, resp, body, http.StatusUnauthorized, errInvalidClient)
}

// TestClientAuthentication: the ways a client authenticates at /token, and
// the ways it fails.
func TestClientAuthentication(t *testing.T) {
	ts := newTestServer(t)
	basic := ts.confidentialClient(t, "client_secret_basic")
	post := ts.confidentialClient(t, "client_secret_post")
	public := ts.publicClient(t)

	ok := []struct {
		name   string
		client testClient
		auth   func(url.Values) []string
	}{
		{"basic form-urlencoded", basic, func(url.Values) []string {
			return basicAuth(percentEncodeAll(basic.ID), percentEncodeAll(basic.Secret))
		}},
		{"basic raw", basic, func(url.Values) []string { return basicAuth(basic.ID, basic.Secret) }},
		{"client_secret_post", post, func(f url.Values) []string {
			f.Set("client_id", post.ID)
			f.Set("client_secret", post.Secret)
			return nil
		}},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			res := ts.login(t, login{Client: tc.client})
			form := codeForm(res)
			header := tc.auth(form)
			resp, body := ts.postForm(t, "/token", form, header...)
			tokens := checkTokens(t, resp, body)
			ts.mustVerify(t, tokens.AccessToken)
		})
	}

	bad := []struct {
		name   string
		auth   func(url.Values) []string
		status int
		code   string
	}{
		{"basic and post at once", func(f url.Values) []string {
			f.Set("client_secret", basic.Secret)
			return basicAuth(basic.ID, basic.Secret)
		}, http.StatusBadRequest, errInvalidRequest},
		{"wrong basic secret", func(url.Values) []string { return basicAuth(basic.ID, "wrong-secret") }, http.StatusUnauthorized, errInvalidClient},
		{"confidential without secret", func(f url.Values) []string { f.Set("client_id", basic.ID); return nil }, http.StatusUnauthorized, errInvalidClient},
		{"public client with a secret", func(f url.Values) []string {
			f.Set("client_id", public.ID)
			f.Set("client_secret", "some-secret")
			return nil
		}, http.StatusUnauthorized, errInvalidClient},
		{"public client with basic", func(url.Values) []string { return basicAuth(public.ID, "some-secret") }, http.StatusUnauthorized, errInvalidClient},
		{"unknown client_id", func(f url.Values) []string { f.Set("client_id", "cl_unknown"); return nil }, http.StatusUnauthorized, errInvalidClient},
		{"unknown client with basic", func(url.Values) []string { return basicAuth("cl_unknown", "secret") }, http.StatusUnauthorized, errInvalidClient},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"authorization_code"}, "code": {"sgc_whatever"},
				"redirect_uri": {testRedirect}, "code_verifier": {strings.Repeat("v", 43)}}
			header := tc.auth(form)
			resp, body := ts.postForm(t, "/token", form, header...)
			checkError(t, resp, body, tc.status, tc.code)
		})
	}
}

// TestClientCredentialsRateLimited: one address cannot exchange keys, or
// guess them, faster than clientCredentialsRate a minute.
func TestClientCredentialsRateLimited(t *testing.T) {
	ts := newTestServer(t)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"script"}, "client_secret": {"sk_live_wrong"}}
	var last int
	for range clientCredentialsRate + 1 {
		resp, _ := ts.postForm(t, "/token", form)
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Fatalf("request %d from one address: status %d, want 429", clientCredentialsRate+1, last)
	}
}
