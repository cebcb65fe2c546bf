package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

const grantColumns = `id, client_id, identity, resource, scopes, created_at,
	revoked_at, revoke_reason, generation, rotated_at, expires_at`

const codeColumns = `hash, client_id, redirect_uri, code_challenge, resource,
	scopes, grant_id, expires_at, redeemed_at`

// CreateCode implements store.OAuth. Codes that expired by g.CreatedAt are
// deleted in the same transaction: past expiry a redemption is refused
// whether or not the row is there.
func (db *DB) CreateCode(ctx context.Context, c store.OAuthCode, g store.OAuthGrant) error {
	codeArgs, err := codeArgs(c)
	if err != nil {
		return fmt.Errorf("postgres: create code: %w", translate(err))
	}
	if c.GrantID != g.ID {
		return fmt.Errorf("postgres: create code: for grant %q, not %q: %w", c.GrantID, g.ID, store.ErrInvalid)
	}
	grantArgs, err := grantArgs(g)
	if err != nil {
		return fmt.Errorf("postgres: create code: %w", translate(err))
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM oauth_codes WHERE expires_at <= $1`,
			boundArg(g.CreatedAt)); err != nil {
			return fmt.Errorf("delete expired: %w", err)
		}
		if _, err := tx.Exec(ctx, insertGrant, grantArgs...); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO oauth_codes (`+codeColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, codeArgs...)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: create code for grant %s: %w", g.ID, translate(err))
	}
	return nil
}

func codeArgs(c store.OAuthCode) ([]any, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return []any{c.Hash, c.ClientID, c.RedirectURI, c.CodeChallenge, c.Resource,
		listArg(c.Scopes), c.GrantID, timeArg(c.ExpiresAt), timeArg(c.RedeemedAt)}, nil
}

// RedeemCode implements store.OAuth. The conditional update is the
// redemption: racing callers, in this process or another, queue on the
// code's row lock, and once the winner commits PostgreSQL re-checks the
// others' condition against the redeemed row, so they change nothing and
// find it redeemed. A replay's revocation commits although the call
// returns store.ErrRedeemed.
func (db *DB) RedeemCode(ctx context.Context, hash []byte, now time.Time) (store.OAuthCode, store.OAuthGrant, error) {
	if err := store.CheckTime("redemption time", now); err != nil {
		return store.OAuthCode{}, store.OAuthGrant{}, fmt.Errorf("postgres: redeem code: %w", translate(err))
	}
	var (
		c        store.OAuthCode
		g        store.OAuthGrant
		replayed bool
	)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = scanCode(tx.QueryRow(ctx, `UPDATE oauth_codes SET redeemed_at = $1
			WHERE hash = $2 AND redeemed_at IS NULL AND expires_at > $1
			RETURNING `+codeColumns, boundArg(now), hash))
		if err == nil {
			if g, err = grantByID(ctx, tx, c.GrantID); err != nil {
				return fmt.Errorf("grant %s: %w", c.GrantID, translate(err))
			}
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		// Unknown, expired, or redeemed before. The lock keeps the row as
		// read until the replay's revocation commits.
		if c, err = scanCode(tx.QueryRow(ctx, `SELECT `+codeColumns+`
			FROM oauth_codes WHERE hash = $1 FOR UPDATE`, hash)); err != nil {
			return err
		}
		if !c.ExpiresAt.After(now) || c.RedeemedAt.IsZero() {
			return store.ErrNotFound
		}
		replayed = true
		if _, err = db.revokeGrants(ctx, tx, `id = $3`, c.GrantID, "authorization code replayed", now); err != nil {
			return err
		}
		// The caller reports the replay naming the code's client and the
		// grant's credential.
		if g, err = grantByID(ctx, tx, c.GrantID); err != nil {
			return fmt.Errorf("grant %s: %w", c.GrantID, translate(err))
		}
		return nil
	})
	if err != nil {
		return store.OAuthCode{}, store.OAuthGrant{}, fmt.Errorf("postgres: redeem code: %w", translate(err))
	}
	if replayed {
		return c, g, fmt.Errorf("postgres: redeem code: %w", store.ErrRedeemed)
	}
	return c, g, nil
}

func scanCode(s pgx.Row) (store.OAuthCode, error) {
	var (
		c                 store.OAuthCode
		scopes            []string
		expires, redeemed *time.Time
	)
	if err := s.Scan(&c.Hash, &c.ClientID, &c.RedirectURI, &c.CodeChallenge, &c.Resource,
		&scopes, &c.GrantID, &expires, &redeemed); err != nil {
		return store.OAuthCode{}, err
	}
	c.Scopes = listValue(scopes)
	c.ExpiresAt, c.RedeemedAt = timeValue(expires), timeValue(redeemed)
	return c, nil
}

const insertGrant = `INSERT INTO oauth_grants (` + grantColumns + `)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`

