package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// APIKey is a managed API key: the logical key that a stable ID names in
// every operation, log line and audit row. Its secrets (the strings callers
// send) are Secrets; a key has one current secret and, after a rotation,
// older ones that work until their grace period ends. Usage and limits
// belong to the key, never to a secret, so rotating a key does not give it
// a second quota.
//
// Backends keep times in UTC with microsecond precision (the resolution of
// PostgreSQL's timestamptz); finer precision is truncated. A zero time is
// stored and returned as the zero time. Empty lists are returned as nil,
// except where a field's comment gives nil its own meaning.
type APIKey struct {
	// ID is the stable public id, "key_" followed by 20 or more random
	// base32 or hex characters. Callers generate it. Required.
	ID string
	// Name is a human label; Description says what the key is for.
	Name        string
	Description string
	// User owns a user-scoped key and is the subject it acts as (its
	// personal skill drive). Org owns an org-scoped key (User empty) and
	// is the organisation a user-scoped key belongs to, if any.
	User string
	Org  string
	// Teams, Roles and Scopes are the groups, roles and scopes the key
	// carries. Scopes nil means "whatever the key's roles allow"; a
	// non-nil empty list grants no scope at all.
	Teams  []string
	Roles  []string
	Scopes []string
	// Claims are custom string claims, passed on to the principal.
	Claims map[string]string
	// CreatedAt is when the key was created. Required (non-zero).
	CreatedAt time.Time
	// ExpiresAt is when the key stops working; zero means never.
	ExpiresAt time.Time
	// Disabled keys are kept but refused until enabled again.
	Disabled bool
	// RevokedAt is when the key was revoked; zero means not revoked.
	// Revocation is permanent.
	RevokedAt time.Time
	// MonthlyQuota caps the executions per UTC calendar month; 0 means
	// unlimited.
	MonthlyQuota int64
	// RateLimitPerMinute caps the requests per minute; 0 means unlimited.
	RateLimitPerMinute int
	// AllowedSkillIDs are the only skills the key may use. nil means every
	// skill its persona and drives give; a non-nil empty list, none.
	AllowedSkillIDs []string
	// ParentID is the key that minted this one; empty for a root key.
	ParentID string
	// CreatedBy identifies who created the key (a principal's Identity,
	// or "cli:<user>"). It is informational.
	CreatedBy string
	// LastUsedAt is when the key last authenticated a request, updated at
	// most about once a minute.
	LastUsedAt time.Time
	// Usage is the key's spend in its current month. Backends maintain it;
	// CreateKey ignores it.
	Usage Usage
}

// Usage is the executions a key spent in one UTC calendar month.
type Usage struct {
	// Period is the month, as year*100+month (202611); 0 before any use.
	Period int
	// Count is the executions spent in Period.
	Count int64
}

// In returns the usage in period: Count if u is for period, else 0 (a new
// month starts from nothing).
func (u Usage) In(period int) int64 {
	if u.Period != period {
		return 0
	}
	return u.Count
}

// Period returns the usage period (year*100+month, UTC) that t falls in.
func Period(t time.Time) int {
	t = t.UTC()
	return t.Year()*100 + int(t.Month())
}

