package apikey

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// VerifierStore is what Managed needs from storage.
type VerifierStore interface {
	KeyBySecret(ctx context.Context, hash [32]byte) (store.APIKey, store.Secret, error)
	Lineage(ctx context.Context, id string) ([]store.APIKey, error)
	KeysVersion(ctx context.Context) (uint64, error)
	TouchKey(ctx context.Context, id string, at time.Time) error
}

// Managed verifies keys stored in the database. Verified keys are cached,
// and every use of a cached key first checks the store's KeysVersion, which
// changes with every revocation, rotation or update committed by any
// process: a cached key never outlives its revocation for longer than the
// store lets a version be seen late (not at all for a change made through
// the same store, one second by default for another process's).
type Managed struct {
	store  VerifierStore
	prefix string
	now    func() time.Time
	log    *slog.Logger
	cache  *cache
}

// ManagedOptions configure a Managed verifier.
type ManagedOptions struct {
	// Prefix of the keys this server issues; DefaultPrefix if empty. Keys
	// with DefaultPrefix stay valid when another prefix is configured.
	Prefix string
	// CacheSize bounds the verified keys kept in memory; 0 means 65536,
	// negative turns the cache off.
	CacheSize int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Logger reports failures to record a key's last use; nil discards.
	Logger *slog.Logger
}

// NewManaged returns a verifier of the keys in s.
func NewManaged(s VerifierStore, opts ManagedOptions) *Managed {
	m := &Managed{store: s, prefix: opts.Prefix, now: opts.Now, log: opts.Logger}
	if m.prefix == "" {
		m.prefix = DefaultPrefix
	}
	if m.now == nil {
		m.now = time.Now
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	switch {
	case opts.CacheSize == 0:
		m.cache = newCache(1 << 16)
	case opts.CacheSize > 0:
		m.cache = newCache(opts.CacheSize)
	}
	return m
}

var _ auth.Verifier = (*Managed)(nil)

// Verify checks the token's shape and checksum, finds its key by hash and
// checks the state of the key, of the secret and of every ancestor.
// Strings that are not shaped like our keys are not looked up.
func (m *Managed) Verify(ctx context.Context, token string) (auth.Principal, error) {
	if err := m.parse(token); err != nil {
		return auth.Principal{}, err
	}
	hash := Hash(token)
	version, err := m.store.KeysVersion(ctx)
	if err != nil {
		return auth.Principal{}, fmt.Errorf("verify API key: %w", err)
	}
	e, ok := m.cache.get(hash, version)
	if !ok {
		// version was read before the key: a revocation committed after
		// this read changes the version, so this entry is never served
		// once the revocation is visible.
		if e, err = m.load(ctx, hash); err != nil {
			return auth.Principal{}, err
		}
		m.cache.put(hash, version, e)
	}
	now := m.now()
	if !e.secret.ExpiresAt.IsZero() && !now.Before(e.secret.ExpiresAt) {
		return auth.Principal{}, &auth.CredentialError{CredentialID: e.secret.KeyID, Err: auth.ErrRotated}
	}
	if err := checkLineage(e.lineage, now); err != nil {
		return auth.Principal{}, &auth.CredentialError{CredentialID: e.secret.KeyID, Err: err}
	}
	m.touch(ctx, e, now)
	return e.principal, nil
}

// parse accepts keys with the configured prefix or DefaultPrefix.
func (m *Managed) parse(token string) error {
	err := ParseKey(token, m.prefix)
	if errors.Is(err, ErrNotAKey) && m.prefix != DefaultPrefix {
		err = ParseKey(token, DefaultPrefix)
	}
	switch {
	case errors.Is(err, ErrNotAKey):
		return auth.ErrUnknownCredential
	case err != nil:
		return fmt.Errorf("%w: %v", auth.ErrMalformedCredential, err)
	}
	return nil
}

func (m *Managed) load(ctx context.Context, hash [32]byte) (*entry, error) {
	k, sec, err := m.store.KeyBySecret(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, auth.ErrUnknownCredential
	}
	if err != nil {
		return nil, fmt.Errorf("look up API key: %w", err)
	}
	lineage := []store.APIKey{k}
	if k.ParentID != "" {
		if lineage, err = m.store.Lineage(ctx, k.ID); err != nil {
			return nil, fmt.Errorf("look up ancestors of API key %s: %w", k.ID, err)
		}
	}
	p := principal(lineage)
	p.SecretID = hex.EncodeToString(hash[:])
	return &entry{secret: sec, lineage: lineage, principal: p}, nil
}

// touch records the key's use about once a minute, on the request path
// but rarely: the store skips writes less than a minute apart, and the
// cache remembers the last write so the store is not even asked.
func (m *Managed) touch(ctx context.Context, e *entry, now time.Time) {
	if !e.shouldTouch(now) {
		return
	}
	if err := m.store.TouchKey(ctx, e.lineage[0].ID, now); err != nil {
		m.log.WarnContext(ctx, "recording API key use", "key_id", e.lineage[0].ID, "err", err)
	}
}

// Recheck reloads the key behind p and checks it and its ancestors again.
func (m *Managed) Recheck(ctx context.Context, p auth.Principal) (auth.Principal, error) {
	if p.Source != auth.SourceManagedKey {
		return auth.Principal{}, auth.ErrUnknownCredential
	}
	now := m.now()
	secretEnds, err := m.recheckSecret(ctx, p, now)
	if err != nil {
		if errors.Is(err, auth.ErrUnknownCredential) {
			return auth.Principal{}, err
		}
		return auth.Principal{}, &auth.CredentialError{CredentialID: p.CredentialID, Err: err}
	}
	lineage, err := m.store.Lineage(ctx, p.CredentialID)
	if errors.Is(err, store.ErrNotFound) {
		return auth.Principal{}, auth.ErrRevoked
	}
	if err != nil {
		return auth.Principal{}, fmt.Errorf("look up API key %s: %w", p.CredentialID, err)
	}
	if err := checkLineage(lineage, now); err != nil {
		return auth.Principal{}, &auth.CredentialError{CredentialID: p.CredentialID, Err: err}
	}
	fresh := principal(lineage)
	fresh.SecretID = p.SecretID
	// A secret rotated away stops at the end of its grace, which no
	// change of the store marks: the principal says so, so that whoever
	// keeps it (a cache of tokens issued from this secret) lets go then.
	if !secretEnds.IsZero() && (fresh.ExpiresAt.IsZero() || secretEnds.Before(fresh.ExpiresAt)) {
		fresh.ExpiresAt = secretEnds
	}
	return fresh, nil
}

// recheckSecret checks that the very secret p was verified with still
// works (a rotation with no grace ends sessions opened with the old one),
// and returns when it stops working: zero for the current secret.
func (m *Managed) recheckSecret(ctx context.Context, p auth.Principal, now time.Time) (time.Time, error) {
	raw, err := hex.DecodeString(p.SecretID)
	if err != nil || len(raw) != 32 {
		// Every managed principal carries its secret's id; one without
		// is not from this verifier and is refused.
		return time.Time{}, auth.ErrUnknownCredential
	}
	_, sec, err := m.store.KeyBySecret(ctx, [32]byte(raw))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return time.Time{}, auth.ErrRevoked
	case err != nil:
		return time.Time{}, fmt.Errorf("look up API key secret: %w", err)
	case sec.KeyID != p.CredentialID:
		return time.Time{}, auth.ErrUnknownCredential
	case !sec.ExpiresAt.IsZero() && !now.Before(sec.ExpiresAt):
		return time.Time{}, auth.ErrRotated
	}
	return sec.ExpiresAt, nil
}

