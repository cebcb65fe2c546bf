package auth

import "strings"

// maxLoggedSegment is the longest path segment logged as is. Every id
// skillgate issues is shorter (a key id is 28 characters); a credential is
// longer (a managed key is 56, a JWT hundreds).
const maxLoggedSegment = 40

// LogPath returns the URL path p fit for logs and audit rows: any segment
// long enough to be a credential that someone pasted into a URL is replaced
// by "[redacted]", so a secret never reaches a log through the path.
func LogPath(p string) string {
	if len(p) <= maxLoggedSegment {
		return p
	}
	segs := strings.Split(p, "/")
	for i, s := range segs {
		if len(s) > maxLoggedSegment {
			segs[i] = "[redacted]"
		}
	}
	return strings.Join(segs, "/")
}
