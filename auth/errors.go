package auth

import "errors"

// Errors returned while authenticating. Everything except ErrNoCredential
// means a credential was presented and refused.
var (
	// ErrNoCredential means the request carried no credential at all.
	ErrNoCredential = errors.New("no credential")
	// ErrMalformedCredential means a credential was present but not well
	// formed (wrong scheme, bad characters, too long, sent twice).
	ErrMalformedCredential = errors.New("malformed credential")
	// ErrUnknownCredential means no verifier recognised the credential.
	// Verifiers return it for credentials that are not theirs.
	ErrUnknownCredential = errors.New("unknown API key")
	// ErrDisabled means the credential exists but is switched off.
	ErrDisabled = errors.New("API key is disabled")
	// ErrExpired means the credential exists but its expiry has passed.
	ErrExpired = errors.New("API key has expired")
	// ErrRevoked means the credential exists but was revoked.
	ErrRevoked = errors.New("API key has been revoked")
	// ErrRotated means the key was rotated and the grace period of this,
	// older, secret has ended.
	ErrRotated = errors.New("API key was rotated and its grace period has ended")
	// ErrTokenNotAccepted means a JWT was presented but no verifier for
	// tokens is configured. A JWT is never tried as an API key.
	ErrTokenNotAccepted = errors.New("bearer token is a JWT, but no identity provider is configured")
	// ErrUnknownIssuer means a JWT names an issuer that is not configured.
	// Such a token is refused; it is never tried as an API key.
	ErrUnknownIssuer = errors.New("token issuer is not accepted")
	// ErrIssuerUnavailable means the token's issuer is configured but its
	// discovery document or signing keys cannot be fetched right now.
	ErrIssuerUnavailable = errors.New("identity provider is unreachable")
	// ErrInvalidToken means a JWT failed verification: its signature,
	// algorithm, audience, validity period or claims. Errors wrapping it
	// say which, in words fit for the caller.
	ErrInvalidToken = errors.New("invalid token")
	// ErrTokenExpired means a JWT's exp, plus the allowed clock skew, has
	// passed.
	ErrTokenExpired = errors.New("token has expired")
)

// CredentialError is a refusal of a credential that was recognised, naming
// it by its public id so that audit logs can say which key was refused.
type CredentialError struct {
	CredentialID string
	Err          error
}

func (e *CredentialError) Error() string { return e.CredentialID + ": " + e.Err.Error() }

// Unwrap returns the reason, one of the errors above.
func (e *CredentialError) Unwrap() error { return e.Err }

// CredentialIDOf returns the id of the credential err refuses, if known.
func CredentialIDOf(err error) string {
	if e, ok := errors.AsType[*CredentialError](err); ok {
		return e.CredentialID
	}
	return ""
}
