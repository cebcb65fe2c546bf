package store

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"
)

// The checks below are what every backend refuses, wrapping ErrInvalid,
// before it writes an OAuth record: one place, so that the backends cannot
// drift apart on what they accept.

// CheckHash reports whether b is not a SHA-256 hash. An empty b is
// accepted unless required.
func CheckHash(what string, b []byte, required bool) error {
	if len(b) == 0 && !required {
		return nil
	}
	if len(b) != sha256.Size {
		return fmt.Errorf("%s: %d bytes, want a %d-byte SHA-256: %w", what, len(b), sha256.Size, ErrInvalid)
	}
	return nil
}

// CheckTime reports whether t is zero. Times that record a change (a
// revocation, a redemption) must not be zero: backends store the zero time
// as NULL, which reads as "not yet".
func CheckTime(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("zero %s: %w", what, ErrInvalid)
	}
	return nil
}

// Validate reports what makes c impossible to store as a new client.
func (c OAuthClient) Validate() error {
	switch {
	case c.ID == "":
		return fmt.Errorf("client: empty id: %w", ErrInvalid)
	case c.CreatedAt.IsZero():
		return fmt.Errorf("client %s: zero created time: %w", c.ID, ErrInvalid)
	}
	if err := CheckHash("registration token hash", c.RegistrationTokenHash, false); err != nil {
		return fmt.Errorf("client %s: %w", c.ID, err)
	}
	return c.ValidateMetadata()
}

// ValidateMetadata reports what makes the fields UpdateClient replaces
// impossible to store.
func (c OAuthClient) ValidateMetadata() error {
	if err := CheckHash("secret hash", c.SecretHash, false); err != nil {
		return fmt.Errorf("client %s: %w", c.ID, err)
	}
	if len(c.Metadata) > 0 && !isJSONObject(c.Metadata) {
		return fmt.Errorf("client %s: metadata: not a JSON object: %w", c.ID, ErrInvalid)
	}
	return nil
}

// isJSONObject reports whether b is one JSON object ("null" is not).
func isJSONObject(b []byte) bool {
	var m map[string]json.RawMessage
	return json.Unmarshal(b, &m) == nil && m != nil
}

// Validate reports what makes r impossible to store.
func (r OAuthRequest) Validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("request: empty id: %w", ErrInvalid)
	case r.CreatedAt.IsZero():
		return fmt.Errorf("request %s: zero created time: %w", r.ID, ErrInvalid)
	case r.ExpiresAt.IsZero():
		return fmt.Errorf("request %s: zero expiry: %w", r.ID, ErrInvalid)
	}
	if err := CheckHash("browser hash", r.BrowserHash, false); err != nil {
		return fmt.Errorf("request %s: %w", r.ID, err)
	}
	return nil
}

// Validate reports what makes c impossible to store.
func (c OAuthCode) Validate() error {
	if err := CheckHash("code hash", c.Hash, true); err != nil {
		return fmt.Errorf("code: %w", err)
	}
	if c.ExpiresAt.IsZero() {
		return fmt.Errorf("code: zero expiry: %w", ErrInvalid)
	}
	return nil
}

// Validate reports what makes g impossible to store.
func (g OAuthGrant) Validate() error {
	switch {
	case g.ID == "":
		return fmt.Errorf("grant: empty id: %w", ErrInvalid)
	case g.CreatedAt.IsZero():
		return fmt.Errorf("grant %s: zero created time: %w", g.ID, ErrInvalid)
	case g.Generation < 0:
		return fmt.Errorf("grant %s: negative generation: %w", g.ID, ErrInvalid)
	}
	return nil
}

// Validate reports what makes c impossible to store.
func (c OAuthConsent) Validate() error {
	switch {
	case c.ClientID == "":
		return fmt.Errorf("consent: empty client id: %w", ErrInvalid)
	case c.IdentityKey == "":
		return fmt.Errorf("consent to client %s: empty identity key: %w", c.ClientID, ErrInvalid)
	case c.GrantedAt.IsZero():
		return fmt.Errorf("consent to client %s: zero granted time: %w", c.ClientID, ErrInvalid)
	}
	return nil
}

// Validate reports what makes k impossible to store.
func (k SigningKey) Validate() error {
	switch {
	case k.ID == "":
		return fmt.Errorf("signing key: empty id: %w", ErrInvalid)
	case k.Algorithm == "":
		return fmt.Errorf("signing key %s: empty algorithm: %w", k.ID, ErrInvalid)
	case len(k.PrivateKey) == 0:
		return fmt.Errorf("signing key %s: empty private key: %w", k.ID, ErrInvalid)
	case k.CreatedAt.IsZero():
		return fmt.Errorf("signing key %s: zero created time: %w", k.ID, ErrInvalid)
	}
	return nil
}

// ValidateRefresh reports what makes a refresh token of the given
// generation and hash, issued at at, impossible to store.
func ValidateRefresh(generation int, hash []byte, at time.Time) error {
	if generation < 1 {
		return fmt.Errorf("generation %d, want 1 or more: %w", generation, ErrInvalid)
	}
	if err := CheckHash("refresh token hash", hash, true); err != nil {
		return err
	}
	return CheckTime("time", at)
}
