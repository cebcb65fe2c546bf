package ratelimit

import (
	"net/http"
	"testing"
)

func TestAddress(t *testing.T) {
	tests := []struct {
		name, remote, want string
	}{
		{"ipv4", "192.0.2.7:4321", "192.0.2.7"},
		{"ipv6 counts by /64", "[2001:db8:1:2:3:4:5:6]:443", "2001:db8:1:2::/64"},
		{"same /64", "[2001:db8:1:2:ffff::1]:1", "2001:db8:1:2::/64"},
		{"ipv4-mapped ipv6", "[::ffff:192.0.2.7]:80", "::ffff:192.0.2.7"},
		{"ipv6 with zone", "[fe80::1%eth0]:80", "fe80::/64"},
		{"no port", "192.0.2.8", "192.0.2.8"},
		{"not an address", "pipe", "pipe"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Address(&http.Request{RemoteAddr: tc.remote}); got != tc.want {
				t.Errorf("Address(%q) = %q, want %q", tc.remote, got, tc.want)
			}
		})
	}
}
