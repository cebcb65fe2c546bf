package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
		return fmt.Errorf("sqlite: create code: %w", err)
	}
	if c.GrantID != g.ID {
		return fmt.Errorf("sqlite: create code: for grant %q, not %q: %w", c.GrantID, g.ID, store.ErrInvalid)
	}
	grantArgs, err := grantArgs(g)
	if err != nil {
		return fmt.Errorf("sqlite: create code: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oauth_codes WHERE expires_at <= ?`,
			g.CreatedAt.UnixMicro()); err != nil {
			return fmt.Errorf("delete expired: %w", err)
		}
		if _, err := tx.ExecContext(ctx, insertGrant, grantArgs...); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_codes (`+codeColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, codeArgs...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create code for grant %s: %w", g.ID, translate(err))
	}
	return nil
}

func codeArgs(c store.OAuthCode) ([]any, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	scopes, err := listArg(c.Scopes)
	if err != nil {
		return nil, fmt.Errorf("code: scopes: %w", err)
	}
	return []any{c.Hash, c.ClientID, c.RedirectURI, c.CodeChallenge, c.Resource,
		scopes, c.GrantID, timeArg(c.ExpiresAt), timeArg(c.RedeemedAt)}, nil
}

// RedeemCode implements store.OAuth. The conditional update is the
// redemption: of racing callers, in this process or another, one changes
// the row and the others find it redeemed. A replay's revocation commits
// although the call returns store.ErrRedeemed.
func (db *DB) RedeemCode(ctx context.Context, hash []byte, now time.Time) (store.OAuthCode, store.OAuthGrant, error) {
	if err := store.CheckTime("redemption time", now); err != nil {
		return store.OAuthCode{}, store.OAuthGrant{}, fmt.Errorf("sqlite: redeem code: %w", err)
	}
	var (
		c       store.OAuthCode
		g       store.OAuthGrant
		outcome error
	)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCode(tx.QueryRowContext(ctx, `UPDATE oauth_codes SET redeemed_at = ?1
			WHERE hash = ?2 AND redeemed_at IS NULL AND expires_at > ?1
			RETURNING `+codeColumns, now.UnixMicro(), hash))
		if err == nil {
			if g, err = grantByID(ctx, tx, c.GrantID); err != nil {
				return fmt.Errorf("grant %s: %w", c.GrantID, translate(err))
			}
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// Unknown, expired, or redeemed before.
		if c, err = scanCode(tx.QueryRowContext(ctx, `SELECT `+codeColumns+` FROM oauth_codes WHERE hash = ?`, hash)); err != nil {
			return err
		}
		if !c.ExpiresAt.After(now) || c.RedeemedAt.IsZero() {
			return store.ErrNotFound
		}
		outcome = store.ErrRedeemed
		if _, err = db.revokeGrants(ctx, tx, `id = ?`, c.GrantID, "authorization code replayed", now); err != nil {
			return err
		}
		// The caller reports the replay naming the code's client and the
		// grant's credential.
		if g, err = grantByID(ctx, tx, c.GrantID); err != nil {
			return fmt.Errorf("grant %s: %w", c.GrantID, translate(err))
		}
		return nil
	})
	if errors.Is(outcome, store.ErrRedeemed) && err == nil {
		return c, g, fmt.Errorf("sqlite: redeem code: %w", store.ErrRedeemed)
	}
	if err != nil {
		return store.OAuthCode{}, store.OAuthGrant{}, fmt.Errorf("sqlite: redeem code: %w", translate(err))
	}
	return c, g, nil
}

func scanCode(s scanner) (store.OAuthCode, error) {
	var (
		c                 store.OAuthCode
		scopes            string
		expires, redeemed sql.NullInt64
	)
	if err := s.Scan(&c.Hash, &c.ClientID, &c.RedirectURI, &c.CodeChallenge, &c.Resource,
		&scopes, &c.GrantID, &expires, &redeemed); err != nil {
		return store.OAuthCode{}, err
	}
	var err error
	if c.Scopes, err = listValue(scopes); err != nil {
		return store.OAuthCode{}, fmt.Errorf("code of grant %s: scopes: %w", c.GrantID, err)
	}
	c.ExpiresAt, c.RedeemedAt = timeValue(expires), timeValue(redeemed)
	return c, nil
}

const insertGrant = `INSERT INTO oauth_grants (` + grantColumns + `)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// CreateGrant implements store.OAuth.
func (db *DB) CreateGrant(ctx context.Context, g store.OAuthGrant) error {
	args, err := grantArgs(g)
	if err != nil {
		return fmt.Errorf("sqlite: create grant: %w", err)
	}
	if _, err := db.write.ExecContext(ctx, insertGrant, args...); err != nil {
		return fmt.Errorf("sqlite: create grant %s: %w", g.ID, translate(err))
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
	scopes, err := listArg(g.Scopes)
	if err != nil {
		return nil, fmt.Errorf("grant %s: scopes: %w", g.ID, err)
	}
	return []any{g.ID, g.ClientID, identity, g.Resource, scopes, timeArg(g.CreatedAt),
		timeArg(g.RevokedAt), g.RevokeReason, g.Generation, timeArg(g.RotatedAt),
		timeArg(g.ExpiresAt)}, nil
}

// Grant implements store.OAuth.
func (db *DB) Grant(ctx context.Context, id string) (store.OAuthGrant, error) {
	g, err := grantByID(ctx, db.read, id)
	if err != nil {
		return store.OAuthGrant{}, fmt.Errorf("sqlite: grant %s: %w", id, translate(err))
	}
	return g, nil
}

func grantByID(ctx context.Context, q querier, id string) (store.OAuthGrant, error) {
	return scanGrant(q.QueryRowContext(ctx, `SELECT `+grantColumns+` FROM oauth_grants WHERE id = ?`, id))
}

// RevokeGrant implements store.OAuth. A revoked grant keeps its first
// RevokedAt and reason.
func (db *DB) RevokeGrant(ctx context.Context, id, reason string, at time.Time) error {
	if err := store.CheckTime("revocation time", at); err != nil {
		return fmt.Errorf("sqlite: revoke grant %s: %w", id, err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		n, err := db.revokeGrants(ctx, tx, `id = ?`, id, reason, at)
		if err != nil || n > 0 {
			return err
		}
		var one int
		return tx.QueryRowContext(ctx, `SELECT 1 FROM oauth_grants WHERE id = ?`, id).Scan(&one)
	})
	if err != nil {
		return fmt.Errorf("sqlite: revoke grant %s: %w", id, translate(err))
	}
	return nil
}

// RevokeClientGrants implements store.OAuth.
func (db *DB) RevokeClientGrants(ctx context.Context, clientID, reason string, at time.Time) (int, error) {
	if err := store.CheckTime("revocation time", at); err != nil {
		return 0, fmt.Errorf("sqlite: revoke grants of client %s: %w", clientID, err)
	}
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = db.revokeGrants(ctx, tx, `client_id = ?`, clientID, reason, at)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke grants of client %s: %w", clientID, translate(err))
	}
	return int(n), nil
}

// revokeGrants revokes the live grants matching where (a condition on one
// placeholder, bound to arg) at at, and bumps the keys version if any was
// live, so that caches of validated grants see the revocation when tx
// commits. It returns how many it revoked.
func (db *DB) revokeGrants(ctx context.Context, tx *sql.Tx, where string, arg any, reason string, at time.Time) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE oauth_grants SET revoked_at = ?, revoke_reason = ?
		WHERE revoked_at IS NULL AND `+where, timeArg(at), reason, arg)
	if err != nil {
		return 0, fmt.Errorf("revoke grants: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("revoke grants: %w", err)
	}
	if n > 0 {
		if err := db.bumpVersion(ctx, tx); err != nil {
			return 0, err
		}
	}
	return n, nil
}

func scanGrant(s scanner) (store.OAuthGrant, error) {
	var (
		g                                  store.OAuthGrant
		identity, scopes                   string
		created, revoked, rotated, expires sql.NullInt64
	)
	if err := s.Scan(&g.ID, &g.ClientID, &identity, &g.Resource, &scopes, &created,
		&revoked, &g.RevokeReason, &g.Generation, &rotated, &expires); err != nil {
		return store.OAuthGrant{}, err
	}
	var err error
	if g.Identity, err = identityValue(identity); err != nil {
		return store.OAuthGrant{}, fmt.Errorf("grant %s: identity: %w", g.ID, err)
	}
	if g.Scopes, err = listValue(scopes); err != nil {
		return store.OAuthGrant{}, fmt.Errorf("grant %s: scopes: %w", g.ID, err)
	}
	g.CreatedAt, g.RevokedAt = timeValue(created), timeValue(revoked)
	g.RotatedAt, g.ExpiresAt = timeValue(rotated), timeValue(expires)
	return g, nil
}
