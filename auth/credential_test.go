package auth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

var queryParams = []string{"api_key", "apiKey"}

func TestCredentialFromRequest(t *testing.T) {
	const key = "sk_live_abcDEF123-_"
	tests := []struct {
		name      string
		target    string
		headers   []string
		want      Credential
		wantErr   error
		wantInMsg string
	}{
		{name: "bearer header", target: "/mcp", headers: []string{"Bearer " + key}, want: Credential{Token: key}},
		{name: "scheme is case-insensitive", target: "/mcp", headers: []string{"bearer " + key}, want: Credential{Token: key}},
		{name: "base64 static key", target: "/mcp", headers: []string{"Bearer ab+/cd=="}, want: Credential{Token: "ab+/cd=="}},
		{name: "api_key query", target: "/sse?api_key=" + key, want: Credential{Token: key, QueryParam: "api_key"}},
		{name: "apiKey query", target: "/sse?x=1&apiKey=" + key, want: Credential{Token: key, QueryParam: "apiKey"}},
		{name: "nothing", target: "/mcp", wantErr: ErrNoCredential},
		{name: "unrelated query", target: "/sse?foo=bar", wantErr: ErrNoCredential},
		{name: "basic scheme", target: "/mcp", headers: []string{"Basic dXNlcjpwYXNz"}, wantErr: ErrMalformedCredential, wantInMsg: `"Basic"`},
		{name: "no scheme", target: "/mcp", headers: []string{key}, wantErr: ErrMalformedCredential, wantInMsg: "must be"},
		{name: "empty token", target: "/mcp", headers: []string{"Bearer "}, wantErr: ErrMalformedCredential, wantInMsg: "empty"},
		{name: "bad characters", target: "/mcp", headers: []string{"Bearer abc def"}, wantErr: ErrMalformedCredential, wantInMsg: "not allowed"},
		{name: "too long", target: "/mcp", headers: []string{"Bearer " + strings.Repeat("a", MaxTokenLength+1)}, wantErr: ErrMalformedCredential, wantInMsg: "longer"},
		{name: "two headers", target: "/mcp", headers: []string{"Bearer a", "Bearer b"}, wantErr: ErrMalformedCredential, wantInMsg: "more than one"},
		{name: "header and query", target: "/sse?api_key=" + key, headers: []string{"Bearer " + key}, wantErr: ErrMalformedCredential, wantInMsg: "more than once"},
		{name: "both query names", target: "/sse?api_key=a&apiKey=b", wantErr: ErrMalformedCredential},
		{name: "repeated query", target: "/sse?api_key=a&api_key=b", wantErr: ErrMalformedCredential, wantInMsg: "2 times"},
		{name: "empty query value", target: "/sse?api_key=", wantErr: ErrMalformedCredential, wantInMsg: "empty"},
		{name: "broken query", target: "/sse?api_key=%zz", wantErr: ErrMalformedCredential},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, tc.target, nil)
			for _, h := range tc.headers {
				r.Header.Add("Authorization", h)
			}
			got, err := CredentialFromRequest(r, queryParams)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tc.wantInMsg) {
					t.Errorf("error %q does not contain %q", err, tc.wantInMsg)
				}
				if strings.Contains(err.Error(), key) {
					t.Errorf("error %q repeats the credential", err)
				}
				return
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestQueryCredentialsOff(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/sse?api_key=sk_live_x", nil)
	if _, err := CredentialFromRequest(r, nil); !errors.Is(err, ErrNoCredential) {
		t.Fatalf("error = %v, want ErrNoCredential when query keys are off", err)
	}
}

func TestWithoutQueryCredentials(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/sse?a=1&api_key=secret&apiKey=secret2", nil)
	got := WithoutQueryCredentials(r, queryParams)
	if strings.Contains(got.URL.String(), "secret") || strings.Contains(got.RequestURI, "secret") {
		t.Errorf("credential left in URL %q / RequestURI %q", got.URL, got.RequestURI)
	}
	if got.URL.Query().Get("a") != "1" {
		t.Errorf("other parameters lost: %q", got.URL.RawQuery)
	}
	if !strings.Contains(r.URL.RawQuery, "secret") {
		t.Error("the original request was modified; want a copy")
	}
}

func TestLooksLikeJWT(t *testing.T) {
	tests := []struct {
		name  string
		token string
		want  bool
	}{
		{"rs256 jwt", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", true},
		{"alg none", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", true},
		{"api key", "sk_live_abc", false},
		{"two dots but not json", "abc.def.ghi", false},
		{"json without alg", "eyJ0eXAiOiJKV1QifQ.e30.c2ln", false},
		{"four parts", "eyJhbGciOiJSUzI1NiJ9.a.b.c", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := LooksLikeJWT(tc.token); got != tc.want {
				t.Errorf("LooksLikeJWT(%q) = %v, want %v", tc.token, got, tc.want)
			}
		})
	}
}

// FuzzCredentialFromRequest feeds arbitrary headers and query strings to the
// extractor: it must never panic, and never return a credential that breaks
// the token syntax or an error that repeats the credential.
func FuzzCredentialFromRequest(f *testing.F) {
	f.Add("Bearer sk_live_abc", "")
	f.Add("", "api_key=sk_live_abc")
	f.Add("bearer  x", "apiKey=a&apiKey=b")
	f.Add("Basic Zm9v", "api_key=%00")
	f.Add("Bearer ====", "api_key=a;b")
	f.Fuzz(func(t *testing.T, header, query string) {
		r := httptest.NewRequest(http.MethodGet, "/sse", nil)
		r.URL.RawQuery = query
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		cred, err := CredentialFromRequest(r, queryParams)
		if err != nil {
			if !errors.Is(err, ErrNoCredential) && !errors.Is(err, ErrMalformedCredential) {
				t.Fatalf("unexpected error class: %v", err)
			}
			return
		}
		if !isToken68(cred.Token) || len(cred.Token) > MaxTokenLength {
			t.Fatalf("accepted a token that breaks the syntax: %q", cred.Token)
		}
		WithoutQueryCredentials(r, queryParams)
	})
}
