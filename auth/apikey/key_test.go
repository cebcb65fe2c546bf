package apikey

import (
	"errors"
	"strings"
	"testing"
)

func TestGenerateAndParse(t *testing.T) {
	seen := map[string]bool{}
	for _, prefix := range []string{DefaultPrefix, "sg_test_", "x_"} {
		for range 50 {
			k := Generate(prefix)
			if !strings.HasPrefix(k, prefix) || len(k) != len(prefix)+bodyLen {
				t.Fatalf("Generate(%q) = %q, want the prefix and %d characters", prefix, k, bodyLen)
			}
			if seen[k] {
				t.Fatal("Generate returned the same key twice")
			}
			seen[k] = true
			if err := ParseKey(k, prefix); err != nil {
				t.Fatalf("ParseKey(Generate(%q)) = %v", prefix, err)
			}
		}
	}
	if id := NewID(); !strings.HasPrefix(id, "key_") || len(id) != 28 {
		t.Errorf("NewID() = %q", id)
	}
	if p := DisplayPrefix("sk_live_abcdefgh", DefaultPrefix); p != "sk_live_abcd" {
		t.Errorf("DisplayPrefix = %q", p)
	}
}

// TestParseKeyCatchesTypos changes each character of a key in turn: the
// checksum must refuse every one without a database read.
func TestParseKeyCatchesTypos(t *testing.T) {
	k := Generate(DefaultPrefix)
	for i := len(DefaultPrefix); i < len(k); i++ {
		b := []byte(k)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		if err := ParseKey(string(b), DefaultPrefix); !errors.Is(err, ErrChecksum) {
			t.Fatalf("typo at %d: ParseKey = %v, want ErrChecksum", i, err)
		}
	}
	// Two adjacent characters swapped.
	b := []byte(k)
	i := len(DefaultPrefix) + 5
	if b[i] != b[i+1] {
		b[i], b[i+1] = b[i+1], b[i]
		if err := ParseKey(string(b), DefaultPrefix); !errors.Is(err, ErrChecksum) {
			t.Errorf("transposition: ParseKey = %v, want ErrChecksum", err)
		}
	}
}

func TestParseKey(t *testing.T) {
	k := Generate(DefaultPrefix)
	legacy := DefaultPrefix + strings.Repeat("a", legacyBodyLen)
	tests := []struct {
		name, key, prefix string
		want              error
	}{
		{"valid", k, DefaultPrefix, nil},
		{"legacy key without checksum", legacy, DefaultPrefix, nil},
		{"legacy shape under another prefix", "sg_" + strings.Repeat("a", legacyBodyLen), "sg_", ErrChecksum},
		{"truncated", k[:len(k)-1], DefaultPrefix, ErrChecksum},
		{"extra character", k + "A", DefaultPrefix, ErrChecksum},
		{"trailing newline", k + "\n", DefaultPrefix, ErrChecksum},
		{"padding", k[:len(k)-1] + "=", DefaultPrefix, ErrChecksum},
		{"prefix only", DefaultPrefix, DefaultPrefix, ErrChecksum},
		{"other prefix", k, "sg_test_", ErrNotAKey},
		// The checksum covers the prefix, so a key cannot be moved to another.
		{"prefix changed", "sk_test_" + k[len(DefaultPrefix):], "sk_test_", ErrChecksum},
		{"static key", "static-0123456789abcdef", DefaultPrefix, ErrNotAKey},
		{"empty", "", DefaultPrefix, ErrNotAKey},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := ParseKey(tc.key, tc.prefix); !errors.Is(err, tc.want) {
				t.Errorf("ParseKey = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestValidPrefix(t *testing.T) {
	tests := []struct {
		prefix string
		want   bool
	}{
		{"sk_live_", true},
		{"sg_", true},
		{"a_", true},
		{"_", false},
		{"sk_live", false},
		{"SK_LIVE_", false},
		{"sk-live_", false},
		{"sk_live_abcdefghi_", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := ValidPrefix(tc.prefix); got != tc.want {
			t.Errorf("ValidPrefix(%q) = %v, want %v", tc.prefix, got, tc.want)
		}
	}
}

// FuzzParseKey checks that the parser never panics, accepts only strings
// of the documented shape, and always accepts what Generate makes.
func FuzzParseKey(f *testing.F) {
	f.Add(Generate(DefaultPrefix), DefaultPrefix)
	f.Add(DefaultPrefix+strings.Repeat("a", legacyBodyLen), DefaultPrefix)
	f.Add("sk_live_", DefaultPrefix)
	f.Add("eyJhbGciOiJub25lIn0.e30.", "sg_")
	f.Fuzz(func(t *testing.T, key, prefix string) {
		err := ParseKey(key, prefix)
		if err == nil {
			body := key[len(prefix):]
			if !strings.HasPrefix(key, prefix) || (len(body) != bodyLen && len(body) != legacyBodyLen) || !isBase64URL(body) {
				t.Fatalf("ParseKey accepted %q with prefix %q", key, prefix)
			}
		}
		if ValidPrefix(prefix) {
			if err := ParseKey(Generate(prefix), prefix); err != nil {
				t.Fatalf("ParseKey(Generate(%q)) = %v", prefix, err)
			}
		}
	})
}
