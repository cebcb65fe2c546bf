package postgres

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

var _ store.OAuth = (*DB)(nil)

// bytesArg stores an empty byte slice as NULL.
func bytesArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// bytesValue returns an empty (or NULL) column as nil.
func bytesValue(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// checkHash reports, wrapping store.ErrInvalid, whether b is not a SHA-256
// hash. An empty b is accepted unless required.
func checkHash(what string, b []byte, required bool) error {
	if len(b) == 0 && !required {
		return nil
	}
	if len(b) != sha256.Size {
		return fmt.Errorf("%s: %d bytes, want a %d-byte SHA-256: %w", what, len(b), sha256.Size, store.ErrInvalid)
	}
	return nil
}

// checkTime reports, wrapping store.ErrInvalid, whether t is zero. Times
// that record a change (a revocation, a redemption) must not be zero: the
// zero time is stored as NULL, which reads as "not yet".
func checkTime(what string, t time.Time) error {
	if t.IsZero() {
		return fmt.Errorf("zero %s: %w", what, store.ErrInvalid)
	}
	return nil
}

// boundArg is t as a timestamptz to compare columns with. Unlike timeArg it
// never is NULL: the zero time is a real instant, before every stored one,
// as it is for the SQLite backend (whose comparisons use UnixMicro).
func boundArg(t time.Time) time.Time {
	return t.UTC()
}

// identityJSON is the stored form of a store.OAuthIdentity, the same as the
// SQLite backend's. Its field names are part of the schema: renaming a Go
// field must not change them.
type identityJSON struct {
	Source       string   `json:"source,omitempty"`
	CredentialID string   `json:"credential_id,omitempty"`
	SecretID     string   `json:"secret_id,omitempty"`
	Subject      string   `json:"subject,omitempty"`
	Issuer       string   `json:"issuer,omitempty"`
	User         string   `json:"user,omitempty"`
	Org          string   `json:"org,omitempty"`
	Teams        []string `json:"teams,omitempty"`
	Roles        []string `json:"roles,omitempty"`
}

// identityArg encodes id for a jsonb column. It is passed as a string,
// which pgx sends as the JSON text it is.
func identityArg(id store.OAuthIdentity) (string, error) {
	b, err := json.Marshal(identityJSON(id))
	return string(b), err
}

// nullIdentityArg stores a nil identity as NULL.
func nullIdentityArg(id *store.OAuthIdentity) (any, error) {
	if id == nil {
		return nil, nil
	}
	return identityArg(*id)
}

// identityValue decodes an identity, returning empty lists as nil.
func identityValue(b []byte) (store.OAuthIdentity, error) {
	var j identityJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return store.OAuthIdentity{}, err
	}
	if len(j.Teams) == 0 {
		j.Teams = nil
	}
	if len(j.Roles) == 0 {
		j.Roles = nil
	}
	return store.OAuthIdentity(j), nil
}

// nullIdentityValue decodes an identity stored by nullIdentityArg; a NULL
// column scans as nil bytes.
func nullIdentityValue(b []byte) (*store.OAuthIdentity, error) {
	if b == nil {
		return nil, nil
	}
	id, err := identityValue(b)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// metadataArg is a client's metadata for the json column: NULL when empty,
// else the JSON text as given, which the column keeps as it is.
func metadataArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
}
