package apikey

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"github.com/skillgate/skillgate/auth"
)

// StaticKey is one key configured in platform.yaml.
type StaticKey struct {
	Key    string
	Name   string
	Roles  []string
	Scopes []string
	User   string // default Name
	Teams  []string
}

// Static verifies the keys written in the configuration. Only their hashes
// are kept in memory.
type Static struct {
	entries []staticEntry
}

type staticEntry struct {
	hash      [32]byte
	principal auth.Principal
}

var _ auth.Verifier = (*Static)(nil)

// NewStatic returns a verifier for keys. An empty key or a duplicate key or
// name is an error: an empty key must never match an empty credential.
func NewStatic(keys []StaticKey) (*Static, error) {
	s := &Static{}
	seenName := make(map[string]bool, len(keys))
	seenHash := make(map[[32]byte]bool, len(keys))
	for i, k := range keys {
		if strings.TrimSpace(k.Key) == "" {
			return nil, fmt.Errorf("static key %d (%q): key is empty", i, k.Name)
		}
		if k.Name == "" {
			return nil, fmt.Errorf("static key %d: name is empty", i)
		}
		h := Hash(k.Key)
		if seenHash[h] {
			return nil, fmt.Errorf("static key %q: the same key is configured twice", k.Name)
		}
		if seenName[k.Name] {
			return nil, fmt.Errorf("static key %q: name is used twice", k.Name)
		}
		seenHash[h], seenName[k.Name] = true, true
		user := k.User
		if user == "" {
			user = k.Name
		}
		s.entries = append(s.entries, staticEntry{hash: h, principal: auth.Principal{
			Subject:      k.Name,
			CredentialID: "static:" + k.Name,
			User:         user,
			Teams:        k.Teams,
			Roles:        k.Roles,
			Scopes:       k.Scopes,
			Source:       auth.SourceStaticKey,
		}})
	}
	return s, nil
}

// Verify compares the token's hash with every configured key's hash in
// constant time, looking at all of them whatever matches, so the time taken
// says nothing about which key (if any) was close.
func (s *Static) Verify(_ context.Context, token string) (auth.Principal, error) {
	h := Hash(token)
	match := -1
	for i := range s.entries {
		if subtle.ConstantTimeCompare(h[:], s.entries[i].hash[:]) == 1 {
			match = i
		}
	}
	if match < 0 {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	return s.entries[match].principal, nil
}

// Recheck reports whether the static key behind p is still configured.
func (s *Static) Recheck(_ context.Context, p auth.Principal) (auth.Principal, error) {
	if p.Source != auth.SourceStaticKey {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	for _, e := range s.entries {
		if e.principal.CredentialID == p.CredentialID {
			return e.principal, nil
		}
	}
	return auth.Principal{}, errors.Join(auth.ErrRevoked, fmt.Errorf("static key %s is no longer configured", p.CredentialID))
}
