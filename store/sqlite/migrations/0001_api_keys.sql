-- Managed API keys. Only the SHA-256 of a key is stored, never the key.
-- Times are unix microseconds, UTC; NULL is the zero time. Lists are JSON
-- arrays of strings.
CREATE TABLE api_keys (
	id         TEXT    NOT NULL PRIMARY KEY,
	hash       BLOB    NOT NULL UNIQUE CHECK (length(hash) = 32),
	prefix     TEXT    NOT NULL,
	name       TEXT    NOT NULL,
	user_id    TEXT    NOT NULL,
	teams      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(teams)),
	roles      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(roles)),
	scopes     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(scopes)),
	created_at INTEGER NOT NULL,
	expires_at INTEGER,
	disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
	revoked_at INTEGER
) STRICT;

CREATE INDEX api_keys_user_id ON api_keys (user_id);

-- The bootstrap marker: at most one row, ever. It is not a foreign key to
-- api_keys so that deleting the bootstrap key later does not remove the
-- marker and re-open the bootstrap.
CREATE TABLE bootstrap (
	id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	key_id     TEXT    NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
