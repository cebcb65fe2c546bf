-- Counts of audit events per key, action, result and UTC day, which the
-- dashboard's usage chart reads, in place of the index of 0004 on
-- audit_events (key_id, action, time): that index cost an entry per
-- event, nearly doubling the CPU of each append, where AppendAudit now
-- adds a batch to these counts with an upsert per key, action, result and
-- day, in the transaction that stores the events.
--
-- day is unix microseconds of the day's midnight, UTC, as audit_events.time
-- is microseconds. The key leads with (key_id, action, day): one key's
-- events of one action over a range of days is one range of it, in day
-- order; the result comes last, being summed over or picked within it.
-- key_id is '' for events without a key, counted like every other.
CREATE TABLE audit_days (
	key_id TEXT    NOT NULL,
	action TEXT    NOT NULL,
	day    INTEGER NOT NULL CHECK (day % 86400000000 = 0),
	result TEXT    NOT NULL,
	count  INTEGER NOT NULL CHECK (count > 0),
	PRIMARY KEY (key_id, action, day, result)
) STRICT, WITHOUT ROWID;

-- The events stored so far. SQLite's % keeps the sign of a negative
-- dividend, so the modulo is taken twice for times before 1970 to round
-- down to their day too. No
-- release has stored a NULL time; were there one, it would count on the
-- zero time's day (-62135596800000000), as store.DayCount says.
INSERT INTO audit_days (key_id, action, day, result, count)
SELECT key_id, action, day, result, count(*)
FROM (
	SELECT key_id, action, result,
		t - ((t % 86400000000) + 86400000000) % 86400000000 AS day
	FROM (SELECT key_id, action, result,
		COALESCE(time, -62135596800000000) AS t FROM audit_events)
)
GROUP BY key_id, action, day, result;

DROP INDEX audit_events_key_id_action_time;
