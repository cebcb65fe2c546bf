package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzRequests sends arbitrary methods, paths and bodies, authenticated as
// an administrator, to the real API: no input may cause a 5xx, a panic or
// an answer that is not a JSON object.
func FuzzRequests(f *testing.F) {
	ta := newTestAPI(f)
	f.Add("POST", "/v1/api-keys", `{"name":"x","user":"u","roles":["r"],"allowed_skill_ids":[]}`)
	f.Add("POST", "/v1/api-keys", `{"name":"x","org":"o","roles":["r"],"expires_in":"1d","claims":{"a":"b"}}`)
	f.Add("PATCH", "/v1/api-keys/key_x", `{"enabled":null,"expires_at":"2030-01-01T00:00:00Z"}`)
	f.Add("POST", "/v1/api-keys/revoke", `{"key":"sk_live_x"}`)
	f.Add("POST", "/v1/api-keys/key_x/rotate", `{"grace_period":"-1d"}`)
	f.Add("GET", "/v1/api-keys?limit=1e9&state=x&cursor=%%", ``)
	f.Add("GET", "/v1/audit?since=yesterday", ``)
	f.Add("GET", "/v1/oauth-clients", ``)
	f.Add("POST", "/v1/oauth-clients/cl_x/revoke-grants", `{}`)
	f.Add("DELETE", "/v1/oauth-clients/%C0%80", ``)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		u, err := url.Parse(ta.url + "/v1/" + strings.TrimPrefix(path, "/v1/"))
		if err != nil || len(body) > 1<<16 {
			return
		}
		req, err := http.NewRequest(method, u.String(), strings.NewReader(body))
		if err != nil {
			return
		}
		req.Header.Set("Authorization", "Bearer "+ta.admin)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // the client refused the request (a bad method, say)
		}
		defer resp.Body.Close()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode == http.StatusBadRequest && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			return // net/http refused a malformed request line before any handler
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, path, body, resp.StatusCode, raw)
		}
		var obj map[string]any
		if resp.StatusCode != http.StatusMethodNotAllowed || len(raw) > 0 {
			if err := json.Unmarshal(raw, &obj); err != nil {
				t.Fatalf("%s %s: answer is not a JSON object: %q", method, path, raw)
			}
		}
	})
}
