package postgres

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

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
		return fmt.Errorf("postgres: create request: %w", translate(err))
	}
	err = db.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM oauth_requests WHERE expires_at <= $1`,
			boundArg(r.CreatedAt)); err != nil {
			return fmt.Errorf("delete expired: %w", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO oauth_requests (`+requestColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, args...)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: create request %s: %w", r.ID, translate(err))
	}
	return nil
}

func requestArgs(r store.OAuthRequest) ([]any, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	identity, err := nullIdentityArg(r.Identity)
	if err != nil {
		return nil, fmt.Errorf("request %s: identity: %w", r.ID, err)
	}
	return []any{r.ID, bytesArg(r.BrowserHash), r.ClientID,
		r.RedirectURI, r.State, r.CodeChallenge, r.Resource, listArg(r.Scopes), identity,
		timeArg(r.CreatedAt), timeArg(r.ExpiresAt)}, nil
}

// Request implements store.OAuth.
func (db *DB) Request(ctx context.Context, id string, now time.Time) (store.OAuthRequest, error) {
	r, err := scanRequest(db.pool.QueryRow(ctx, `SELECT `+requestColumns+`
		FROM oauth_requests WHERE id = $1 AND expires_at > $2`, id, boundArg(now)))
	if err != nil {
		return store.OAuthRequest{}, fmt.Errorf("postgres: request %s: %w", id, translate(err))
	}
	return r, nil
}

// SetRequestIdentity implements store.OAuth, in one conditional update.
func (db *DB) SetRequestIdentity(ctx context.Context, id string, identity store.OAuthIdentity, now time.Time) error {
	arg, err := identityArg(identity)
	if err != nil {
		return fmt.Errorf("postgres: set identity of request %s: %w", id, translate(err))
	}
	tag, err := db.pool.Exec(ctx, `UPDATE oauth_requests SET identity = $1
		WHERE id = $2 AND expires_at > $3`, arg, id, boundArg(now))
	if err == nil {
		err = mustAffect(tag)
	}
	if err != nil {
		return fmt.Errorf("postgres: set identity of request %s: %w", id, translate(err))
	}
	return nil
}

// DeleteRequest implements store.OAuth.
func (db *DB) DeleteRequest(ctx context.Context, id string) error {
	if _, err := db.pool.Exec(ctx, `DELETE FROM oauth_requests WHERE id = $1`, id); err != nil {
		return fmt.Errorf("postgres: delete request %s: %w", id, translate(err))
	}
	return nil
}

func scanRequest(s pgx.Row) (store.OAuthRequest, error) {
	var (
		r                store.OAuthRequest
		browser          []byte
		scopes           []string
		identity         []byte
		created, expires *time.Time
	)
	if err := s.Scan(&r.ID, &browser, &r.ClientID, &r.RedirectURI, &r.State,
		&r.CodeChallenge, &r.Resource, &scopes, &identity, &created, &expires); err != nil {
		return store.OAuthRequest{}, err
	}
	r.BrowserHash = bytesValue(browser)
	r.Scopes = listValue(scopes)
	var err error
	if r.Identity, err = nullIdentityValue(identity); err != nil {
		return store.OAuthRequest{}, fmt.Errorf("request %s: identity: %w", r.ID, err)
	}
	r.CreatedAt, r.ExpiresAt = timeValue(created), timeValue(expires)
	return r, nil
}

// Consent implements store.OAuth.
func (db *DB) Consent(ctx context.Context, clientID, identityKey string) (store.OAuthConsent, error) {
	c := store.OAuthConsent{ClientID: clientID, IdentityKey: identityKey}
	var (
		scopes  []string
		granted *time.Time
	)
	if err := db.pool.QueryRow(ctx, `SELECT scopes, granted_at FROM oauth_consents
		WHERE client_id = $1 AND identity_key = $2`, clientID, identityKey).Scan(&scopes, &granted); err != nil {
		return store.OAuthConsent{}, fmt.Errorf("postgres: consent to client %s: %w", clientID, translate(err))
	}
	c.Scopes, c.GrantedAt = listValue(scopes), timeValue(granted)
	return c, nil
}

// saveConsent inserts a consent or widens the stored one. The union is
// computed by the upsert itself: the stored scopes, then the new ones not
// among them, in the order given. ON CONFLICT locks the stored row (or
// waits for a concurrent insert of it to commit) before computing, so two
// consents saved at once both count.
const saveConsent = `INSERT INTO oauth_consents
	(client_id, identity_key, scopes, granted_at) VALUES ($1, $2, $3, $4)
	ON CONFLICT (client_id, identity_key) DO UPDATE SET
		scopes = oauth_consents.scopes || ARRAY(
			SELECT n.s FROM unnest(excluded.scopes) WITH ORDINALITY AS n(s, i)
			WHERE n.s <> ALL (oauth_consents.scopes) ORDER BY n.i),
		granted_at = excluded.granted_at`

// SaveConsent implements store.OAuth. The stored scopes become the union
// of the old and new ones, old first, in one statement, so that two
// consents saved at once both count. GrantedAt becomes c's.
func (db *DB) SaveConsent(ctx context.Context, c store.OAuthConsent) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("postgres: save consent: %w", err)
	}
	// Repeats within c.Scopes are dropped here, first kept, as the SQLite
	// backend drops them; the statement only drops those already stored.
	var scopes []string
	for _, s := range c.Scopes {
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	if _, err := db.pool.Exec(ctx, saveConsent, c.ClientID, c.IdentityKey,
		listArg(scopes), timeArg(c.GrantedAt)); err != nil {
		return fmt.Errorf("postgres: save consent to client %s: %w", c.ClientID, translate(err))
	}
	return nil
}
