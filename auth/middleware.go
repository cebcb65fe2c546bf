package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/store"
)

// Authenticating is what Middleware needs from an Authenticator.
type Authenticating interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// Middleware authenticates every request before passing it on, and answers
// 401 with a structured error when it cannot.
type Middleware struct {
	Auth Authenticating
	// QueryParams are the query parameters accepted as a credential; empty
	// means only the Authorization header is.
	QueryParams []string
	// Hint is added to the suggestions of a 401 for a missing credential,
	// e.g. where to get a key.
	Hint   string
	Logger *slog.Logger
	// Audit, if set, records every refused credential.
	Audit Recorder
	// ResourceMetadata is the URL of the protected resource metadata (RFC
	// 9728) of the resource this middleware guards. When set, challenges
	// point the client at it, as the MCP authorization specification asks:
	//
	//	Bearer resource_metadata="<url>", scope="<ChallengeScopes>"
	//
	// When empty (or not safely quotable), challenges name the realm
	// instead: Bearer realm="skillgate".
	ResourceMetadata string
	// ChallengeScopes are the scopes a 401 challenge with ResourceMetadata
	// tells the client to ask for; empty leaves the scope attribute out.
	ChallengeScopes []string
	// Observer, if set, is told every decision: nil counts nothing.
	Observer DecisionObserver
}

// DecisionObserver counts authentication decisions; *metrics.Metrics is
// one. It MUST be safe for concurrent use.
type DecisionObserver interface {
	// AuthDecision is told the principal's Source on success, or
	// DecisionSourceNone (no credential sent) or DecisionSourceUnknown when
	// refused; result is DecisionOK, DecisionDenied (401) or DecisionError
	// (the credential could not be checked: 503).
	AuthDecision(source, result string)
}

// Sources and results told to a DecisionObserver besides the Source of an
// authenticated principal.
const (
	DecisionSourceNone    = "none"
	DecisionSourceUnknown = "unknown"

	DecisionOK     = "ok"
	DecisionDenied = "denied"
	DecisionError  = "error"
)

// Recorder records audit events; *audit.Log is one.
type Recorder interface {
	Record(ctx context.Context, e store.AuditEvent)
}

// Wrap returns next behind authentication. The request next sees carries the
// Principal in its context and no credential in its URL.
func (m *Middleware) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := m.Authenticate(r)
		if err != nil {
			m.Deny(w, r, err)
			return
		}
		m.Admitted(p)
		r = WithoutQueryCredentials(r, m.QueryParams)
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
	})
}

// Authenticate extracts and verifies the request's credential.
func (m *Middleware) Authenticate(r *http.Request) (Principal, error) {
	cred, err := CredentialFromRequest(r, m.QueryParams)
	if err != nil {
		return Principal{}, err
	}
	return m.Auth.Authenticate(r.Context(), cred.Token)
}

// Admitted tells the Observer, if any, that p was authenticated: Wrap
// does, and so must a handler that authenticates by itself.
func (m *Middleware) Admitted(p Principal) {
	if m.Observer != nil {
		m.Observer.AuthDecision(string(p.Source), DecisionOK)
	}
}

