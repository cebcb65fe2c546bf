package auth

import (
	"net/http"
	"slices"
	"strings"

	"github.com/skillgate/skillgate/internal/apierror"
)

// Challenge returns the WWW-Authenticate value of a 401 from m. With a
// ResourceMetadata URL it is the challenge of RFC 9728 section 5.1 that MCP
// clients start their authorization from:
//
//	Bearer resource_metadata="<url>", scope="<ChallengeScopes>"
//
// and without one the older Bearer realm="skillgate". invalidToken adds
// error="invalid_token" (RFC 6750 section 3.1), for a credential that was
// sent but refused; a request that sent none gets no error attribute.
func (m *Middleware) Challenge(invalidToken bool) string {
	var b strings.Builder
	if meta := m.resourceMetadata(); meta != "" {
		b.WriteString(`Bearer resource_metadata="` + meta + `"`)
		if scopes := scopeList(m.ChallengeScopes); scopes != "" {
			b.WriteString(`, scope="` + scopes + `"`)
		}
	} else {
		b.WriteString(`Bearer realm="skillgate"`)
	}
	if invalidToken {
		b.WriteString(`, error="invalid_token"`)
	}
	return b.String()
}

// WriteInsufficientScope is the package function WriteInsufficientScope
// with the resource_metadata attribute of m's ResourceMetadata added to the
// challenge, as the MCP authorization specification asks:
//
//	Bearer error="insufficient_scope", scope="<held and need>", resource_metadata="<url>"
func (m *Middleware) WriteInsufficientScope(w http.ResponseWriter, held []string, need string, message string) {
	writeInsufficientScope(w, m.resourceMetadata(), held, need, message)
}

// resourceMetadata returns m's ResourceMetadata if it can be sent as a
// quoted header value, else "". A nil m has none.
func (m *Middleware) resourceMetadata() string {
	if m == nil || !scopeToken(m.ResourceMetadata) {
		return ""
	}
	return m.ResourceMetadata
}

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
	writeInsufficientScope(w, "", held, need, message)
}

func writeInsufficientScope(w http.ResponseWriter, resourceMetadata string, held []string, need string, message string) {
	challenge := `Bearer error="insufficient_scope", scope="` + scopeList(append(slices.Clip(held), need)) + `"`
	if resourceMetadata != "" {
		challenge += `, resource_metadata="` + resourceMetadata + `"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	if message == "" {
		message = "This operation needs the " + need + " scope"
	}
	apierror.Write(w, apierror.New(http.StatusForbidden, apierror.CodeInsufficientScope, message,
		"Use a credential that holds the "+need+" scope, or ask an administrator to grant it."))
}

// scopeList joins scopes with spaces for a scope attribute, in order,
// without duplicates, leaving out any that could not be quoted.
func scopeList(scopes []string) string {
	kept := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if scopeToken(s) && !slices.Contains(kept, s) {
			kept = append(kept, s)
		}
	}
	return strings.Join(kept, " ")
}

// scopeToken reports whether s can appear in a scope attribute: RFC 6749
// section 3.3 allows printable ASCII except space, '"' and '\', so a
// scope can never break out of the quoted header value. The same holds
// for the URL of a resource_metadata attribute.
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
