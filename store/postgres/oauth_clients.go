package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/skillgate/skillgate/store"
)

const clientColumns = `id, secret_hash, registration_token_hash, name,
	redirect_uris, grant_types, response_types, token_endpoint_auth_method,
	scope, metadata, created_at, updated_at, last_used_at, registered_from`

// CreateClient implements store.OAuth.
func (db *DB) CreateClient(ctx context.Context, c store.OAuthClient) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("postgres: create client: %w", err)
	}
	m, err := clientMetadataArgs(c)
	if err != nil {
		return fmt.Errorf("postgres: create client %s: %w", c.ID, translate(err))
	}
	args := append([]any{c.ID, bytesArg(c.RegistrationTokenHash), timeArg(c.CreatedAt),
		timeArg(c.LastUsedAt), c.RegisteredFrom}, m...)
	if _, err := db.pool.Exec(ctx, `INSERT INTO oauth_clients (id,
		registration_token_hash, created_at, last_used_at, registered_from,
		secret_hash, name, redirect_uris, grant_types, response_types,
		token_endpoint_auth_method, scope, metadata, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`, args...); err != nil {
		return fmt.Errorf("postgres: create client %s: %w", c.ID, translate(err))
	}
	return nil
}

// clientMetadataArgs encodes what UpdateClient replaces, in
// the order secret_hash, name, redirect_uris, grant_types, response_types,
// token_endpoint_auth_method, scope, metadata, updated_at.
func clientMetadataArgs(c store.OAuthClient) ([]any, error) {
	return []any{bytesArg(c.SecretHash), c.Name, listArg(c.RedirectURIs),
		listArg(c.GrantTypes), listArg(c.ResponseTypes), c.TokenEndpointAuthMethod,
		c.Scope, metadataArg(c.Metadata), timeArg(c.UpdatedAt)}, nil
}

// Client implements store.OAuth.
func (db *DB) Client(ctx context.Context, id string) (store.OAuthClient, error) {
	c, err := scanClient(db.pool.QueryRow(ctx,
		`SELECT `+clientColumns+` FROM oauth_clients WHERE id = $1`, id))
	if err != nil {
		return store.OAuthClient{}, fmt.Errorf("postgres: client %s: %w", id, translate(err))
	}
	return c, nil
}

// ListClients implements store.OAuth.
func (db *DB) ListClients(ctx context.Context) ([]store.OAuthClient, error) {
	rows, err := db.pool.Query(ctx,
		`SELECT `+clientColumns+` FROM oauth_clients ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list clients: %w", translate(err))
	}
	defer rows.Close()
	var clients []store.OAuthClient
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: list clients: %w", translate(err))
		}
		clients = append(clients, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list clients: %w", translate(err))
	}
	return clients, nil
}

// UpdateClient implements store.OAuth. It writes what the client
// registered: SecretHash, Name, RedirectURIs, GrantTypes, ResponseTypes,
// TokenEndpointAuthMethod, Scope, Metadata and UpdatedAt. LastUsedAt
// (TouchClient's) and RegisteredFrom (history) are kept.
func (db *DB) UpdateClient(ctx context.Context, c store.OAuthClient) error {
	if err := c.ValidateMetadata(); err != nil {
		return fmt.Errorf("postgres: update client: %w", err)
	}
	args, err := clientMetadataArgs(c)
	if err != nil {
		return fmt.Errorf("postgres: update client %s: %w", c.ID, translate(err))
	}
	tag, err := db.pool.Exec(ctx, `UPDATE oauth_clients SET secret_hash = $1,
		name = $2, redirect_uris = $3, grant_types = $4, response_types = $5,
		token_endpoint_auth_method = $6, scope = $7, metadata = $8, updated_at = $9
		WHERE id = $10`, append(args, c.ID)...)
	if err == nil {
		err = mustAffect(tag)
	}
	if err != nil {
		return fmt.Errorf("postgres: update client %s: %w", c.ID, translate(err))
	}
	return nil
}

// DeleteClient implements store.OAuth. The client's consents go with it:
// they were given to this client, not to one registered later under the
// same id (clients from platform.yaml have fixed ids).
func (db *DB) DeleteClient(ctx context.Context, id string, at time.Time) error {
	if err := store.CheckTime("revocation time", at); err != nil {
		return fmt.Errorf("postgres: delete client %s: %w", id, translate(err))
	}
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM oauth_clients WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if err := mustAffect(tag); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM oauth_consents WHERE client_id = $1`, id); err != nil {
			return fmt.Errorf("delete consents: %w", err)
		}
		_, err = db.revokeGrants(ctx, tx, `client_id = $3`, id, "client deleted", at)
		return err
	})
	if err != nil {
		return fmt.Errorf("postgres: delete client %s: %w", id, translate(err))
	}
	return nil
}

// TouchClient implements store.OAuth, skipping the write while LastUsedAt
// is less than a minute old, as TouchKey does.
func (db *DB) TouchClient(ctx context.Context, id string, at time.Time) error {
	if _, err := db.pool.Exec(ctx, `UPDATE oauth_clients SET last_used_at = $1
		WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)`,
		timeArg(at), id, boundArg(at.Add(-time.Minute))); err != nil {
		return fmt.Errorf("postgres: touch client %s: %w", id, translate(err))
	}
	return nil
}

// mustAffect returns store.ErrNotFound when a statement changed no row.
func mustAffect(tag pgconn.CommandTag) error {
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanClient(s pgx.Row) (store.OAuthClient, error) {
	var (
		c                          store.OAuthClient
		secret, regToken, metadata []byte
		redirects, grants, resps   []string
		created, updated, lastUsed *time.Time
	)
	if err := s.Scan(&c.ID, &secret, &regToken, &c.Name, &redirects, &grants, &resps,
		&c.TokenEndpointAuthMethod, &c.Scope, &metadata, &created, &updated,
		&lastUsed, &c.RegisteredFrom); err != nil {
		return store.OAuthClient{}, err
	}
	c.SecretHash, c.RegistrationTokenHash = bytesValue(secret), bytesValue(regToken)
	c.RedirectURIs, c.GrantTypes, c.ResponseTypes = listValue(redirects), listValue(grants), listValue(resps)
	c.Metadata = bytesValue(metadata)
	c.CreatedAt, c.UpdatedAt, c.LastUsedAt = timeValue(created), timeValue(updated), timeValue(lastUsed)
	return c, nil
}
