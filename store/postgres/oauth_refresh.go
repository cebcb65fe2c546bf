package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

// AddRefresh implements store.OAuth. The grant's row is locked while its
// revocation is checked and its generation advanced, so that a revocation
// committed meanwhile is seen, not overwritten.
func (db *DB) AddRefresh(ctx context.Context, grantID string, generation int, hash []byte, at time.Time) error {
	if err := store.ValidateRefresh(generation, hash, at); err != nil {
		return fmt.Errorf("postgres: add refresh token to grant %s: %w", grantID, translate(err))
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		g, err := lockGrant(ctx, tx, grantID)
		if err != nil {
			return err
		}
		if !g.RevokedAt.IsZero() {
			return store.ErrRevoked
		}
		return advance(ctx, tx, grantID, g.Generation, generation, hash, at)
	})
	if err != nil {
		return fmt.Errorf("postgres: add refresh token to grant %s: %w", grantID, translate(err))
	}
	return nil
}

// advance makes generation the grant's current one, if the grant is still
// at from, and stores hash as its refresh token. Callers hold the grant's
// row lock; the compare-and-swap on the generation is a second guard, so
// that of racing rotations exactly one wins even were a caller not to.
func advance(ctx context.Context, tx pgx.Tx, grantID string, from, generation int, hash []byte, at time.Time) error {
	tag, err := tx.Exec(ctx, `UPDATE oauth_grants SET generation = $1, rotated_at = $2
		WHERE id = $3 AND generation = $4`, generation, timeArg(at), grantID, from)
	if err != nil {
		return fmt.Errorf("advance generation: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("advance generation: grant %s no longer at generation %d", grantID, from)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO oauth_refresh_tokens
		(hash, grant_id, generation, created_at) VALUES ($1, $2, $3, $4)`,
		hash, grantID, generation, timeArg(at)); err != nil {
		return fmt.Errorf("store refresh token: %w", translate(err))
	}
	return nil
}

// GrantByRefresh implements store.OAuth, in one query so that the token and
// the grant come from one snapshot.
func (db *DB) GrantByRefresh(ctx context.Context, hash []byte) (store.OAuthGrant, int, error) {
	var gen int
	g, err := scanGrant(generationScanner{db.pool.QueryRow(ctx, `SELECT r.generation,
		g.id, g.client_id, g.identity, g.resource, g.scopes, g.created_at,
		g.revoked_at, g.revoke_reason, g.generation, g.rotated_at, g.expires_at
		FROM oauth_refresh_tokens r JOIN oauth_grants g ON g.id = r.grant_id
		WHERE r.hash = $1`, hash), &gen})
	if err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("postgres: grant by refresh token: %w", translate(err))
	}
	return g, gen, nil
}

// generationScanner scans a token's generation, then a grant.
type generationScanner struct {
	s   pgx.Row
	gen *int
}

func (g generationScanner) Scan(dest ...any) error {
	return g.s.Scan(append([]any{g.gen}, dest...)...)
}

// RotateRefresh implements store.OAuth, in one transaction: the presented
// token's generation, compared with the grant's read under the grant's row
// lock, decides the outcome. Racing rotations of one token queue on that
// lock; each reads the grant as the previous one left it, so the first
// rotates and the others, finding their token one generation behind, are
// replays. A reuse's revocation commits and is returned with a nil error.
func (db *DB) RotateRefresh(ctx context.Context, presented, next []byte, now time.Time, grace time.Duration) (store.OAuthGrant, store.RefreshOutcome, error) {
	if err := store.CheckHash("next refresh token hash", next, true); err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("postgres: rotate refresh token: %w", translate(err))
	}
	if err := store.CheckTime("rotation time", now); err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("postgres: rotate refresh token: %w", translate(err))
	}
	var (
		g       store.OAuthGrant
		outcome store.RefreshOutcome
	)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var (
			grantID string
			gen     int
		)
		// A token's grant and generation never change: no lock needed.
		if err := tx.QueryRow(ctx, `SELECT grant_id, generation FROM oauth_refresh_tokens
			WHERE hash = $1`, presented).Scan(&grantID, &gen); err != nil {
			return err
		}
		var err error
		if g, err = lockGrant(ctx, tx, grantID); err != nil {
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
			if _, err := db.revokeGrants(ctx, tx, `id = $3`, g.ID, "refresh token reused", now); err != nil {
				return err
			}
			outcome = store.RefreshReused
		}
		g, err = grantByID(ctx, tx, g.ID)
		return err
	})
	if err != nil {
		return store.OAuthGrant{}, 0, fmt.Errorf("postgres: rotate refresh token: %w", translate(err))
	}
	return g, outcome, nil
}
