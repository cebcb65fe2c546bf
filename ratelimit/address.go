package ratelimit

import (
	"net"
	"net/http"
	"net/netip"
)

// Address is what a per-address limit counts for r: the client's IPv4
// address, or the /64 its IPv6 address is in, since one host commonly holds
// a whole /64. It is the client's end of the connection: forwarding
// headers are not trusted, since anyone could set them.
func Address(r *http.Request) string {
	addr := r.RemoteAddr
	if host, _, err := net.SplitHostPort(addr); err == nil {
		addr = host
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Is4() || ip.Is4In6() {
		return addr
	}
	prefix, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return prefix.String()
}
