package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/skillgate/skillgate/store"
)

const clientColumns = `id, secret_hash, registration_token_hash, name,
	redirect_uris, grant_types, response_types, token_endpoint_auth_method,
	scope, metadata, created_at, updated_at, last_used_at, registered_from`

// CreateClient implements store.OAuth.
func (db *DB) CreateClient(ctx context.Context, c store.OAuthClient) error {
	if err := c.Validate(); err != nil {
		return fmt.Errorf("sqlite: create client: %w", err)
	}
	m, err := clientMetadataArgs(c)
	if err != nil {
		return fmt.Errorf("sqlite: create client %s: %w", c.ID, err)
	}
	args := append([]any{c.ID, bytesArg(c.RegistrationTokenHash), timeArg(c.CreatedAt),
		timeArg(c.LastUsedAt), c.RegisteredFrom}, m...)
	if _, err := db.write.ExecContext(ctx, `INSERT INTO oauth_clients (id,
		registration_token_hash, created_at, last_used_at, registered_from,
		secret_hash, name, redirect_uris, grant_types, response_types,
		token_endpoint_auth_method, scope, metadata, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...); err != nil {
		return fmt.Errorf("sqlite: create client %s: %w", c.ID, translate(err))
	}
	return nil
}

// clientMetadataArgs encodes what UpdateClient replaces, in
// the order secret_hash, name, redirect_uris, grant_types, response_types,
// token_endpoint_auth_method, scope, metadata, updated_at.
func clientMetadataArgs(c store.OAuthClient) ([]any, error) {
	lists := make([]string, 3)
	for i, l := range [][]string{c.RedirectURIs, c.GrantTypes, c.ResponseTypes} {
		var err error
		if lists[i], err = listArg(l); err != nil {
			return nil, fmt.Errorf("lists: %w", err)
		}
	}
	return []any{bytesArg(c.SecretHash), c.Name, lists[0], lists[1], lists[2],
		c.TokenEndpointAuthMethod, c.Scope, textArg(c.Metadata), timeArg(c.UpdatedAt)}, nil
}

// Client implements store.OAuth.
func (db *DB) Client(ctx context.Context, id string) (store.OAuthClient, error) {
	c, err := scanClient(db.read.QueryRowContext(ctx,
		`SELECT `+clientColumns+` FROM oauth_clients WHERE id = ?`, id))
	if err != nil {
		return store.OAuthClient{}, fmt.Errorf("sqlite: client %s: %w", id, translate(err))
	}
	return c, nil
}

// ListClients implements store.OAuth.
func (db *DB) ListClients(ctx context.Context) ([]store.OAuthClient, error) {
	rows, err := db.read.QueryContext(ctx,
		`SELECT `+clientColumns+` FROM oauth_clients ORDER BY created_at, id`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list clients: %w", err)
	}
	defer rows.Close()
	var clients []store.OAuthClient
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: list clients: %w", err)
		}
		clients = append(clients, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list clients: %w", err)
	}
	return clients, nil
}

// UpdateClient implements store.OAuth. It writes what the client
// registered: SecretHash, Name, RedirectURIs, GrantTypes, ResponseTypes,
// TokenEndpointAuthMethod, Scope, Metadata and UpdatedAt. LastUsedAt
// (TouchClient's) and RegisteredFrom (history) are kept.
func (db *DB) UpdateClient(ctx context.Context, c store.OAuthClient) error {
	if err := c.ValidateMetadata(); err != nil {
		return fmt.Errorf("sqlite: update client: %w", err)
	}
	args, err := clientMetadataArgs(c)
	if err != nil {
		return fmt.Errorf("sqlite: update client %s: %w", c.ID, err)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE oauth_clients SET secret_hash = ?,
		name = ?, redirect_uris = ?, grant_types = ?, response_types = ?,
		token_endpoint_auth_method = ?, scope = ?, metadata = ?, updated_at = ?
		WHERE id = ?`, append(args, c.ID)...)
	if err == nil {
		err = mustAffect(res)
	}
	if err != nil {
		return fmt.Errorf("sqlite: update client %s: %w", c.ID, translate(err))
	}
	return nil
}

// DeleteClient implements store.OAuth. The client's consents go with it:
// they were given to this client, not to one registered later under the
// same id (clients from platform.yaml have fixed ids).
func (db *DB) DeleteClient(ctx context.Context, id string, at time.Time) error {
	if err := store.CheckTime("revocation time", at); err != nil {
		return fmt.Errorf("sqlite: delete client %s: %w", id, err)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM oauth_clients WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if err := mustAffect(res); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM oauth_consents WHERE client_id = ?`, id); err != nil {
			return fmt.Errorf("delete consents: %w", err)
		}
		_, err = db.revokeGrants(ctx, tx, `client_id = ?`, id, "client deleted", at)
		return err
	})
	if err != nil {
		return fmt.Errorf("sqlite: delete client %s: %w", id, translate(err))
	}
	return nil
}

// TouchClient implements store.OAuth, skipping the write while LastUsedAt
// is less than a minute old, as TouchKey does.
func (db *DB) TouchClient(ctx context.Context, id string, at time.Time) error {
	at64 := at.UnixMicro()
	if _, err := db.write.ExecContext(ctx, `UPDATE oauth_clients SET last_used_at = ?
		WHERE id = ? AND (last_used_at IS NULL OR last_used_at <= ?)`,
		at64, id, at64-time.Minute.Microseconds()); err != nil {
		return fmt.Errorf("sqlite: touch client %s: %w", id, translate(err))
	}
	return nil
}

// mustAffect returns store.ErrNotFound when res changed no row.
func mustAffect(res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

func scanClient(s scanner) (store.OAuthClient, error) {
	var (
		c                          store.OAuthClient
		secret, regToken           []byte
		redirects, grants, resps   string
		metadata                   sql.NullString
		created, updated, lastUsed sql.NullInt64
	)
	if err := s.Scan(&c.ID, &secret, &regToken, &c.Name, &redirects, &grants, &resps,
		&c.TokenEndpointAuthMethod, &c.Scope, &metadata, &created, &updated,
		&lastUsed, &c.RegisteredFrom); err != nil {
		return store.OAuthClient{}, err
	}
	c.SecretHash, c.RegistrationTokenHash = bytesValue(secret), bytesValue(regToken)
	for _, l := range []struct {
		name string
		dst  *[]string
		src  string
	}{
		{"redirect uris", &c.RedirectURIs, redirects},
		{"grant types", &c.GrantTypes, grants},
		{"response types", &c.ResponseTypes, resps},
	} {
		var err error
		if *l.dst, err = listValue(l.src); err != nil {
			return store.OAuthClient{}, fmt.Errorf("client %s: %s: %w", c.ID, l.name, err)
		}
	}
	if metadata.Valid && metadata.String != "" {
		c.Metadata = []byte(metadata.String)
	}
	c.CreatedAt, c.UpdatedAt, c.LastUsedAt = timeValue(created), timeValue(updated), timeValue(lastUsed)
	return c, nil
}
