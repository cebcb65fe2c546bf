package postgres

import (
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

// boundArg is t as a timestamptz to compare columns with. Unlike timeArg it
// never is NULL: the zero time is a real instant, before every stored one,
// as it is for the SQLite backend (whose comparisons use UnixMicro).
func boundArg(t time.Time) time.Time {
	return t.UTC()
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

// nullIdentityValue decodes an identity stored by nullIdentityArg; a NULL
// column scans as nil bytes.
func nullIdentityValue(b []byte) (*store.OAuthIdentity, error) {
	if b == nil {
		return nil, nil
	}
	id, err := store.DecodeIdentity(b)
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
