package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

// AddRefresh implements store.OAuth.
func (db *DB) AddRefresh(ctx context.Context, grantID string, generation int, hash []byte, at time.Time) error {
	if err := store.ValidateRefresh(generation, hash, at); err != nil {
		return fmt.Errorf("sqlite: add refresh token to grant %s: %w", grantID, err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		g, err := grantByID(ctx, tx, grantID)
		if err != nil {
			return err
		}
		if !g.RevokedAt.IsZero() {
			return store.ErrRevoked
		}
		return advance(ctx, tx, grantID, g.Generation, generation, hash, at)
	})
	if err != nil {
		return fmt.Errorf("sqlite: add refresh token to grant %s: %w", grantID, translate(err))
	}
	return nil
}

// advance makes generation the grant's current one, if the grant is still
// at from, and stores hash as its refresh token. The compare-and-swap on
// the generation is what lets exactly one of racing rotations win, even
// were the transaction not to hold the write lock from its start.
func advance(ctx context.Context, tx *sql.Tx, grantID string, from, generation int, hash []byte, at time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE oauth_grants SET generation = ?, rotated_at = ?
		WHERE id = ? AND generation = ?`, generation, timeArg(at), grantID, from)
	if err != nil {
		return fmt.Errorf("advance generation: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("advance generation: %w", err)
	}
	if n != 1 {
		return fmt.Errorf("advance generation: grant %s no longer at generation %d", grantID, from)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO oauth_refresh_tokens
		(hash, grant_id, generation, created_at) VALUES (?, ?, ?, ?)`,
		hash, grantID, generation, timeArg(at)); err != nil {
		return fmt.Errorf("store refresh token: %w", translate(err))
	}
	return nil
}

// GrantByRefresh implements store.OAuth, in one query so that the token and
// the grant come from one snapshot.
func (db *DB) GrantByRefresh(ctx context.Context, hash []byte) (store.OAuthGrant, int, error) {
	g, gen, err := grantByRefresh(ctx, db.read, hash)
	if err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("sqlite: grant by refresh token: %w", translate(err))
	}
	return g, gen, nil
}

func grantByRefresh(ctx context.Context, q querier, hash []byte) (store.OAuthGrant, int, error) {
	var gen int
	g, err := scanGrant(generationScanner{q.QueryRowContext(ctx, `SELECT r.generation,
		g.id, g.client_id, g.identity, g.resource, g.scopes, g.created_at,
		g.revoked_at, g.revoke_reason, g.generation, g.rotated_at, g.expires_at
		FROM oauth_refresh_tokens r JOIN oauth_grants g ON g.id = r.grant_id
		WHERE r.hash = ?`, hash), &gen})
	return g, gen, err
}

// generationScanner scans a token's generation, then a grant.
type generationScanner struct {
	s   scanner
	gen *int
}

func (g generationScanner) Scan(dest ...any) error {
	return g.s.Scan(append([]any{g.gen}, dest...)...)
}

// RotateRefresh implements store.OAuth, in one transaction: the presented
// token's generation, read with the grant, decides the outcome. A reuse's
// revocation commits and is returned with a nil error.
func (db *DB) RotateRefresh(ctx context.Context, presented, next []byte, now time.Time, grace time.Duration) (store.OAuthGrant, store.RefreshOutcome, error) {
	if err := store.CheckHash("next refresh token hash", next, true); err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("sqlite: rotate refresh token: %w", err)
	}
	if err := store.CheckTime("rotation time", now); err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("sqlite: rotate refresh token: %w", err)
	}
	var (
		g       store.OAuthGrant
		outcome store.RefreshOutcome
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var (
			gen int
			err error
		)
		if g, gen, err = grantByRefresh(ctx, tx, presented); err != nil {
			return err
		}
		if !g.RevokedAt.IsZero() || (!g.ExpiresAt.IsZero() && !now.Before(g.ExpiresAt)) {
			return store.ErrRevoked
		}
		switch {
		case gen == g.Generation:
			if err := advance(ctx, tx, g.ID, gen, gen+1, next, now); err != nil {
				return err
			}
			outcome = store.RefreshRotated
		case gen == g.Generation-1 && !g.RotatedAt.IsZero() && now.Sub(g.RotatedAt) <= grace:
			outcome = store.RefreshReplayed
			return nil
		default:
			if _, err := db.revokeGrants(ctx, tx, `id = ?`, g.ID, "refresh token reused", now); err != nil {
				return err
			}
			outcome = store.RefreshReused
		}
		g, err = grantByID(ctx, tx, g.ID)
		return err
	})
	if err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("sqlite: rotate refresh token: %w", translate(err))
	}
	return g, outcome, nil
}
