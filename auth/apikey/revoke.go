package apikey

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// Revoked is the answer to a revocation.
type Revoked struct {
	Key View `json:"key"`
	// Revoked are the ids this call revoked: the key and its descendants
	// that were not revoked yet. Empty when everything already was.
	Revoked []string `json:"revoked"`
}

// Revoke revokes the key with id and every key it minted, directly or not,
// at once and for good. Revoking a revoked key succeeds and changes
// nothing.
func (m *Manager) Revoke(ctx context.Context, a Actor, id string) (r Revoked, err error) {
	defer func() { m.record(ctx, a, "key.revoke", id, err, revokedDetail(r.Revoked)) }()
	if err := a.need(auth.ScopeKeysWrite); err != nil {
		return Revoked{}, err
	}
	lineage, err := m.visible(ctx, a, id)
	if err != nil {
		return Revoked{}, err
	}
	if err := m.mayManage(a, lineage); err != nil {
		return Revoked{}, err
	}
	return m.revoke(ctx, id)
}

// RevokeSecret revokes the key a plain secret belongs to. Holding the
// secret is proof enough of the right to revoke it, as for a leaked key
// reported by whoever found it; the caller still needs keys:write.
func (m *Manager) RevokeSecret(ctx context.Context, a Actor, plain string) (r Revoked, err error) {
	defer func() { m.record(ctx, a, "key.revoke", r.Key.ID, err, "by secret; "+revokedDetail(r.Revoked)) }()
	if err := a.need(auth.ScopeKeysWrite); err != nil {
		return Revoked{}, err
	}
	plain = strings.TrimSpace(plain)
	if err := ParseKey(plain, m.policy.Prefix); err != nil && (m.policy.Prefix == DefaultPrefix || ParseKey(plain, DefaultPrefix) != nil) {
		return Revoked{}, &Error{Kind: KindInvalid, Message: "The value given is not a skillgate API key: " + err.Error()}
	}
	k, _, err := m.store.KeyBySecret(ctx, Hash(plain))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return Revoked{}, &Error{Kind: KindNotFound, Message: "No API key has this secret"}
	case err != nil:
		return Revoked{}, fmt.Errorf("look up key by secret: %w", err)
	}
	return m.revoke(ctx, k.ID)
}

func (m *Manager) revoke(ctx context.Context, id string) (Revoked, error) {
	now := m.clock()
	ids, err := m.store.RevokeKey(ctx, id, now)
	if errors.Is(err, store.ErrNotFound) {
		return Revoked{}, notFound(id)
	}
	if err != nil {
		return Revoked{}, fmt.Errorf("revoke key %s: %w", id, err)
	}
	lineage, err := m.store.Lineage(ctx, id)
	if err != nil {
		return Revoked{}, fmt.Errorf("revoke key %s: %w", id, err)
	}
	secrets, err := m.store.Secrets(ctx, id)
	if err != nil {
		return Revoked{}, fmt.Errorf("revoke key %s: %w", id, err)
	}
	if ids == nil {
		ids = []string{}
	}
	return Revoked{Key: NewView(lineage[0], secrets, now), Revoked: ids}, nil
}

func revokedDetail(ids []string) string {
	if len(ids) == 0 {
		return "nothing newly revoked"
	}
	return "revoked " + strings.Join(ids, ",")
}

// Rotate issues a new secret for the key with id. The key keeps its id,
// properties and usage (rotation never grants a second quota); its old
// secrets keep working for grace (nil: the policy's default; 0: they stop
// now), both shown by Get until they expire.
func (m *Manager) Rotate(ctx context.Context, a Actor, id string, grace *time.Duration) (c Created, err error) {
	defer func() { m.record(ctx, a, "key.rotate", id, err, "") }()
	if err := a.need(auth.ScopeKeysWrite); err != nil {
		return Created{}, err
	}
	g := m.policy.RotationGrace
	if grace != nil {
		g = *grace
	}
	switch {
	case g < 0:
		return Created{}, invalidf("the grace period cannot be negative")
	case m.policy.MaxRotationGrace > 0 && g > m.policy.MaxRotationGrace:
		return Created{}, invalidf("the grace period is capped at %s", m.policy.MaxRotationGrace)
	}
	lineage, err := m.visible(ctx, a, id)
	if err != nil {
		return Created{}, err
	}
	if err := m.mayManage(a, lineage); err != nil {
		return Created{}, err
	}
	now := m.clock()
	plain := Generate(m.policy.Prefix)
	sec := store.Secret{Hash: Hash(plain), KeyID: id, Prefix: DisplayPrefix(plain, m.policy.Prefix), CreatedAt: now}
	k, err := m.store.RotateKey(ctx, id, sec, now.Add(g), func(k store.APIKey) error {
		switch st := k.State(now); st {
		case store.StateRevoked, store.StateExpired:
			return conflictf("key %s is %s; only a live key can be rotated", id, st)
		}
		return nil
	})
	if err != nil {
		if e, ok := errors.AsType[*Error](err); ok {
			return Created{}, e
		}
		return Created{}, fmt.Errorf("rotate key %s: %w", id, err)
	}
	secrets, err := m.store.Secrets(ctx, id)
	if err != nil {
		return Created{}, fmt.Errorf("rotate key %s: %w", id, err)
	}
	return Created{Key: NewView(k, secrets, now), Secret: plain}, nil
}
