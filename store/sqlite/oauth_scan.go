package sqlite

import (
	"crypto/sha256"
	"database/sql"
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

// textArg stores a JSON document held as bytes as TEXT (a STRICT TEXT
// column refuses a BLOB), and an empty one as NULL.
func textArg(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return string(b)
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

// identityJSON is the stored form of a store.OAuthIdentity. Its field names
// are part of the schema: renaming a Go field must not change them.
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
func identityValue(s string) (store.OAuthIdentity, error) {
	var j identityJSON
	if err := json.Unmarshal([]byte(s), &j); err != nil {
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

// nullIdentityValue decodes an identity stored by nullIdentityArg.
func nullIdentityValue(v sql.NullString) (*store.OAuthIdentity, error) {
	if !v.Valid {
		return nil, nil
	}
	id, err := identityValue(v.String)
	if err != nil {
		return nil, err
	}
	return &id, nil
}