// CreateGrant implements store.OAuth.
func (db *DB) CreateGrant(ctx context.Context, g store.OAuthGrant) error {
	args, err := grantArgs(g)
	if err != nil {
		return fmt.Errorf("postgres: create grant: %w", translate(err))
	}
	if _, err := db.pool.Exec(ctx, insertGrant, args...); err != nil {
		return fmt.Errorf("postgres: create grant %s: %w", g.ID, translate(err))
	}
	return nil
}

func grantArgs(g store.OAuthGrant) ([]any, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	identity, err := identityArg(g.Identity)
	if err != nil {
		return nil, fmt.Errorf("grant %s: identity: %w", g.ID, err)
	}
	return []any{g.ID, g.ClientID, identity, g.Resource, listArg(g.Scopes), timeArg(g.CreatedAt),
		timeArg(g.RevokedAt), g.RevokeReason, g.Generation, timeArg(g.RotatedAt),
		timeArg(g.ExpiresAt)}, nil
}

// Grant implements store.OAuth.
func (db *DB) Grant(ctx context.Context, id string) (store.OAuthGrant, error) {
	g, err := grantByID(ctx, db.pool, id)
	if err != nil {
		return store.OAuthGrant{}, fmt.Errorf("postgres: grant %s: %w", id, translate(err))
	}
	return g, nil
}

func grantByID(ctx context.Context, q querier, id string) (store.OAuthGrant, error) {
	return scanGrant(q.QueryRow(ctx, `SELECT `+grantColumns+` FROM oauth_grants WHERE id = $1`, id))
}

// lockGrant reads a grant and locks its row until tx ends, so that what
// the caller decides from it (a rotation, a new refresh token) is not
// raced by another transaction deciding from the same row. A caller that
// waited for the lock reads the row as the previous holder left it.
func lockGrant(ctx context.Context, tx pgx.Tx, id string) (store.OAuthGrant, error) {
	return scanGrant(tx.QueryRow(ctx, `SELECT `+grantColumns+`
		FROM oauth_grants WHERE id = $1 FOR UPDATE`, id))
}

// RevokeGrant implements store.OAuth. A revoked grant keeps its first
// RevokedAt and reason.
func (db *DB) RevokeGrant(ctx context.Context, id, reason string, at time.Time) error {
	if err := store.CheckTime("revocation time", at); err != nil {
		return fmt.Errorf("postgres: revoke grant %s: %w", id, translate(err))
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		n, err := db.revokeGrants(ctx, tx, `id = $3`, id, reason, at)
		if err != nil || n > 0 {
			return err
		}
		var one int
		return tx.QueryRow(ctx, `SELECT 1 FROM oauth_grants WHERE id = $1`, id).Scan(&one)
	})
	if err != nil {
		return fmt.Errorf("postgres: revoke grant %s: %w", id, translate(err))
	}
	return nil
}

// RevokeClientGrants implements store.OAuth.
func (db *DB) RevokeClientGrants(ctx context.Context, clientID, reason string, at time.Time) (int, error) {
	if err := store.CheckTime("revocation time", at); err != nil {
		return 0, fmt.Errorf("postgres: revoke grants of client %s: %w", clientID, translate(err))
	}
	var n int64
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = db.revokeGrants(ctx, tx, `client_id = $3`, clientID, reason, at)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke grants of client %s: %w", clientID, translate(err))
	}
	return int(n), nil
}

// revokeGrants revokes the live grants matching where (a condition on $3,
// bound to arg) at at, and bumps the keys version if any was live, so that
// caches of validated grants see the revocation when tx commits. It
// returns how many it revoked. The update locks the rows it changes; a
// grant revoked meanwhile by a concurrent transaction is re-checked once
// that one commits, and skipped, so its first revocation is kept.
func (db *DB) revokeGrants(ctx context.Context, tx pgx.Tx, where string, arg any, reason string, at time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, `UPDATE oauth_grants SET revoked_at = $1, revoke_reason = $2
		WHERE revoked_at IS NULL AND `+where, timeArg(at), reason, arg)
	if err != nil {
		return 0, fmt.Errorf("revoke grants: %w", err)
	}
	n := tag.RowsAffected()
	if n > 0 {
		if err := db.bumpVersion(ctx, tx); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func scanGrant(s pgx.Row) (store.OAuthGrant, error) {
	var (
		g                                  store.OAuthGrant
		identity                           []byte
		scopes                             []string
		created, revoked, rotated, expires *time.Time
	)
	if err := s.Scan(&g.ID, &g.ClientID, &identity, &g.Resource, &scopes, &created,
		&revoked, &g.RevokeReason, &g.Generation, &rotated, &expires); err != nil {
		return store.OAuthGrant{}, err
	}
	var err error
	if g.Identity, err = store.DecodeIdentity(identity); err != nil {
		return store.OAuthGrant{}, fmt.Errorf("grant %s: identity: %w", g.ID, err)
	}
	g.Scopes = listValue(scopes)
	g.CreatedAt, g.RevokedAt = timeValue(created), timeValue(revoked)
	g.RotatedAt, g.ExpiresAt = timeValue(rotated), timeValue(expires)
	return g, nil
}
