package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

var _ store.WebSessions = (*DB)(nil)

// webSessionColumns are the stored columns; credential_id is generated
// from identity (see migration 0002).
const webSessionColumns = `hash, identity, created_at, expires_at`

// CreateWebSession implements store.WebSessions.
func (db *DB) CreateWebSession(ctx context.Context, s store.WebSession) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("postgres: create web session: %w", err)
	}
	identity, err := identityArg(s.Identity)
	if err != nil {
		return fmt.Errorf("postgres: create web session: identity: %w", err)
	}
	if _, err := db.pool.Exec(ctx, `INSERT INTO web_sessions (`+webSessionColumns+`)
		VALUES ($1, $2, $3, $4)`, s.Hash, identity, timeArg(s.CreatedAt), timeArg(s.ExpiresAt)); err != nil {
		return fmt.Errorf("postgres: create web session: %w", translate(err))
	}
	return nil
}

// WebSession implements store.WebSessions.
func (db *DB) WebSession(ctx context.Context, hash []byte, now time.Time) (store.WebSession, error) {
	var (
		s                store.WebSession
		identity         []byte
		created, expires *time.Time
	)
	err := db.pool.QueryRow(ctx, `SELECT `+webSessionColumns+` FROM web_sessions
		WHERE hash = $1 AND expires_at > $2`, hash, boundArg(now)).Scan(&s.Hash, &identity, &created, &expires)
	if err != nil {
		return store.WebSession{}, fmt.Errorf("postgres: web session: %w", translate(err))
	}
	if s.Identity, err = store.DecodeIdentity(identity); err != nil {
		return store.WebSession{}, fmt.Errorf("postgres: web session: identity: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = timeValue(created), timeValue(expires)
	return s, nil
}

// DeleteWebSession implements store.WebSessions.
func (db *DB) DeleteWebSession(ctx context.Context, hash []byte) error {
	tag, err := db.pool.Exec(ctx, `DELETE FROM web_sessions WHERE hash = $1`, hash)
	if err == nil {
		err = mustAffect(tag)
	}
	if err != nil {
		return fmt.Errorf("postgres: delete web session: %w", translate(err))
	}
	return nil
}

// DeleteWebSessionsOf implements store.WebSessions.
func (db *DB) DeleteWebSessionsOf(ctx context.Context, credentialID string) (int, error) {
	if credentialID == "" {
		return 0, fmt.Errorf("postgres: delete web sessions: empty credential id: %w", store.ErrInvalid)
	}
	n, err := db.deleteWebSessions(ctx, `credential_id = $1`, credentialID)
	if err != nil {
		return 0, fmt.Errorf("postgres: delete web sessions of %s: %w", credentialID, err)
	}
	return n, nil
}

// PruneWebSessions implements store.WebSessions.
func (db *DB) PruneWebSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := db.deleteWebSessions(ctx, `expires_at <= $1`, boundArg(now))
	if err != nil {
		return 0, fmt.Errorf("postgres: prune web sessions: %w", err)
	}
	return n, nil
}

// deleteWebSessions deletes the sessions matching where (a condition on
// $1, bound to arg) and returns how many.
func (db *DB) deleteWebSessions(ctx context.Context, where string, arg any) (int, error) {
	tag, err := db.pool.Exec(ctx, `DELETE FROM web_sessions WHERE `+where, arg)
	if err != nil {
		return 0, translate(err)
	}
	return int(tag.RowsAffected()), nil
}
