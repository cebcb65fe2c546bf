package oauth

import (
	"strings"
	"testing"
)

func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		name    string
		uri     string
		wantErr string // substring of the error; "" means accepted
	}{
		{"https", "https://app.example.com/callback", ""},
		{"https with port and query", "https://app.example.com:8443/cb?x=1", ""},
		{"http on 127.0.0.1", "http://127.0.0.1:3000/callback", ""},
		{"http on 127.0.0.1 without port", "http://127.0.0.1/callback", ""},
		{"http on [::1]", "http://[::1]:8080/callback", ""},
		{"http on localhost", "http://localhost:6274/oauth/callback", ""},
		{"private-use scheme", "com.example.app:/oauth2redirect", ""},
		{"private-use scheme with authority", "com.example.app://callback", ""},
		{"empty", "", "empty"},
		{"relative", "/callback", "absolute URI"},
		{"http on a public host", "http://app.example.com/callback", "must use https"},
		{"http on a private address", "http://192.168.1.10/callback", "must use https"},
		{"http on a name ending in localhost", "http://localhost.evil.com/cb", "must use https"},
		{"fragment", "https://app.example.com/callback#frag", "fragment"},
		{"empty fragment", "https://app.example.com/callback#", "fragment"},
		{"userinfo", "https://user:pw@app.example.com/callback", "userinfo"},
		{"https without host", "https:///callback", "no host"},
		{"private-use scheme without dot", "myapp:/callback", "private-use scheme with a dot"},
		{"javascript", "javascript:alert(1)", "private-use scheme with a dot"},
		{"data", "data:text/html,hi", "private-use scheme with a dot"},
		{"private-use scheme with nothing after it", "com.example.app:", "nothing after its scheme"},
		{"space", "https://app.example.com/call back", "space or control"},
		{"newline", "https://app.example.com/cb\n", "space or control"},
		{"too long", "https://app.example.com/" + strings.Repeat("a", maxRedirectURILength), "longer than 2000"},
		{"longest allowed", "https://app.example.com/" + strings.Repeat("a", maxRedirectURILength-len("https://app.example.com/")), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := checkRedirectURI(tc.uri)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("checkRedirectURI(%q) = %v, want nil", tc.uri, err)
			case tc.wantErr != "" && err == nil:
				t.Errorf("checkRedirectURI(%q) = nil, want an error about %q", tc.uri, tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Errorf("checkRedirectURI(%q) = %v, want an error about %q", tc.uri, err, tc.wantErr)
			}
		})
	}
}

func TestMatchRedirectURI(t *testing.T) {
	tests := []struct {
		name       string
		registered []string
		got        string
		want       bool
	}{
		{"exact https", []string{"https://app.example.com/cb"}, "https://app.example.com/cb", true},
		{"second of several", []string{"https://a.example.com/cb", "https://b.example.com/cb"}, "https://b.example.com/cb", true},
		{"https other path", []string{"https://app.example.com/cb"}, "https://app.example.com/cb2", false},
		{"https trailing slash", []string{"https://app.example.com/cb"}, "https://app.example.com/cb/", false},
		{"https other port", []string{"https://app.example.com/cb"}, "https://app.example.com:8443/cb", false},
		{"https case differs", []string{"https://app.example.com/cb"}, "https://APP.example.com/cb", false},
		{"https extra query", []string{"https://app.example.com/cb"}, "https://app.example.com/cb?x=1", false},
		{"loopback any port", []string{"http://127.0.0.1:3000/callback"}, "http://127.0.0.1:51234/callback", true},
		{"loopback registered without port", []string{"http://127.0.0.1/callback"}, "http://127.0.0.1:51234/callback", true},
		{"loopback requested without port", []string{"http://127.0.0.1:3000/callback"}, "http://127.0.0.1/callback", true},
		{"localhost any port", []string{"http://localhost:6274/oauth/callback"}, "http://localhost:9999/oauth/callback", true},
		{"ipv6 loopback any port", []string{"http://[::1]:3000/cb"}, "http://[::1]:4000/cb", true},
		{"loopback query must match", []string{"http://127.0.0.1:3000/cb?a=1"}, "http://127.0.0.1:4000/cb?a=1", true},
		{"loopback other query", []string{"http://127.0.0.1:3000/cb?a=1"}, "http://127.0.0.1:4000/cb?a=2", false},
		{"loopback other path", []string{"http://127.0.0.1:3000/callback"}, "http://127.0.0.1:4000/other", false},
		{"localhost is not 127.0.0.1", []string{"http://localhost:3000/cb"}, "http://127.0.0.1:3000/cb", false},
		{"127.0.0.1 is not localhost", []string{"http://127.0.0.1:3000/cb"}, "http://localhost:3000/cb", false},
		{"loopback https keeps its port", []string{"https://127.0.0.1:3000/cb"}, "https://127.0.0.1:4000/cb", false},
		{"not loopback keeps its port", []string{"http://example.com:3000/cb"}, "http://example.com:4000/cb", false},
		{"loopback bad port", []string{"http://127.0.0.1:3000/cb"}, "http://127.0.0.1:abc/cb", false},
		{"loopback port out of range", []string{"http://127.0.0.1:3000/cb"}, "http://127.0.0.1:70000/cb", false},
		{"loopback empty port", []string{"http://127.0.0.1:3000/cb"}, "http://127.0.0.1:/cb", false},
		{"loopback userinfo", []string{"http://127.0.0.1:3000/cb"}, "http://evil@127.0.0.1:3000/cb", false},
		{"loopback fragment", []string{"http://127.0.0.1:3000/cb"}, "http://127.0.0.1:4000/cb#x", false},
		{"loopback other scheme", []string{"http://127.0.0.1:3000/cb"}, "https://127.0.0.1:3000/cb", false},
		{"private-use exact", []string{"com.example.app:/cb"}, "com.example.app:/cb", true},
		{"private-use other path", []string{"com.example.app:/cb"}, "com.example.app:/cb2", false},
		{"empty", []string{"https://app.example.com/cb"}, "", false},
		{"nothing registered", nil, "http://127.0.0.1:3000/cb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchRedirectURI(tc.registered, tc.got); got != tc.want {
				t.Errorf("matchRedirectURI(%q, %q) = %v, want %v", tc.registered, tc.got, got, tc.want)
			}
		})
	}
}
