// Package apierror writes the structured JSON error bodies that every
// skillgate HTTP endpoint answers with, so that a client always gets the same
// shape: an HTTP status, a machine-readable error code, a human message and
// suggestions for what to do next. It reveals nothing internal.
package apierror

import (
	"encoding/json"
	"net/http"
)

// Error codes used across the HTTP surface.
const (
	CodeAccessDenied   = "access_denied"
	CodeInvalidToken   = "invalid_token"
	CodeInvalidRequest = "invalid_request"
	CodeNotFound       = "not_found"
	CodeForbidden      = "forbidden"
	// CodeInsufficientScope: authenticated, but without the scope needed
	// (RFC 6750 section 3.1).
	CodeInsufficientScope = "insufficient_scope"
	CodeConflict          = "conflict"
	CodeRateLimited       = "rate_limited"
	CodeUnsupportedMedia  = "unsupported_media_type"
	CodeMethodNotAllowed  = "method_not_allowed"
	CodeUnavailable       = "temporarily_unavailable"
	CodeInternal          = "server_error"
)

// Error is the body of every error response.
type Error struct {
	// Status is the HTTP status; it is not part of the body.
	Status      int      `json:"-"`
	Code        string   `json:"error"`
	Message     string   `json:"message"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// Error implements error so an Error can travel as one.
func (e *Error) Error() string { return e.Code + ": " + e.Message }

// retryAfterUnavailable is the Retry-After of a 503 that does not set its
// own: long enough for a database failover or a restart to be noticed.
const retryAfterUnavailable = "5"

// Write sends e as JSON with its status. Headers already set on w (such as
// WWW-Authenticate or Retry-After) are kept; a 503 without Retry-After gets
// one, so that clients back off instead of retrying at once.
func Write(w http.ResponseWriter, e *Error) {
	h := w.Header()
	if e.Status == http.StatusServiceUnavailable && h.Get("Retry-After") == "" {
		h.Set("Retry-After", retryAfterUnavailable)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(e.Status)
	// The body is a fixed small struct of strings: encoding cannot fail in a
	// way the client could be told about, so the error is deliberately dropped.
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // bodies are JSON for API clients, never HTML
	_ = enc.Encode(e)
}

// New is shorthand for an Error with one suggestion (or none, if hint is empty).
func New(status int, code, message, hint string) *Error {
	e := &Error{Status: status, Code: code, Message: message}
	if hint != "" {
		e.Suggestions = []string{hint}
	}
	return e
}