// PeriodEnd returns the start of the UTC month after the one t falls in:
// when a monthly quota resets.
func PeriodEnd(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// Secret is one secret of a key: the SHA-256 of the plain string a caller
// sends. The plain string is never stored.
type Secret struct {
	// Hash is the SHA-256 of the plain key. Required (non-zero) and unique
	// across all keys.
	Hash [32]byte
	// KeyID is the key the secret belongs to.
	KeyID string
	// Prefix is the start of the plain key ("sk_live_abcd"), kept so that
	// people can recognise a key in listings; never enough to use it.
	Prefix string
	// CreatedAt is when the secret was issued. Required (non-zero).
	CreatedAt time.Time
	// ExpiresAt is when a secret that was rotated away stops working;
	// zero for the current secret.
	ExpiresAt time.Time
}

// Family is what the rules about a key's place in its hierarchy need to
// see, read inside the transaction that changes the key.
type Family struct {
	// Parent is the key's parent; nil for a root key.
	Parent *APIKey
	// Siblings are the parent's other unrevoked children (for a new key:
	// all of them). Empty for a root key.
	Siblings []APIKey
	// Children are the key's own unrevoked children.
	Children []APIKey
}

// KeyState is a key's state at a moment, for filtering.
type KeyState string

// Key states. A key is in exactly one at any moment, checked in this
// order: revoked, expired, disabled, active.
const (
	StateActive   KeyState = "active"
	StateDisabled KeyState = "disabled"
	StateExpired  KeyState = "expired"
	StateRevoked  KeyState = "revoked"
)

// State returns k's state at now.
func (k APIKey) State(now time.Time) KeyState {
	switch {
	case !k.RevokedAt.IsZero():
		return StateRevoked
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return StateExpired
	case k.Disabled:
		return StateDisabled
	}
	return StateActive
}

// KeyFilter selects keys for ListKeys. Zero fields do not filter.
type KeyFilter struct {
	User     string
	Org      string
	ParentID string
	// Within keeps the key with this id and its descendants.
	Within string
	// State keeps keys in this state at Now.
	State KeyState
	Now   time.Time
	// After is the cursor: keys strictly after it in list order.
	After *Cursor
	// Limit caps the keys returned; 0 means no cap.
	Limit int
}

// Cursor is a position in the list order of keys: CreatedAt, then ID.
// Keys created after a listing began sort after every earlier key, so a
// listing in pages neither skips nor repeats a key.
type Cursor struct {
	CreatedAt time.Time
	ID        string
}

// CursorOf returns the cursor just after k.
func CursorOf(k APIKey) *Cursor { return &Cursor{CreatedAt: k.CreatedAt, ID: k.ID} }

// Validate reports, wrapping ErrInvalid, whether k misses a field that every
// stored key must have. Backends call it before writing.
func (k APIKey) Validate() error {
	switch {
	case k.ID == "":
		return fmt.Errorf("api key: empty id: %w", ErrInvalid)
	case k.CreatedAt.IsZero():
		return fmt.Errorf("api key %s: zero created time: %w", k.ID, ErrInvalid)
	case k.MonthlyQuota < 0:
		return fmt.Errorf("api key %s: negative monthly quota: %w", k.ID, ErrInvalid)
	case k.RateLimitPerMinute < 0:
		return fmt.Errorf("api key %s: negative rate limit: %w", k.ID, ErrInvalid)
	case k.ParentID == k.ID:
		return fmt.Errorf("api key %s: its own parent: %w", k.ID, ErrInvalid)
	}
	return nil
}

// Validate reports, wrapping ErrInvalid, whether s misses a required field.
func (s Secret) Validate() error {
	switch {
	case s.Hash == [32]byte{}:
		return fmt.Errorf("secret of key %s: zero hash: %w", s.KeyID, ErrInvalid)
	case s.KeyID == "":
		return fmt.Errorf("secret: empty key id: %w", ErrInvalid)
	case s.CreatedAt.IsZero():
		return fmt.Errorf("secret of key %s: zero created time: %w", s.KeyID, ErrInvalid)
	}
	return nil
}

// ValidateNew reports, wrapping ErrInvalid, whether a new key k and its
// first secret s cannot be stored together. Backends call it before
// creating a key.
func ValidateNew(k APIKey, s Secret) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	if s.KeyID != k.ID {
		return fmt.Errorf("key %s: secret belongs to key %s: %w", k.ID, s.KeyID, ErrInvalid)
	}
	return nil
}

// ErrQuotaExceeded is wrapped by *QuotaError.
var ErrQuotaExceeded = errors.New("monthly execution quota exceeded")

// QuotaError says which key's quota refused a spend: the key itself or
// one of its ancestors.
type QuotaError struct {
	KeyID string
	Quota int64
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("key %s: %v (quota %d)", e.KeyID, ErrQuotaExceeded, e.Quota)
}

// Is makes errors.Is(err, ErrQuotaExceeded) true.
func (e *QuotaError) Is(target error) bool { return target == ErrQuotaExceeded }

