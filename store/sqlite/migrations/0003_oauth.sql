-- The OAuth 2.1 authorization server: clients, pending authorization
-- requests, consents, authorization codes, grants and their refresh tokens,
-- the keys access tokens are signed with, and server secrets.
--
-- As in 0002: times are unix microseconds, UTC, NULL for the zero time;
-- lists are JSON arrays of strings; secrets are kept only as SHA-256
-- hashes. There are no foreign keys: a grant outlives its client (revoked),
-- and codes and refresh tokens outlive nothing they would cascade from.

-- Registered clients (RFC 7591), dynamic or from platform.yaml.
CREATE TABLE oauth_clients (
	id                         TEXT    NOT NULL PRIMARY KEY,
	-- NULL for a public client.
	secret_hash                BLOB    CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
	-- NULL when the client cannot manage itself (RFC 7592).
	registration_token_hash    BLOB
		CHECK (registration_token_hash IS NULL OR length(registration_token_hash) = 32),
	name                       TEXT    NOT NULL DEFAULT '',
	redirect_uris              TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(redirect_uris) AND json_type(redirect_uris) = 'array'),
	grant_types                TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(grant_types) AND json_type(grant_types) = 'array'),
	response_types             TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(response_types) AND json_type(response_types) = 'array'),
	token_endpoint_auth_method TEXT    NOT NULL DEFAULT '',
	scope                      TEXT    NOT NULL DEFAULT '',
	-- The other registered fields, as a JSON object; NULL when none.
	metadata                   TEXT
		CHECK (metadata IS NULL OR (json_valid(metadata) AND json_type(metadata) = 'object')),
	created_at                 INTEGER NOT NULL,
	updated_at                 INTEGER,
	last_used_at               INTEGER,
	registered_from            TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX oauth_clients_created_at_id ON oauth_clients (created_at, id);

-- Authorization requests between /authorize and the decision. They live
-- for minutes; expired ones are deleted when a new request is stored.
CREATE TABLE oauth_requests (
	id             TEXT    NOT NULL PRIMARY KEY,
	browser_hash   BLOB    CHECK (browser_hash IS NULL OR length(browser_hash) = 32),
	client_id      TEXT    NOT NULL DEFAULT '',
	redirect_uri   TEXT    NOT NULL DEFAULT '',
	state          TEXT    NOT NULL DEFAULT '',
	code_challenge TEXT    NOT NULL DEFAULT '',
	resource       TEXT    NOT NULL DEFAULT '',
	scopes         TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
	-- Who signed in, as a JSON object; NULL until then.
	identity       TEXT
		CHECK (identity IS NULL OR (json_valid(identity) AND json_type(identity) = 'object')),
	created_at     INTEGER NOT NULL,
	expires_at     INTEGER NOT NULL
) STRICT;

CREATE INDEX oauth_requests_expires_at ON oauth_requests (expires_at);

-- Consents, one per client and identity; scopes only ever widen.
CREATE TABLE oauth_consents (
	client_id    TEXT    NOT NULL,
	identity_key TEXT    NOT NULL,
	scopes       TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
	granted_at   INTEGER NOT NULL,
	PRIMARY KEY (client_id, identity_key)
) STRICT, WITHOUT ROWID;

-- Authorization codes by hash. A redeemed code keeps its row (redeemed_at
-- set) until it expires, so that a second redemption is recognised;
-- expired ones are deleted when a new code is stored.
CREATE TABLE oauth_codes (
	hash           BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	client_id      TEXT    NOT NULL DEFAULT '',
	redirect_uri   TEXT    NOT NULL DEFAULT '',
	code_challenge TEXT    NOT NULL DEFAULT '',
	resource       TEXT    NOT NULL DEFAULT '',
	scopes         TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
	grant_id       TEXT    NOT NULL,
	expires_at     INTEGER NOT NULL,
	redeemed_at    INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX oauth_codes_expires_at ON oauth_codes (expires_at);

-- Grants: what one consent started. Revocation is permanent and stops
-- every token issued under the grant.
CREATE TABLE oauth_grants (
	id            TEXT    NOT NULL PRIMARY KEY,
	client_id     TEXT    NOT NULL DEFAULT '',
	identity      TEXT    NOT NULL DEFAULT '{}'
		CHECK (json_valid(identity) AND json_type(identity) = 'object'),
	resource      TEXT    NOT NULL DEFAULT '',
	scopes        TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(scopes) AND json_type(scopes) = 'array'),
	created_at    INTEGER NOT NULL,
	revoked_at    INTEGER,
	revoke_reason TEXT    NOT NULL DEFAULT '',
	-- The generation of the live refresh token; 0 before the first.
	generation    INTEGER NOT NULL DEFAULT 0 CHECK (generation >= 0),
	rotated_at    INTEGER,
	expires_at    INTEGER
) STRICT;

CREATE INDEX oauth_grants_client_id ON oauth_grants (client_id);

-- Refresh tokens by hash, every generation of every grant, so that a
-- token presented after it was rotated away is recognised as reuse. A
-- generation has one token.
CREATE TABLE oauth_refresh_tokens (
	hash       BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	grant_id   TEXT    NOT NULL,
	generation INTEGER NOT NULL CHECK (generation >= 1),
	created_at INTEGER NOT NULL,
	UNIQUE (grant_id, generation)
) STRICT, WITHOUT ROWID;

-- Keys that sign access tokens. The newest with no retires_at signs;
-- the others are published until expires_at.
CREATE TABLE oauth_signing_keys (
	id          TEXT    NOT NULL PRIMARY KEY,
	algorithm   TEXT    NOT NULL,
	private_key BLOB    NOT NULL CHECK (length(private_key) > 0),
	created_at  INTEGER NOT NULL,
	retires_at  INTEGER,
	expires_at  INTEGER
) STRICT;

CREATE INDEX oauth_signing_keys_created_at ON oauth_signing_keys (created_at);

-- Named secrets every replica shares, made once by whichever asks first.
CREATE TABLE oauth_server_secrets (
	name  TEXT NOT NULL PRIMARY KEY,
	value BLOB NOT NULL CHECK (length(value) > 0)
) STRICT, WITHOUT ROWID;
