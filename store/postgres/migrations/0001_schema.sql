-- The whole schema as of SQLite's migrations 0001 to 0003, in PostgreSQL's
-- own types: timestamptz (microseconds, NULL for the zero time), text[] for
-- lists (NULL where a nil list has its own meaning), jsonb for objects,
-- bytea for hashes. Secrets are kept only as SHA-256 hashes.

-- Managed API keys: the logical key, its limits and its monthly usage.
CREATE TABLE api_keys (
	id                    text        NOT NULL PRIMARY KEY,
	name                  text        NOT NULL DEFAULT '',
	description           text        NOT NULL DEFAULT '',
	user_id               text        NOT NULL DEFAULT '',
	org_id                text        NOT NULL DEFAULT '',
	teams                 text[]      NOT NULL DEFAULT '{}',
	roles                 text[]      NOT NULL DEFAULT '{}',
	-- NULL: whatever the roles allow; an array, exactly those scopes.
	scopes                text[],
	claims                jsonb       NOT NULL DEFAULT '{}'
		CHECK (jsonb_typeof(claims) = 'object'),
	created_at            timestamptz NOT NULL,
	expires_at            timestamptz,
	disabled              boolean     NOT NULL DEFAULT false,
	revoked_at            timestamptz,
	monthly_quota         bigint      NOT NULL DEFAULT 0 CHECK (monthly_quota >= 0),
	rate_limit_per_minute integer     NOT NULL DEFAULT 0 CHECK (rate_limit_per_minute >= 0),
	-- NULL: every skill; an array (possibly empty), only those.
	allowed_skill_ids     text[],
	-- NULL for a root key. Written once, at creation.
	parent_id             text        REFERENCES api_keys (id),
	created_by            text        NOT NULL DEFAULT '',
	last_used_at          timestamptz,
	-- The month (year*100+month) usage_count counts; 0 before any use.
	usage_period          integer     NOT NULL DEFAULT 0,
	usage_count           bigint      NOT NULL DEFAULT 0 CHECK (usage_count >= 0)
);

CREATE INDEX api_keys_user_id ON api_keys (user_id);
CREATE INDEX api_keys_org_id ON api_keys (org_id);
CREATE INDEX api_keys_parent_id ON api_keys (parent_id);
CREATE INDEX api_keys_created_at_id ON api_keys (created_at, id);

-- Secrets: the SHA-256 of each string that authenticates as a key. The
-- current secret has no expiry; rotated ones expire after their grace.
CREATE TABLE api_key_secrets (
	hash       bytea       NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	key_id     text        NOT NULL REFERENCES api_keys (id),
	prefix     text        NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL,
	expires_at timestamptz
);

CREATE INDEX api_key_secrets_key_id ON api_key_secrets (key_id, created_at);

-- The bootstrap marker: at most one row, ever. Not a foreign key, so that
-- deleting the bootstrap key later does not re-open the bootstrap.
CREATE TABLE bootstrap (
	id         integer     NOT NULL PRIMARY KEY CHECK (id = 1),
	key_id     text        NOT NULL,
	created_at timestamptz NOT NULL
);

-- One row whose version every change a cache of verified keys or grants
-- depends on bumps in its own transaction; the same transaction notifies
-- the other replicas (see version.go).
CREATE TABLE key_state (
	id      integer NOT NULL PRIMARY KEY CHECK (id = 1),
	version bigint  NOT NULL
);

INSERT INTO key_state (id, version) VALUES (1, 1);

-- The audit log, append-only. An identity column never reuses an id, so
-- an id is a stable cursor.
CREATE TABLE audit_events (
	id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	time        timestamptz,
	key_id      text        NOT NULL DEFAULT '',
	principal   text        NOT NULL DEFAULT '',
	action      text        NOT NULL DEFAULT '',
	target      text        NOT NULL DEFAULT '',
	result      text        NOT NULL DEFAULT '',
	client_addr text        NOT NULL DEFAULT '',
	detail      text        NOT NULL DEFAULT ''
);

CREATE INDEX audit_events_key_id ON audit_events (key_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);

-- OAuth clients (RFC 7591), dynamic or from platform.yaml.
CREATE TABLE oauth_clients (
	id                         text        NOT NULL PRIMARY KEY,
	-- NULL for a public client.
	secret_hash                bytea       CHECK (secret_hash IS NULL OR length(secret_hash) = 32),
	-- NULL when the client cannot manage itself (RFC 7592).
	registration_token_hash    bytea
		CHECK (registration_token_hash IS NULL OR length(registration_token_hash) = 32),
	name                       text        NOT NULL DEFAULT '',
	redirect_uris              text[]      NOT NULL DEFAULT '{}',
	grant_types                text[]      NOT NULL DEFAULT '{}',
	response_types             text[]      NOT NULL DEFAULT '{}',
	token_endpoint_auth_method text        NOT NULL DEFAULT '',
	scope                      text        NOT NULL DEFAULT '',
	-- The other registered fields, as a JSON object; NULL when none. json,
	-- not jsonb: the document is echoed back as registered, byte for byte.
	metadata                   json        CHECK (metadata IS NULL OR json_typeof(metadata) = 'object'),
	created_at                 timestamptz NOT NULL,
	updated_at                 timestamptz,
	last_used_at               timestamptz,
	registered_from            text        NOT NULL DEFAULT ''
);

