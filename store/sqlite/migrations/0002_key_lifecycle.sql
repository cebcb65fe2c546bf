-- Key lifecycle: secrets apart from keys (so a key keeps its id, limits
-- and usage across rotations), hierarchy, quotas, usage, a version that
-- caches of verified keys check, and the audit log.
--
-- api_keys is rebuilt as SQLite's ALTER TABLE procedure says: new table,
-- copy, drop, rename. The runner applies migrations in one transaction with
-- foreign keys on, where PRAGMA foreign_keys cannot change, so the steps are
-- ordered for that: when api_keys is dropped, the only foreign key naming it
-- is api_keys_new's own parent_id, NULL in every copied row, so the drop's
-- implicit DELETE violates nothing.

CREATE TABLE api_keys_new (
	id                    TEXT    NOT NULL PRIMARY KEY,
	name                  TEXT    NOT NULL DEFAULT '',
	description           TEXT    NOT NULL DEFAULT '',
	user_id               TEXT    NOT NULL DEFAULT '',
	org_id                TEXT    NOT NULL DEFAULT '',
	teams                 TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(teams) AND json_type(teams) = 'array'),
	roles                 TEXT    NOT NULL DEFAULT '[]'
		CHECK (json_valid(roles) AND json_type(roles) = 'array'),
	-- NULL: whatever the roles allow; an array, exactly those scopes.
	scopes                TEXT
		CHECK (scopes IS NULL OR (json_valid(scopes) AND json_type(scopes) = 'array')),
	claims                TEXT    NOT NULL DEFAULT '{}'
		CHECK (json_valid(claims) AND json_type(claims) = 'object'),
	created_at            INTEGER NOT NULL,
	expires_at            INTEGER,
	disabled              INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	revoked_at            INTEGER,
	monthly_quota         INTEGER NOT NULL DEFAULT 0 CHECK (monthly_quota >= 0),
	rate_limit_per_minute INTEGER NOT NULL DEFAULT 0 CHECK (rate_limit_per_minute >= 0),
	-- NULL: every skill; an array (possibly empty), only those.
	allowed_skill_ids     TEXT
		CHECK (allowed_skill_ids IS NULL
			OR (json_valid(allowed_skill_ids) AND json_type(allowed_skill_ids) = 'array')),
	-- NULL for a root key. Written once, at creation.
	parent_id             TEXT    REFERENCES api_keys (id),
	created_by            TEXT    NOT NULL DEFAULT '',
	last_used_at          INTEGER,
	-- The month (year*100+month) usage_count counts; 0 before any use.
	usage_period          INTEGER NOT NULL DEFAULT 0,
	usage_count           INTEGER NOT NULL DEFAULT 0 CHECK (usage_count >= 0)
) STRICT;

-- The previous release stored '[]' for "no scopes given", which its
-- personas read as "whatever the roles allow": that is NULL now.
INSERT INTO api_keys_new (id, name, user_id, teams, roles, scopes,
	created_at, expires_at, disabled, revoked_at)
SELECT id, name, user_id, teams, roles,
	CASE WHEN json_array_length(scopes) = 0 THEN NULL ELSE scopes END,
	created_at, expires_at, disabled, revoked_at
FROM api_keys;

-- Set the old hashes aside: api_key_secrets is created after the rename so
-- that its foreign key never points at the table being dropped.
CREATE TEMP TABLE old_secrets AS
SELECT hash, id AS key_id, prefix, created_at FROM api_keys;

DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;

-- Secrets: the SHA-256 of each string that authenticates as a key. The
-- current secret has no expiry; rotated ones expire after their grace.
CREATE TABLE api_key_secrets (
	hash       BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	key_id     TEXT    NOT NULL REFERENCES api_keys (id),
	prefix     TEXT    NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	expires_at INTEGER
) STRICT, WITHOUT ROWID;

INSERT INTO api_key_secrets (hash, key_id, prefix, created_at)
SELECT hash, key_id, prefix, created_at FROM temp.old_secrets;
DROP TABLE temp.old_secrets;

CREATE INDEX api_keys_user_id ON api_keys (user_id);
CREATE INDEX api_keys_org_id ON api_keys (org_id);
CREATE INDEX api_keys_parent_id ON api_keys (parent_id);
CREATE INDEX api_keys_created_at_id ON api_keys (created_at, id);
CREATE INDEX api_key_secrets_key_id ON api_key_secrets (key_id, created_at);

-- One row whose version every update, revocation and rotation of a key
-- bumps in its own transaction: a cache of verified keys, in any process,
-- is valid while the version is unchanged.
CREATE TABLE key_state (
	id      INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
) STRICT;

INSERT INTO key_state (id, version) VALUES (1, 1);

-- The audit log, append-only. AUTOINCREMENT keeps ids increasing and never
-- reused, so an id is a stable cursor.
CREATE TABLE audit_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	time        INTEGER,
	key_id      TEXT    NOT NULL DEFAULT '',
	principal   TEXT    NOT NULL DEFAULT '',
	action      TEXT    NOT NULL DEFAULT '',
	target      TEXT    NOT NULL DEFAULT '',
	result      TEXT    NOT NULL DEFAULT '',
	client_addr TEXT    NOT NULL DEFAULT '',
	detail      TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_events_key_id ON audit_events (key_id, id);
CREATE INDEX audit_events_action ON audit_events (action, id);
