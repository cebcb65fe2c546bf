package oauth

import "context"

// Versions tells when anything a verified token depends on may have
// changed: store.Keys is one. Every revocation of a grant, and every
// revocation, rotation or update of a key, changes the version.
type Versions interface {
	KeysVersion(ctx context.Context) (uint64, error)
}