// Deny answers a request whose authentication failed with 401 (or 503 when
// the failure is not the caller's), a WWW-Authenticate challenge and a
// structured body.
func (m *Middleware) Deny(w http.ResponseWriter, r *http.Request, err error) {
	e := ErrorResponse(err, m.Hint)
	result := store.ResultDenied
	if e.Status >= 500 {
		result = store.ResultError
		m.Logger.ErrorContext(r.Context(), "authentication failed", "path", LogPath(r.URL.Path), "err", err)
	} else {
		m.Logger.InfoContext(r.Context(), "authentication refused", "path", LogPath(r.URL.Path), "reason", e.Message)
	}
	if m.Observer != nil {
		source, decision := DecisionSourceUnknown, DecisionDenied
		if errors.Is(err, ErrNoCredential) {
			source = DecisionSourceNone
		}
		if result == store.ResultError {
			decision = DecisionError
		}
		m.Observer.AuthDecision(source, decision)
	}
	// A request without any credential is not a failure worth a row: MCP
	// clients send one first to discover how to authenticate.
	if m.Audit != nil && !errors.Is(err, ErrNoCredential) {
		m.Audit.Record(r.Context(), store.AuditEvent{
			KeyID:  CredentialIDOf(err),
			Action: "auth.failure", Target: LogPath(r.URL.Path), Result: result,
			ClientAddr: r.RemoteAddr, Detail: e.Message,
		})
	}
	w.Header().Set("WWW-Authenticate", m.Challenge(e.Code == apierror.CodeInvalidToken))
	apierror.Write(w, e)
}

// ErrorResponse maps an authentication error to the structured error sent to
// the client. The message says which check failed but never repeats the
// credential; failures that are not the caller's fault are a 503.
func ErrorResponse(err error, hint string) *apierror.Error {
	const keyHint = "Send the key as \"Authorization: Bearer sk_live_...\"."
	switch {
	case errors.Is(err, ErrNoCredential):
		e := apierror.New(http.StatusUnauthorized, apierror.CodeAccessDenied, "API key required", keyHint)
		if hint != "" {
			e.Suggestions = append(e.Suggestions, hint)
		}
		return e
	case errors.Is(err, ErrMalformedCredential):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "Malformed credential: "+detail(err, ErrMalformedCredential), keyHint)
	case errors.Is(err, ErrUnknownCredential):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "Unknown API key", "Check that the key was copied whole; keys are shown only once, so create a new one if it is lost.")
	case errors.Is(err, ErrDisabled):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "API key is disabled", "Ask an administrator to enable the key, or use another one.")
	case errors.Is(err, ErrExpired):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "API key has expired", "Create or rotate to a new key.")
	case errors.Is(err, ErrRevoked):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "API key has been revoked", "Use a key that has not been revoked.")
	case errors.Is(err, ErrRotated):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "API key was rotated and its grace period has ended", "Use the key issued by the rotation.")
	case errors.Is(err, ErrUnknownIssuer):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "Token issuer is not accepted: "+detail(err, ErrUnknownIssuer), "Use a token from an identity provider listed in auth.oidc (its issuer must match the token's iss exactly), or an API key.")
	case errors.Is(err, ErrIssuerUnavailable):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "Identity provider is unreachable: "+detail(err, ErrIssuerUnavailable), "Retry in a little while; API keys keep working meanwhile.")
	case errors.Is(err, ErrTokenExpired):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "Token has expired", "Get a fresh token from your identity provider (refresh it) and retry.")
	case errors.Is(err, ErrInvalidToken):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "Invalid token: "+detail(err, ErrInvalidToken), "Get a fresh token from your identity provider for this server's audience.")
	case errors.Is(err, ErrTokenNotAccepted):
		return apierror.New(http.StatusUnauthorized, apierror.CodeInvalidToken, "JWT bearer tokens are not accepted: no identity provider is configured", "Use an API key, or configure auth.oidc.")
	default:
		return apierror.New(http.StatusServiceUnavailable, apierror.CodeUnavailable, "Authentication is temporarily unavailable", "Retry in a few seconds.")
	}
}

// detail is what err says beyond its kind: "invalid token: signature does
// not match" gives "signature does not match". Verifiers write these
// details for the caller; they never hold the credential.
func detail(err, kind error) string {
	return strings.TrimPrefix(err.Error(), kind.Error()+": ")
}

// Refused reports whether err refuses a credential (the caller's fault: a
// 401), rather than failing to check it (a 503), using the same mapping as
// ErrorResponse.
func Refused(err error) bool {
	return ErrorResponse(err, "").Status < http.StatusInternalServerError
}
