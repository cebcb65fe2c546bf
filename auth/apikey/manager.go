package apikey

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// KeyStore is what Manager needs from storage.
type KeyStore interface {
	CreateKey(ctx context.Context, k store.APIKey, s store.Secret, check func(store.APIKey, store.Family) error) error
	KeyBySecret(ctx context.Context, hash [32]byte) (store.APIKey, store.Secret, error)
	Secrets(ctx context.Context, keyID string) ([]store.Secret, error)
	Lineage(ctx context.Context, id string) ([]store.APIKey, error)
	ListKeys(ctx context.Context, f store.KeyFilter) ([]store.APIKey, error)
	UpdateKey(ctx context.Context, id string, update func(store.APIKey, store.Family) (store.APIKey, error)) (store.APIKey, error)
	RevokeKey(ctx context.Context, id string, at time.Time) ([]string, error)
	RotateKey(ctx context.Context, id string, s store.Secret, graceUntil time.Time, check func(store.APIKey) error) (store.APIKey, error)
	SpendExecution(ctx context.Context, id string, period int) (store.Usage, error)
	CountAuditByDay(ctx context.Context, f store.DayFilter) ([]store.DayCount, error)
}

// Recorder records audit events; *audit.Log is one.
type Recorder interface {
	Record(ctx context.Context, e store.AuditEvent)
}

// Policy is the configurable part of the rules for keys.
type Policy struct {
	// Prefix starts new keys; DefaultPrefix if empty.
	Prefix string
	// MaxLifetime caps how long a key may live; 0 means no cap. With a
	// cap, a key created without an expiry expires at the cap.
	MaxLifetime time.Duration
	// RotationGrace is how long an old secret keeps working after a
	// rotation that does not say; 0 means it stops at once.
	RotationGrace time.Duration
	// MaxRotationGrace caps the grace period a rotation may ask for; 0
	// means no cap.
	MaxRotationGrace time.Duration
	// MaxDepth caps the generations of keys minting keys, the root
	// included; 0 means DefaultMaxDepth.
	MaxDepth int
	// RoleScopes returns the scopes the roles allow: the ceiling of any key
	// holding them. Required.
	RoleScopes func(roles []string) []string
}

// DefaultMaxDepth is how many generations of keys may descend from a root
// key, the root included.
const DefaultMaxDepth = 8

// Manager applies the rules of the key lifecycle: who may create, see,
// change, revoke and rotate which keys, and what a key may hold. The REST
// API, the CLI and the dashboard all go through it, so each rule lives
// here once.
type Manager struct {
	store  KeyStore
	audit  Recorder
	policy Policy
	now    func() time.Time
}

// NewManager returns a Manager. now nil means time.Now.
func NewManager(s KeyStore, audit Recorder, p Policy, now func() time.Time) (*Manager, error) {
	if p.Prefix == "" {
		p.Prefix = DefaultPrefix
	}
	if !ValidPrefix(p.Prefix) {
		return nil, fmt.Errorf("key prefix %q: want 2 to 16 characters of a-z, 0-9 and _, ending with _", p.Prefix)
	}
	if p.MaxDepth == 0 {
		p.MaxDepth = DefaultMaxDepth
	}
	if p.RoleScopes == nil {
		return nil, errors.New("key policy: RoleScopes is required")
	}
	if now == nil {
		now = time.Now
	}
	return &Manager{store: s, audit: audit, policy: p, now: now}, nil
}

// Get returns the key with id, with its secrets, if the actor may see it.
func (m *Manager) Get(ctx context.Context, a Actor, id string) (View, error) {
	if err := a.need(auth.ScopeKeysRead); err != nil {
		return View{}, err
	}
	lineage, err := m.visible(ctx, a, id)
	if err != nil {
		return View{}, err
	}
	secrets, err := m.store.Secrets(ctx, id)
	if err != nil {
		return View{}, fmt.Errorf("show key %s: %w", id, err)
	}
	return NewView(lineage[0], secrets, m.clock()), nil
}

// visible returns the lineage of the key with id if the actor may see it,
// and the same not-found error whether the key is missing or hidden.
func (m *Manager) visible(ctx context.Context, a Actor, id string) ([]store.APIKey, error) {
	lineage, err := m.store.Lineage(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, notFound(id)
	case err != nil:
		return nil, fmt.Errorf("look up key %s: %w", id, err)
	case !a.sees(lineage):
		return nil, notFound(id)
	}
	return lineage, nil
}

// ceiling returns the scopes a key may hold at most: those of its roles,
// narrowed by its own scopes.
func (m *Manager) ceiling(k store.APIKey) []string {
	return auth.Effective(k.Scopes, m.policy.RoleScopes(k.Roles))
}

// record writes an audit event for an operation by a on the key target.
func (m *Manager) record(ctx context.Context, a Actor, action, target string, err error, detail string) {
	if m.audit == nil {
		return
	}
	result := store.ResultOK
	switch {
	case err == nil:
	case KindOf(err) != 0:
		result = store.ResultDenied
		detail = err.Error()
	default:
		result = store.ResultError
	}
	m.audit.Record(ctx, store.AuditEvent{
		Time: m.clock(), KeyID: target, Principal: a.Identity(),
		Action: action, Target: target, Result: result,
		ClientAddr: a.ClientAddr, Detail: detail,
	})
}

// clock returns the current time in UTC at the store's resolution, so
// that what an operation answers equals what a later read returns.
func (m *Manager) clock() time.Time {
	return storeTime(m.now())
}
