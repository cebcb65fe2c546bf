-- SQLite's migration 0004: the dashboard's browser sessions, by the
-- SHA-256 of their cookie token, and an index for counting audit events
-- per day.

-- credential_id is derived from the identity, so that the two cannot
-- disagree: sessions signed in with a key are ended with it. It is NULL
-- for identity-provider users, whose identity names no credential.
CREATE TABLE web_sessions (
	hash          bytea       NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	identity      jsonb       NOT NULL CHECK (jsonb_typeof(identity) = 'object'),
	credential_id text        GENERATED ALWAYS AS (identity ->> 'credential_id') STORED,
	created_at    timestamptz NOT NULL,
	expires_at    timestamptz NOT NULL
);

CREATE INDEX web_sessions_credential_id ON web_sessions (credential_id);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

-- The dashboard counts one key's events of one action per day since a
-- date: neither (key_id, id) nor (action, id) finds those without reading
-- every event of the key, or of the action, from the table. This index
-- holds everything that count reads.
CREATE INDEX audit_events_key_id_action_time ON audit_events (key_id, action, time);
