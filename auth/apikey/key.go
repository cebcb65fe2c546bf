package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"strings"
)

// Prefix starts every key skillgate generates.
const Prefix = "sk_live_"

const (
	// secretBytes is the randomness in a key: 256 bits.
	secretBytes = 32
	// idBytes is the randomness in a public key id: 120 bits, enough that
	// ids never collide, and not a secret.
	idBytes = 15
	// displayPrefixLen is how much of a key may be shown to identify it.
	displayPrefixLen = len(Prefix) + 4
)

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// Generate returns a new random key: Prefix followed by 256 bits encoded as
// unpadded base64url (43 characters).
func Generate() string {
	b := make([]byte, secretBytes)
	// crypto/rand.Read never returns an error (Go 1.24+): it crashes the
	// program rather than return predictable bytes.
	_, _ = rand.Read(b)
	return Prefix + base64.RawURLEncoding.EncodeToString(b)
}

// NewID returns a new public key id, "key_" followed by 24 lowercase base32
// characters.
func NewID() string {
	b := make([]byte, idBytes)
	_, _ = rand.Read(b)
	return "key_" + strings.ToLower(idEncoding.EncodeToString(b))
}

// Hash returns the SHA-256 of a key: the only form in which keys are stored.
// A key has 256 bits of entropy, so an unsalted fast hash is enough: there
// is nothing to brute-force.
func Hash(key string) [32]byte {
	return sha256.Sum256([]byte(key))
}

// DisplayPrefix returns the part of a key that may be shown to identify it
// ("sk_live_abcd"), never enough to use it.
func DisplayPrefix(key string) string {
	if len(key) < displayPrefixLen {
		return ""
	}
	return key[:displayPrefixLen]
}