CREATE INDEX oauth_clients_created_at_id ON oauth_clients (created_at, id);

-- Authorization requests between /authorize and the decision; they live
-- for minutes, and expired ones are deleted when a new one is stored.
CREATE TABLE oauth_requests (
	id             text        NOT NULL PRIMARY KEY,
	browser_hash   bytea       CHECK (browser_hash IS NULL OR length(browser_hash) = 32),
	client_id      text        NOT NULL DEFAULT '',
	redirect_uri   text        NOT NULL DEFAULT '',
	state          text        NOT NULL DEFAULT '',
	code_challenge text        NOT NULL DEFAULT '',
	resource       text        NOT NULL DEFAULT '',
	scopes         text[]      NOT NULL DEFAULT '{}',
	-- Who signed in; NULL until then.
	identity       jsonb       CHECK (identity IS NULL OR jsonb_typeof(identity) = 'object'),
	created_at     timestamptz NOT NULL,
	expires_at     timestamptz NOT NULL
);

CREATE INDEX oauth_requests_expires_at ON oauth_requests (expires_at);

-- Consents, one per client and identity; scopes only ever widen.
CREATE TABLE oauth_consents (
	client_id    text        NOT NULL,
	identity_key text        NOT NULL,
	scopes       text[]      NOT NULL DEFAULT '{}',
	granted_at   timestamptz NOT NULL,
	PRIMARY KEY (client_id, identity_key)
);

-- Authorization codes by hash. A redeemed code keeps its row until it
-- expires, so that a second redemption is recognised.
CREATE TABLE oauth_codes (
	hash           bytea       NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	client_id      text        NOT NULL DEFAULT '',
	redirect_uri   text        NOT NULL DEFAULT '',
	code_challenge text        NOT NULL DEFAULT '',
	resource       text        NOT NULL DEFAULT '',
	scopes         text[]      NOT NULL DEFAULT '{}',
	grant_id       text        NOT NULL,
	expires_at     timestamptz NOT NULL,
	redeemed_at    timestamptz
);

CREATE INDEX oauth_codes_expires_at ON oauth_codes (expires_at);

-- Grants: what one consent started. Revocation is permanent and stops
-- every token issued under the grant.
CREATE TABLE oauth_grants (
	id            text        NOT NULL PRIMARY KEY,
	client_id     text        NOT NULL DEFAULT '',
	identity      jsonb       NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(identity) = 'object'),
	resource      text        NOT NULL DEFAULT '',
	scopes        text[]      NOT NULL DEFAULT '{}',
	created_at    timestamptz NOT NULL,
	revoked_at    timestamptz,
	revoke_reason text        NOT NULL DEFAULT '',
	-- The generation of the live refresh token; 0 before the first.
	generation    integer     NOT NULL DEFAULT 0 CHECK (generation >= 0),
	rotated_at    timestamptz,
	expires_at    timestamptz
);

CREATE INDEX oauth_grants_client_id ON oauth_grants (client_id);

-- Refresh tokens by hash, every generation of every grant, so that a token
-- presented after it was rotated away is recognised as reuse.
CREATE TABLE oauth_refresh_tokens (
	hash       bytea       NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	grant_id   text        NOT NULL,
	generation integer     NOT NULL CHECK (generation >= 1),
	created_at timestamptz NOT NULL,
	UNIQUE (grant_id, generation)
);

-- Keys that sign access tokens. The newest with no retires_at signs; the
-- others are published until expires_at.
CREATE TABLE oauth_signing_keys (
	id          text        NOT NULL PRIMARY KEY,
	algorithm   text        NOT NULL,
	private_key bytea       NOT NULL CHECK (length(private_key) > 0),
	created_at  timestamptz NOT NULL,
	retires_at  timestamptz,
	expires_at  timestamptz
);

CREATE INDEX oauth_signing_keys_created_at ON oauth_signing_keys (created_at);

-- Named secrets every replica shares, made once by whichever asks first.
CREATE TABLE oauth_server_secrets (
	name  text  NOT NULL PRIMARY KEY,
	value bytea NOT NULL CHECK (length(value) > 0)
);

-- Rate-limit state shared by the replicas: the theoretical arrival time
-- (GCRA, unix nanoseconds of the database's clock) of each limited key.
-- UNLOGGED: not worth a WAL write per request; after a database crash the
-- table is empty and every bucket starts full, which forgives at most one
-- minute's burst.
CREATE UNLOGGED TABLE rate_limits (
	key     text    NOT NULL PRIMARY KEY,
	tat     bigint  NOT NULL,
	-- Whether the request that last wrote the row was allowed, so that one
	-- statement both decides and reports the decision.
	allowed boolean NOT NULL
);

CREATE INDEX rate_limits_tat ON rate_limits (tat);
