package loopback

import "testing"

func TestHost(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"localhost", true}, {"LOCALHOST", true}, {"127.0.0.1", true}, {"127.0.0.2", true},
		{"::1", true}, {"::ffff:127.0.0.1", true},
		{"[::1]", false}, // brackets belong to the URL, not the host
		{"localhost.example.com", false}, {"0.0.0.0", false}, {"192.168.0.1", false},
		{"example.com", false}, {"", false},
	}
	for _, tt := range tests {
		if got := Host(tt.host); got != tt.want {
			t.Errorf("Host(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
	if !HostPort("127.0.0.1:8080") || !HostPort("[::1]:9") || !HostPort("[::1]") || !HostPort("localhost") || HostPort("evil.example:80") {
		t.Error("HostPort")
	}
}
