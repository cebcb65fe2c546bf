package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/skillgate/skillgate/auth/apikey"
)

func TestBadInput(t *testing.T) {
	ta := newTestAPI(t)
	id := ta.create(t, ta.admin, map[string]any{"name": "k", "user": "alice", "roles": []string{"dev"}}).Key.ID
	revoked := ta.create(t, ta.admin, map[string]any{"name": "gone", "user": "alice", "roles": []string{"dev"}}).Key.ID
	ta.do(t, http.MethodDelete, "/v1/api-keys/"+revoked, ta.admin, nil).want(t, http.StatusOK)
	unknown := apikey.Generate(apikey.DefaultPrefix)
	contentType := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Content-Type", v) }
	}
	tests := []struct {
		name         string
		method, path string
		body         any
		edit         func(*http.Request)
		wantStatus   int
		wantCode     string
		wantMessage  string // a part of the message
		wantHeader   [2]string
	}{
		{name: "body too large", method: http.MethodPost, path: "/v1/api-keys",
			body: `{"name": "` + strings.Repeat("x", 70<<10) + `"}`, wantStatus: http.StatusRequestEntityTooLarge, wantCode: "invalid_request", wantMessage: "64 KiB"},
		{name: "not JSON content type", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x"}`,
			edit: contentType("text/plain"), wantStatus: http.StatusUnsupportedMediaType, wantCode: "unsupported_media_type"},
		{name: "no content type", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{"name": "x"}`,
			edit: contentType(""), wantStatus: http.StatusUnsupportedMediaType, wantCode: "unsupported_media_type"},
		{name: "JSON with charset is fine", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{"name": "y"}`,
			edit: contentType("application/json; charset=utf-8"), wantStatus: http.StatusOK},
		{name: "unknown field", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "nmae": "y"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"nmae"`},
		{name: "malformed JSON", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x",}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "not valid JSON"},
		{name: "truncated JSON", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x"`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "not valid JSON"},
		{name: "two values", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x"} {}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "more than one"},
		{name: "not an object", method: http.MethodPost, path: "/v1/api-keys", body: `["name"]`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "JSON object"},
		{name: "no body", method: http.MethodPost, path: "/v1/api-keys",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "needs a JSON body"},
		{name: "wrong type", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": 5}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"name" must be a string, not number`},
		{name: "wrong type in a list", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "roles": [1]}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"roles"`},
		{name: "wrong type in claims", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "claims": {"a": 1}}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"claims"`},
		{name: "fractional quota", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "monthly_execution_quota": 1.5}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"monthly_execution_quota" must be an integer`},
		{name: "expires_at and expires_in", method: http.MethodPost, path: "/v1/api-keys",
			body:       `{"name": "x", "user": "a", "roles": ["dev"], "expires_at": "2030-01-01T00:00:00Z", "expires_in": "30d"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "not both"},
		{name: "bad expires_in", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "expires_in": "soon"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "expires_in"},
		{name: "negative expires_in", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "expires_in": "-1h"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "expires_in"},
		{name: "bad expires_at", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "expires_at": "tomorrow"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "RFC 3339"},
		{name: "past expiry", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "user": "a", "roles": ["dev"], "expires_at": "2001-01-01T00:00:00Z"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "future"},
		{name: "unknown scope", method: http.MethodPost, path: "/v1/api-keys", body: `{"name": "x", "user": "a", "roles": ["dev"], "scopes": ["keys:delete"]}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "unknown scope"},
		{name: "empty patch", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "nothing to change"},
		{name: "patch without body", method: http.MethodPatch, path: "/v1/api-keys/" + id,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "nothing to change"},
		{name: "patch unknown field", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{"name": "x", "owner": "bob"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"owner"`},
		{name: "patch null name", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{"name": null}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"name" cannot be null`},
		{name: "patch wrong type", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{"enabled": "yes"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"enabled" must be true or false`},
		{name: "patch bad expiry", method: http.MethodPatch, path: "/v1/api-keys/" + id, body: `{"expires_at": 5}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"expires_at"`},
		{name: "bad grace period", method: http.MethodPost, path: "/v1/api-keys/" + id + "/rotate", body: `{"grace_period": "a week"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "grace_period"},
		{name: "negative grace period", method: http.MethodPost, path: "/v1/api-keys/" + id + "/rotate", body: `{"grace_period": "-1h"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "negative"},
		{name: "body on revoke", method: http.MethodPost, path: "/v1/api-keys/" + id + "/revoke", body: `{"cascade": false}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"cascade"`},
		{name: "revoke by secret without key", method: http.MethodPost, path: "/v1/api-keys/revoke", body: `{}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"key" is required`},
		{name: "revoke by secret, not a key", method: http.MethodPost, path: "/v1/api-keys/revoke", body: `{"key": "hunter2"}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "not a skillgate API key"},
		{name: "revoke by unknown secret", method: http.MethodPost, path: "/v1/api-keys/revoke", body: `{"key": "` + unknown + `"}`,
			wantStatus: http.StatusNotFound, wantCode: "not_found", wantMessage: "No API key has this secret"},
		{name: "revoke by secret, wrong type", method: http.MethodPost, path: "/v1/api-keys/revoke", body: `{"key": ["` + unknown + `"]}`,
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"key" must be a string, not array`},
		{name: "limit not a number", method: http.MethodGet, path: "/v1/api-keys?limit=ten",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "limit"},
		{name: "limit zero", method: http.MethodGet, path: "/v1/api-keys?limit=0",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "limit"},
		{name: "limit too large", method: http.MethodGet, path: "/v1/api-keys?limit=201",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "limit"},
		{name: "bad state", method: http.MethodGet, path: "/v1/api-keys?state=dead",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "state"},
		{name: "bad cursor", method: http.MethodGet, path: "/v1/api-keys?cursor=%%%",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request"},
		{name: "garbage cursor", method: http.MethodGet, path: "/v1/api-keys?cursor=abc",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "cursor"},
		{name: "unknown query parameter", method: http.MethodGet, path: "/v1/api-keys?stat=active",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: `"stat"`},
		{name: "repeated query parameter", method: http.MethodGet, path: "/v1/api-keys?user=a&user=b",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "more than once"},
		{name: "bad audit time", method: http.MethodGet, path: "/v1/audit?since=yesterday",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "since"},
		{name: "bad audit result", method: http.MethodGet, path: "/v1/audit?result=fine",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "result"},
		{name: "bad audit limit", method: http.MethodGet, path: "/v1/audit?limit=1000",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "limit"},
		{name: "bad audit cursor", method: http.MethodGet, path: "/v1/audit?cursor=-3",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "cursor"},
		{name: "since after until", method: http.MethodGet, path: "/v1/audit?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
			wantStatus: http.StatusBadRequest, wantCode: "invalid_request", wantMessage: "before"},
		{name: "unknown key", method: http.MethodGet, path: "/v1/api-keys/key_doesnotexist",
			wantStatus: http.StatusNotFound, wantCode: "not_found", wantMessage: "key_doesnotexist"},
		{name: "unknown path", method: http.MethodGet, path: "/v1/keys",
			wantStatus: http.StatusNotFound, wantCode: "not_found"},
		{name: "trailing slash", method: http.MethodGet, path: "/v1/api-keys/",
			wantStatus: http.StatusNotFound, wantCode: "not_found"},
		{name: "wrong method", method: http.MethodPut, path: "/v1/api-keys/" + id, body: `{}`,
			wantStatus: http.StatusMethodNotAllowed, wantCode: "method_not_allowed", wantHeader: [2]string{"Allow", "GET, HEAD, PATCH, DELETE"}},
		{name: "wrong method on a collection", method: http.MethodDelete, path: "/v1/api-keys",
			wantStatus: http.StatusMethodNotAllowed, wantCode: "method_not_allowed", wantHeader: [2]string{"Allow", "GET, HEAD, POST"}},
		{name: "rotate a revoked key", method: http.MethodPost, path: "/v1/api-keys/" + revoked + "/rotate",
			wantStatus: http.StatusConflict, wantCode: "conflict", wantMessage: "revoked"},
		{name: "update a revoked key", method: http.MethodPatch, path: "/v1/api-keys/" + revoked, body: `{"name": "x"}`,
			wantStatus: http.StatusConflict, wantCode: "conflict", wantMessage: "revoked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var edit []func(*http.Request)
			if tc.edit != nil {
				edit = append(edit, tc.edit)
			}
			resp := ta.do(t, tc.method, tc.path, ta.admin, tc.body, edit...).want(t, tc.wantStatus)
			if tc.wantStatus < 400 {
				return
			}
			if strings.Contains(string(resp.body), unknown) {
				t.Error("the answer repeats a secret sent")
			}
			e := resp.apiError(t)
			if e.Error != tc.wantCode {
				t.Errorf("error = %q, want %q", e.Error, tc.wantCode)
			}
			if !strings.Contains(e.Message, tc.wantMessage) {
				t.Errorf("message %q does not mention %q", e.Message, tc.wantMessage)
			}
			if h := tc.wantHeader; h[0] != "" && resp.header.Get(h[0]) != h[1] {
				t.Errorf("%s = %q, want %q", h[0], resp.header.Get(h[0]), h[1])
			}
		})
	}
}

// Keys are accepted only in the Authorization header: a URL ends up in
// logs.
func TestNoKeysInURLs(t *testing.T) {
	ta := newTestAPI(t)
	for _, param := range []string{"api_key", "apiKey", "key", "access_token"} {
		t.Run(param, func(t *testing.T) {
			e := ta.do(t, http.MethodGet, "/v1/api-keys?"+param+"="+ta.admin, "", nil).want(t, http.StatusUnauthorized).apiError(t)
			if e.Error != "access_denied" {
				t.Errorf("error = %q, want access_denied", e.Error)
			}
		})
	}
}

// An id that is not shaped like one is refused without being repeated:
// it may be a secret pasted in the wrong place.
func TestSecretInPathIsNotEchoed(t *testing.T) {
	ta := newTestAPI(t)
	c := ta.create(t, ta.admin, map[string]any{"name": "k", "user": "alice", "roles": []string{"dev"}})
	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		resp := ta.do(t, method, "/v1/api-keys/"+c.Secret, ta.admin, nil).want(t, http.StatusNotFound)
		if strings.Contains(string(resp.body), c.Secret) {
			t.Errorf("%s answer repeats the secret", method)
		}
	}
	for name, body := range map[string]string{
		"unknown field":      `{"` + c.Secret + `": 1}`,
		"secret as parent":   `{"name": "x", "parent_id": "` + c.Secret + `"}`,
		"secret as a skill":  `{"name": "x", "user": "a", "roles": ["dev"], "allowed_skill_ids": [1, "` + c.Secret + `"]}`,
		"secret, wrong type": `{"name": "x", "user": "a", "roles": ["dev"], "monthly_execution_quota": "` + c.Secret + `"}`,
	} {
		resp := ta.do(t, http.MethodPost, "/v1/api-keys", ta.admin, body).want(t, http.StatusBadRequest)
		if strings.Contains(string(resp.body), c.Secret) {
			t.Errorf("%s: the answer repeats the secret", name)
		}
	}
}

func TestUnauthenticated(t *testing.T) {
	ta := newTestAPI(t)
	tests := []struct {
		name, key, wantCode string
	}{
		{"no key", "", "access_denied"},
		{"unknown key", "sk_live_" + strings.Repeat("A", 48), "invalid_token"},
		{"malformed key", "sk_live_short", "invalid_token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Even a path that does not exist: the API's shape is not
			// shown to strangers.
			for _, path := range []string{"/v1/api-keys", "/v1/nothing"} {
				resp := ta.do(t, http.MethodGet, path, tc.key, nil).want(t, http.StatusUnauthorized)
				if e := resp.apiError(t); e.Error != tc.wantCode {
					t.Errorf("%s: error = %q, want %q", path, e.Error, tc.wantCode)
				}
				if !strings.HasPrefix(resp.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: WWW-Authenticate = %q", path, resp.header.Get("WWW-Authenticate"))
				}
			}
		})
	}
}
