-- The dashboard's browser sessions, by the SHA-256 of their cookie token,
-- and an index for counting audit events per day.
--
-- As in 0002 and 0003: times are unix microseconds, UTC; the identity is a
-- JSON object in the form store.EncodeIdentity writes.

-- credential_id is derived from the identity, so that the two cannot
-- disagree: sessions signed in with a key are ended with it. It is NULL
-- for identity-provider users, whose identity names no credential.
CREATE TABLE web_sessions (
	hash          BLOB    NOT NULL PRIMARY KEY CHECK (length(hash) = 32),
	identity      TEXT    NOT NULL
		CHECK (json_valid(identity) AND json_type(identity) = 'object'),
	credential_id TEXT    GENERATED ALWAYS AS (json_extract(identity, '$.credential_id')) VIRTUAL,
	created_at    INTEGER NOT NULL,
	expires_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX web_sessions_credential_id ON web_sessions (credential_id);
CREATE INDEX web_sessions_expires_at ON web_sessions (expires_at);

-- The dashboard counts one key's events of one action per day since a
-- date: neither (key_id, id) nor (action, id) finds those without reading
-- every event of the key, or of the action, from the table. This index
-- holds everything that count reads.
CREATE INDEX audit_events_key_id_action_time ON audit_events (key_id, action, time);
