// Package loopback says whether a host names this machine, the one rule
// that decides where plain http is acceptable (issuers, redirect URIs) and
// which Host headers a loopback listener answers.
package loopback

import (
	"net"
	"net/netip"
	"strings"
)

// Host reports whether host (as url.URL.Hostname gives it: no port, no
// brackets) is localhost or a loopback IP address (127.0.0.0/8, ::1).
func Host(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// HostPort is Host for "host:port", or for a bare host ("[::1]" too), as
// a Host header or a listener's address gives it.
func HostPort(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
	}
	return Host(host)
}
