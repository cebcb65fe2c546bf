package oidc

import (
	"net/http"
	"strings"
	"testing"
)

func TestNoDowngrade(t *testing.T) {
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name    string
		via     []string
		to      string
		wantErr string
	}{
		{"https to https", []string{"https://idp.example/.well-known/openid-configuration"}, "https://cdn.example/jwks", ""},
		{"http loopback to http", []string{"http://127.0.0.1:1/jwks"}, "http://127.0.0.1:1/keys", ""},
		{"https to http", []string{"https://idp.example/jwks"}, "http://idp.example/jwks", "from https to http"},
		{"too many", []string{"https://a/1", "https://a/2", "https://a/3", "https://a/4", "https://a/5"}, "https://a/6", "redirects"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var via []*http.Request
			for _, u := range tt.via {
				via = append(via, req(u))
			}
			err := noDowngrade(req(tt.to), via)
			if tt.wantErr == "" && err != nil {
				t.Fatalf("err = %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}
