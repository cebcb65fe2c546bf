package apikey

import (
	"errors"
	"fmt"
)

// Kind classifies a refused key operation, so that the REST API can choose
// a status and the CLI an exit code.
type Kind int

// Kinds of Error.
const (
	// KindInvalid: the request itself is wrong (400).
	KindInvalid Kind = iota + 1
	// KindForbidden: the caller lacks a scope (403).
	KindForbidden
	// KindNotFound: no such key, or one the caller may not see (404).
	KindNotFound
	// KindConflict: the key's state forbids it, e.g. rotating a revoked
	// key, or a budget would be overdrawn (409).
	KindConflict
)

// Error is a key operation refused for a reason the caller can act on. Its
// message never holds a secret.
type Error struct {
	Kind    Kind
	Message string
	Hint    string
	// Scope is the scope that was missing, for KindForbidden.
	Scope string
}

func (e *Error) Error() string { return e.Message }

func invalidf(format string, args ...any) *Error {
	return &Error{Kind: KindInvalid, Message: fmt.Sprintf(format, args...)}
}

func conflictf(format string, args ...any) *Error {
	return &Error{Kind: KindConflict, Message: fmt.Sprintf(format, args...)}
}

// notFound is the one answer for a key that does not exist and for one the
// caller may not see, so that callers cannot probe for other owners' keys.
func notFound(id string) *Error {
	return &Error{Kind: KindNotFound, Message: fmt.Sprintf("API key %s not found", id),
		Hint: "List your keys with GET /v1/api-keys or \"skillgate keys list\"."}
}

func forbidden(scope, message string) *Error { return Forbidden(scope, message) }

// Forbidden returns the refusal of an operation the actor lacks scope for.
// It is exported so that other services acting for an Actor (the OAuth
// client administration) refuse in the same terms, which the REST API
// answers with 403 and the missing scope.
func Forbidden(scope, message string) *Error {
	return &Error{Kind: KindForbidden, Scope: scope, Message: message}
}

// NotFound returns the refusal of an operation on something that does not
// exist, for services other than the key manager; hint says how to find
// what does.
func NotFound(message, hint string) *Error {
	return &Error{Kind: KindNotFound, Message: message, Hint: hint}
}

// Conflict returns the refusal of an operation that the target's state
// forbids, for services other than the key manager; hint says what to do
// instead.
func Conflict(message, hint string) *Error {
	return &Error{Kind: KindConflict, Message: message, Hint: hint}
}

// KindOf returns the Kind of err, or 0 when err is not an *Error (a
// failure of the server, not of the request).
func KindOf(err error) Kind {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Kind
	}
	return 0
}
