package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

var _ store.WebSessions = (*DB)(nil)

// webSessionColumns are the stored columns; credential_id is generated
// from identity (see migration 0004).
const webSessionColumns = `hash, identity, created_at, expires_at`

// CreateWebSession implements store.WebSessions.
func (db *DB) CreateWebSession(ctx context.Context, s store.WebSession) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("sqlite: create web session: %w", err)
	}
	identity, err := identityArg(s.Identity)
	if err != nil {
		return fmt.Errorf("sqlite: create web session: identity: %w", err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO web_sessions (`+webSessionColumns+`)
		VALUES (?, ?, ?, ?)`, s.Hash, identity, timeArg(s.CreatedAt), timeArg(s.ExpiresAt)); err != nil {
		return fmt.Errorf("sqlite: create web session: %w", translate(err))
	}
	return nil
}

// WebSession implements store.WebSessions.
func (db *DB) WebSession(ctx context.Context, hash []byte, now time.Time) (store.WebSession, error) {
	var (
		s                store.WebSession
		identity         string
		created, expires sql.NullInt64
	)
	err := db.read.QueryRowContext(ctx, `SELECT `+webSessionColumns+` FROM web_sessions
		WHERE hash = ? AND expires_at > ?`, hash, now.UnixMicro()).Scan(&s.Hash, &identity, &created, &expires)
	if err != nil {
		return store.WebSession{}, fmt.Errorf("sqlite: web session: %w", translate(err))
	}
	if s.Identity, err = identityValue(identity); err != nil {
		return store.WebSession{}, fmt.Errorf("sqlite: web session: identity: %w", err)
	}
	s.CreatedAt, s.ExpiresAt = timeValue(created), timeValue(expires)
	return s, nil
}

// DeleteWebSession implements store.WebSessions.
func (db *DB) DeleteWebSession(ctx context.Context, hash []byte) error {
	res, err := db.write.ExecContext(ctx, `DELETE FROM web_sessions WHERE hash = ?`, hash)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: delete web session: %w", translate(err))
	}
	return nil
}

// DeleteWebSessionsOf implements store.WebSessions.
func (db *DB) DeleteWebSessionsOf(ctx context.Context, credentialID string) (int, error) {
	if credentialID == "" {
		return 0, fmt.Errorf("sqlite: delete web sessions: empty credential id: %w", store.ErrInvalid)
	}
	n, err := db.deleteWebSessions(ctx, `credential_id = ?`, credentialID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: delete web sessions of %s: %w", credentialID, err)
	}
	return n, nil
}

// PruneWebSessions implements store.WebSessions.
func (db *DB) PruneWebSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := db.deleteWebSessions(ctx, `expires_at <= ?`, now.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("sqlite: prune web sessions: %w", err)
	}
	return n, nil
}

// deleteWebSessions deletes the sessions matching where (a condition on
// one placeholder, bound to arg) and returns how many.
func (db *DB) deleteWebSessions(ctx context.Context, where string, arg any) (int, error) {
	res, err := db.write.ExecContext(ctx, `DELETE FROM web_sessions WHERE `+where, arg)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	return int(n), nil
}
