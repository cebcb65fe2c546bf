package oauth

import (
	"encoding/json"
	"net/http"
)

// Error codes of RFC 6749 section 5.2, RFC 7591 section 3.2.2, RFC 8707
// and RFC 7009.
const (
	errInvalidRequest       = "invalid_request"
	errInvalidClient        = "invalid_client"
	errInvalidGrant         = "invalid_grant"
	errUnauthorizedClient   = "unauthorized_client"
	errUnsupportedGrantType = "unsupported_grant_type"
	errInvalidScope         = "invalid_scope"
	errInvalidTarget        = "invalid_target"
	errAccessDenied         = "access_denied"
	errUnsupportedResponse  = "unsupported_response_type"
	errServerError          = "server_error"
	errUnavailable          = "temporarily_unavailable"
	errInvalidRedirectURI   = "invalid_redirect_uri"
	errInvalidClientMeta    = "invalid_client_metadata"
	errUnsupportedTokenType = "unsupported_token_type"
)

// oauthError is an error response of the authorization server: the two
// fields of RFC 6749 section 5.2 that every client understands, and the
// suggestion every skillgate error carries.
type oauthError struct {
	status      int
	Code        string   `json:"error"`
	Description string   `json:"error_description,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func newError(status int, code, description, hint string) *oauthError {
	e := &oauthError{status: status, Code: code, Description: description}
	if hint != "" {
		e.Suggestions = []string{hint}
	}
	return e
}

// writeError sends e as JSON. An invalid_client refusal of a client that
// tried HTTP Basic authentication carries the challenge RFC 6749 section
// 5.2 asks for.
func writeError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	if e.status == http.StatusUnauthorized {
		if _, _, basic := r.BasicAuth(); basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="skillgate"`)
		}
	}
	if e.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, e.status, e)
}

// writeJSON sends v with the headers every authorization server response
// needs: tokens and errors must never be cached (RFC 6749 section 5.1).
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// v is one of our own response structs; encoding it cannot fail.
	_ = enc.Encode(v)
}
