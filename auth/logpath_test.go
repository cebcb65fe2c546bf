package auth

import "testing"

func TestLogPath(t *testing.T) {
	key := "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	tests := []struct{ in, want string }{
		{"/mcp", "/mcp"},
		{"/v1/api-keys/key_abcdefghijklmnopqrstuvwx/rotate", "/v1/api-keys/key_abcdefghijklmnopqrstuvwx/rotate"},
		{"/v1/api-keys/" + key, "/v1/api-keys/[redacted]"},
		{"/" + key + "/x/" + key, "/[redacted]/x/[redacted]"},
	}
	for _, tc := range tests {
		if got := LogPath(tc.in); got != tc.want {
			t.Errorf("LogPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
