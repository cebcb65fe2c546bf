package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
)

// DefaultPrefix starts every key skillgate generates unless configured
// otherwise.
const DefaultPrefix = "sk_live_"

// A key is a prefix followed by a body of bodyLen characters: the unpadded
// base64url encoding of secretBytes random bytes and a 4-byte CRC-32 of the
// prefix and those bytes. The checksum lets a mistyped or truncated key be
// refused without a database read, and the fixed shape lets secret
// scanners recognise leaked keys. It is not a security measure: the
// secret's 256 random bits are.
const (
	secretBytes   = 32
	checksumBytes = 4
	bodyLen       = (secretBytes + checksumBytes) * 4 / 3 // 48
	// legacyBodyLen is the body of keys made before checksums: 43
	// characters, no checksum. They are still accepted so that existing
	// installations keep their first admin key; rotating one gives a key
	// of the current shape.
	legacyBodyLen = 43
	// maxPrefixLen bounds a configured prefix.
	maxPrefixLen = 16
	// idBytes is the randomness in a public key id: 120 bits, enough that
	// ids never collide, and not a secret.
	idBytes = 15
	// displayBodyLen is how much of a key's body may be shown to identify it.
	displayBodyLen = 4
)

var (
	idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)
	// crcTable is Castagnoli: hardware-accelerated, and as good as IEEE
	// at catching typos.
	crcTable = crc32.MakeTable(crc32.Castagnoli)
)

// Errors of ParseKey.
var (
	// ErrNotAKey means the string does not have the shape of a skillgate
	// key with the expected prefix: it may be another kind of credential.
	ErrNotAKey = errors.New("not a skillgate API key")
	// ErrChecksum means the string has the shape of a key but its
	// checksum does not match: it was mistyped or cut short.
	ErrChecksum = errors.New("API key checksum does not match: the key was mistyped or cut short")
)

// ValidPrefix reports whether p can prefix keys: 2 to 16 characters of
// a-z, 0-9 and '_', ending with '_', so that the body's start is clear.
func ValidPrefix(p string) bool {
	if len(p) < 2 || len(p) > maxPrefixLen || !strings.HasSuffix(p, "_") {
		return false
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Generate returns a new random key with prefix, which must satisfy
// ValidPrefix.
func Generate(prefix string) string {
	b := make([]byte, secretBytes, secretBytes+checksumBytes)
	// crypto/rand.Read never returns an error (Go 1.24+): it crashes the
	// program rather than return predictable bytes.
	_, _ = rand.Read(b)
	b = binary.BigEndian.AppendUint32(b, checksum(prefix, b))
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// ParseKey checks that s is a key with prefix: ErrNotAKey if it does not
// start with prefix or cannot be one, ErrChecksum if it has the shape of one
// but its checksum is wrong. Keys of the legacy shape (DefaultPrefix and 43
// characters without checksum) are accepted.
func ParseKey(s, prefix string) error {
	body, ok := strings.CutPrefix(s, prefix)
	if !ok {
		return ErrNotAKey
	}
	switch {
	case prefix == DefaultPrefix && len(body) == legacyBodyLen && isBase64URL(body):
		return nil
	case len(body) != bodyLen || !isBase64URL(body):
		// Right prefix, wrong shape: most likely a truncated or padded
		// copy of one of ours.
		return ErrChecksum
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(body)
	if err != nil {
		return ErrChecksum
	}
	got := binary.BigEndian.Uint32(raw[secretBytes:])
	if got != checksum(prefix, raw[:secretBytes]) {
		return ErrChecksum
	}
	return nil
}

func checksum(prefix string, secret []byte) uint32 {
	c := crc32.Update(0, crcTable, []byte(prefix))
	return crc32.Update(c, crcTable, secret)
}

func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
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

// DisplayPrefix returns the part of a key with prefix that may be shown to
// identify it ("sk_live_abcd"), never enough to use it.
func DisplayPrefix(key, prefix string) string {
	if !strings.HasPrefix(key, prefix) || len(key) < len(prefix)+displayBodyLen {
		return ""
	}
	return key[:len(prefix)+displayBodyLen]
}
