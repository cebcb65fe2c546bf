package auth

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCredentialFromRequest measures extracting a Bearer credential,
// which every request pays.
func BenchmarkCredentialFromRequest(b *testing.B) {
	r := httptest.NewRequest(http.MethodPost, "/mcp", nil)
	r.Header.Set("Authorization", "Bearer sk_live_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde")
	for b.Loop() {
		if _, err := CredentialFromRequest(r, queryParams); err != nil {
			b.Fatal(err)
		}
	}
}
