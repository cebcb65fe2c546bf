package auth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/skillgate/skillgate/internal/apierror"
)

// WriteInsufficientScope answers an authenticated request that lacks the
// scope need with 403, a structured insufficient_scope body, and the
// challenge of RFC 6750 section 3.1:
//
//	WWW-Authenticate: Bearer error="insufficient_scope", scope="<held and need>"
//
// The scope attribute lists the scopes held plus the one needed, which is
// what a client must ask for to get a credential that would succeed.
// message explains the refusal; empty means a generic one naming need.
func WriteInsufficientScope(w http.ResponseWriter, held []string, need string, message string) {
	scopes := make([]string, 0, len(held)+1)
	for _, s := range held {
		if scopeToken(s) && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if scopeToken(need) && !slices.Contains(scopes, need) {
		scopes = append(scopes, need)
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="insufficient_scope", scope="`+strings.Join(scopes, " ")+`"`)
	if message == "" {
		message = "This operation needs the " + need + " scope"
	}
	apierror.Write(w, apierror.New(http.StatusForbidden, apierror.CodeInsufficientScope, message,
		"Use a credential that holds the "+need+" scope, or ask an administrator to grant it."))
}

// scopeToken reports whether s can appear in a scope attribute: RFC 6749
// section 3.3 allows printable ASCII except space, '"' and '\', so a
// scope can never break out of the quoted header value.
func scopeToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
