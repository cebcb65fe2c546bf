package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/skillgate/skillgate/store"
)

const requestColumns = `id, browser_hash, client_id, redirect_uri,
	state, code_challenge, resource, scopes, identity, created_at, expires_at`

// CreateRequest implements store.OAuth. Requests that expired by
// r.CreatedAt are deleted in the same transaction: abandoned requests are
// never decided, so nothing else would.
func (db *DB) CreateRequest(ctx context.Context, r store.OAuthRequest) error {
	args, err := requestArgs(r)
	if err != nil {
		return fmt.Errorf("sqlite: create request: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oauth_requests WHERE expires_at <= ?`,
			r.CreatedAt.UnixMicro()); err != nil {
			return fmt.Errorf("delete expired: %w", err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_requests (`+requestColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: create request %s: %w", r.ID, translate(err))
	}
	return nil
}

func requestArgs(r store.OAuthRequest) ([]any, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	scopes, err := listArg(r.Scopes)
	if err != nil {
		return nil, fmt.Errorf("request %s: scopes: %w", r.ID, err)
	}
	identity, err := nullIdentityArg(r.Identity)
	if err != nil {
		return nil, fmt.Errorf("request %s: identity: %w", r.ID, err)
	}
	return []any{r.ID, bytesArg(r.BrowserHash), r.ClientID,
		r.RedirectURI, r.State, r.CodeChallenge, r.Resource, scopes, identity,
		timeArg(r.CreatedAt), timeArg(r.ExpiresAt)}, nil
}

// Request implements store.OAuth.
func (db *DB) Request(ctx context.Context, id string, now time.Time) (store.OAuthRequest, error) {
	r, err := scanRequest(db.read.QueryRowContext(ctx, `SELECT `+requestColumns+`
		FROM oauth_requests WHERE id = ? AND expires_at > ?`, id, now.UnixMicro()))
	if err != nil {
		return store.OAuthRequest{}, fmt.Errorf("sqlite: request %s: %w", id, translate(err))
	}
	return r, nil
}

// SetRequestIdentity implements store.OAuth, in one conditional update.
func (db *DB) SetRequestIdentity(ctx context.Context, id string, identity store.OAuthIdentity, now time.Time) error {
	arg, err := identityArg(identity)
	if err != nil {
		return fmt.Errorf("sqlite: set identity of request %s: %w", id, err)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE oauth_requests SET identity = ?
		WHERE id = ? AND expires_at > ?`, arg, id, now.UnixMicro())
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: set identity of request %s: %w", id, translate(err))
	}
	return nil
}

// DeleteRequest implements store.OAuth.
func (db *DB) DeleteRequest(ctx context.Context, id string) error {
	if _, err := db.write.ExecContext(ctx, `DELETE FROM oauth_requests WHERE id = ?`, id); err != nil {
		return fmt.Errorf("sqlite: delete request %s: %w", id, err)
	}
	return nil
}

func scanRequest(s scanner) (store.OAuthRequest, error) {
	var (
		r                store.OAuthRequest
		browser          []byte
		scopes           string
		identity         sql.NullString
		created, expires sql.NullInt64
	)
	if err := s.Scan(&r.ID, &browser, &r.ClientID, &r.RedirectURI, &r.State,
		&r.CodeChallenge, &r.Resource, &scopes, &identity, &created, &expires); err != nil {
		return store.OAuthRequest{}, err
	}
	r.BrowserHash = bytesValue(browser)
	var err error
	if r.Scopes, err = listValue(scopes); err != nil {
		return store.OAuthRequest{}, fmt.Errorf("request %s: scopes: %w", r.ID, err)
	}
	if r.Identity, err = nullIdentityValue(identity); err != nil {
		return store.OAuthRequest{}, fmt.Errorf("request %s: identity: %w", r.ID, err)
	}
	r.CreatedAt, r.ExpiresAt = timeValue(created), timeValue(expires)
	return r, nil
}

// Consent implements store.OAuth.
func (db *DB) Consent(ctx context.Context, clientID, identityKey string) (store.OAuthConsent, error) {
	c, err := consent(ctx, db.read, clientID, identityKey)
	if err != nil {
		return store.OAuthConsent{}, fmt.Errorf("sqlite: consent to client %s: %w", clientID, translate(err))
	}
	return c, nil
}

func consent(ctx context.Context, q querier, clientID, identityKey string) (store.OAuthConsent, error) {
	c := store.OAuthConsent{ClientID: clientID, IdentityKey: identityKey}
	var (
		scopes  string
		granted sql.NullInt64
	)
	if err := q.QueryRowContext(ctx, `SELECT scopes, granted_at FROM oauth_consents
		WHERE client_id = ? AND identity_key = ?`, clientID, identityKey).Scan(&scopes, &granted); err != nil {
		return store.OAuthConsent{}, err
	}
	var err error
	if c.Scopes, err = listValue(scopes); err != nil {
		return store.OAuthConsent{}, fmt.Errorf("scopes: %w", err)
	}
	c.GrantedAt = timeValue(granted)
	return c, nil
}

// SaveConsent implements store.OAuth. The stored scopes become the union
// of the old and new ones, old first, in one transaction, so that two
// consents saved at once both count. GrantedAt becomes c's.
func (db *DB) SaveConsent(ctx context.Context, c store.OAuthConsent) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("sqlite: save consent: %w", err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		old, err := consent(ctx, tx, c.ClientID, c.IdentityKey)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		scopes := old.Scopes
		for _, s := range c.Scopes {
			if !slices.Contains(scopes, s) {
				scopes = append(scopes, s)
			}
		}
		arg, err := listArg(scopes)
		if err != nil {
			return fmt.Errorf("scopes: %w", err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO oauth_consents
			(client_id, identity_key, scopes, granted_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (client_id, identity_key)
			DO UPDATE SET scopes = excluded.scopes, granted_at = excluded.granted_at`,
			c.ClientID, c.IdentityKey, arg, timeArg(c.GrantedAt))
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: save consent to client %s: %w", c.ClientID, translate(err))
	}
	return nil
}