// checkLineage refuses a key if it or any ancestor is revoked, expired or
// disabled: a child never outlives the key that minted it.
func checkLineage(lineage []store.APIKey, now time.Time) error {
	for i, k := range lineage {
		var err error
		switch k.State(now) {
		case store.StateRevoked:
			err = auth.ErrRevoked
		case store.StateExpired:
			err = auth.ErrExpired
		case store.StateDisabled:
			err = auth.ErrDisabled
		default:
			continue
		}
		if i > 0 {
			return fmt.Errorf("%w (its parent key %s)", err, k.ID)
		}
		return err
	}
	return nil
}

// principal is the caller a key stands for. Limits that a parent narrowed
// after minting the key apply to it too: skills are those every key in
// the line allows, the rate is the lowest, and the key expires with the
// first of them.
func principal(lineage []store.APIKey) auth.Principal {
	k := lineage[0]
	p := auth.Principal{
		Subject:            k.Name,
		CredentialID:       k.ID,
		User:               k.User,
		Org:                k.Org,
		Teams:              k.Teams,
		Roles:              k.Roles,
		Scopes:             k.Scopes,
		Claims:             maps.Clone(k.Claims),
		AllowedSkills:      k.AllowedSkillIDs,
		RateLimitPerMinute: k.RateLimitPerMinute,
		ParentID:           k.ParentID,
		Source:             auth.SourceManagedKey,
		ExpiresAt:          k.ExpiresAt,
	}
	for _, a := range lineage[1:] {
		if a.AllowedSkillIDs != nil {
			p.AllowedSkills = intersect(p.AllowedSkills, a.AllowedSkillIDs)
		}
		if !a.ExpiresAt.IsZero() && (p.ExpiresAt.IsZero() || a.ExpiresAt.Before(p.ExpiresAt)) {
			p.ExpiresAt = a.ExpiresAt
		}
		if a.RateLimitPerMinute > 0 && (p.RateLimitPerMinute == 0 || a.RateLimitPerMinute < p.RateLimitPerMinute) {
			p.RateLimitPerMinute = a.RateLimitPerMinute
		}
	}
	return p
}

// intersect returns the elements of b that a has; a nil a has everything.
func intersect(a, b []string) []string {
	if a == nil {
		return slices.Clone(b)
	}
	out := []string{}
	for _, s := range b {
		if slices.Contains(a, s) {
			out = append(out, s)
		}
	}
	return out
}