// Keys stores managed API keys. Implementations MUST be safe for concurrent
// use, including by several processes sharing one database.
type Keys interface {
	// CreateKey stores k with its first secret s (s.KeyID must be k.ID).
	// When k.ParentID is set, the parent is read and check is called with
	// k's family inside the same transaction, so that a budget carved out
	// of the parent cannot be overdrawn by racing creations; check's error
	// aborts the creation and is returned wrapped. It returns ErrNotFound
	// if the parent does not exist, ErrExists if the ID or the secret's
	// hash is taken, and ErrInvalid if k or s fails Validate.
	CreateKey(ctx context.Context, k APIKey, s Secret, check func(k APIKey, f Family) error) error
	// CreateBootstrapKey stores k and s as the first admin key if, and
	// only if, no bootstrap key was ever created in this store. The fact
	// is kept as a marker separate from the key, so deleting or revoking
	// keys later never re-opens the bootstrap. It MUST be atomic: of any
	// number of callers racing, across processes too, at most one gets
	// created=true. It returns created=false and a nil error when a
	// bootstrap already happened, and the errors of CreateKey (with
	// nothing stored) when k cannot be stored.
	CreateBootstrapKey(ctx context.Context, k APIKey, s Secret) (created bool, err error)

	// KeyByID returns the key with the given ID, or ErrNotFound.
	KeyByID(ctx context.Context, id string) (APIKey, error)
	// KeyBySecret returns the key owning the secret whose hash is hash,
	// and that secret, or ErrNotFound.
	KeyBySecret(ctx context.Context, hash [32]byte) (APIKey, Secret, error)
	// Secrets returns the key's secrets, newest first.
	Secrets(ctx context.Context, keyID string) ([]Secret, error)
	// Lineage returns the key with the given ID followed by its ancestors,
	// up to the root, read in one consistent snapshot; ErrNotFound if the
	// key does not exist.
	Lineage(ctx context.Context, id string) ([]APIKey, error)
	// ListKeys returns the keys f selects, ordered by CreatedAt, then ID.
	ListKeys(ctx context.Context, f KeyFilter) ([]APIKey, error)

	// UpdateKey reads the key and its family, calls update with them and
	// stores the key update returns, in one transaction. Only Name,
	// Description, Disabled, ExpiresAt, MonthlyQuota, RateLimitPerMinute,
	// AllowedSkillIDs and Claims are written; other changes are ignored.
	// update's error aborts and is returned wrapped. ErrNotFound if no key
	// has the id.
	UpdateKey(ctx context.Context, id string, update func(k APIKey, f Family) (APIKey, error)) (APIKey, error)
	// RevokeKey revokes the key and all its descendants at the time at,
	// in one transaction, and returns the ids it revoked now. Keys already
	// revoked keep their first RevokedAt, so revoking is idempotent.
	// ErrNotFound if no key has the id.
	RevokeKey(ctx context.Context, id string, at time.Time) (revoked []string, err error)
	// RotateKey gives the key the new current secret s. Every secret of
	// the key still working at s.CreatedAt is set to stop at graceUntil
	// (or keeps its earlier expiry). check is called with the key inside
	// the transaction, so a rotation racing a revocation cannot revive a
	// key; its error aborts and is returned wrapped.
	RotateKey(ctx context.Context, id string, s Secret, graceUntil time.Time, check func(APIKey) error) (APIKey, error)

	// SpendExecution spends one execution of the monthly quota of the key
	// and of each of its ancestors, in one transaction that updates them
	// in a fixed order (root first), each with a single conditional
	// update: never read-then-write. A key whose usage is for an older
	// period starts again from zero. If any key in the line has no quota
	// left, nothing is spent and the error is a *QuotaError naming it.
	// It returns the key's usage after the spend.
	SpendExecution(ctx context.Context, id string, period int) (Usage, error)
	// TouchKey records that the key was used at at. Backends may skip the
	// write when LastUsedAt is less than a minute older.
	TouchKey(ctx context.Context, id string, at time.Time) error
	// KeysVersion returns a number that changes whenever any key's
	// revocation, rotation or update commits, in this process or another.
	// It MUST be cheap (a cache validates against it on every request).
	// Once the call that made a change has returned, it MUST NOT return
	// the old value in that process; other processes MUST see the change
	// within a bound the backend documents (PostgreSQL: one second by
	// default) and never later.
	KeysVersion(ctx context.Context) (uint64, error)
}
