package sqlite

import (
	"database/sql"

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

// identityArg encodes id in its stored form, as text: pgx sends a string
// for a JSON column as the JSON it is, and SQLite keeps it as TEXT.
func identityArg(id store.OAuthIdentity) (string, error) {
	b, err := store.EncodeIdentity(id)
	return string(b), err
}

// nullIdentityArg stores a nil identity as NULL.
func nullIdentityArg(id *store.OAuthIdentity) (any, error) {
	if id == nil {
		return nil, nil
	}
	return identityArg(*id)
}

// identityValue decodes an identity stored as text.
func identityValue(s string) (store.OAuthIdentity, error) {
	return store.DecodeIdentity([]byte(s))
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
