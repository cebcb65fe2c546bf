-- SQLite's migration 0005: counts of audit events per key, action, result
-- and UTC day, which the dashboard's usage chart reads, in place of the
-- index of 0002 on audit_events (key_id, action, time): that index cost an
-- entry per event, where AppendAudit now adds a batch to these counts with
-- an upsert per key, action, result and day, in the transaction that
-- stores the events.
--
-- The key leads with (key_id, action, day): one key's events of one action
-- over a range of days is one range of it; the result comes last, being
-- summed over or picked within it. key_id is '' for events without a key,
-- counted like every other.
CREATE TABLE audit_days (
	key_id text   NOT NULL,
	action text   NOT NULL,
	day    date   NOT NULL,
	result text   NOT NULL,
	count  bigint NOT NULL CHECK (count > 0),
	PRIMARY KEY (key_id, action, day, result)
);

-- No event may be stored while the events so far are counted: one
-- committed after the count began would be missing from it. (A replica
-- still running an older binary after this migration does not count its
-- events; upgrade replicas before relying on the counts of that day.)
LOCK TABLE audit_events IN SHARE MODE;

-- The day is cut in UTC whatever the session's TimeZone: a timestamptz AT
-- TIME ZONE 'UTC' is the UTC wall clock time, whose date is the UTC day.
-- An event stored with the zero time has a NULL time; it counts on the
-- zero time's day, as store.DayCount says.
INSERT INTO audit_days (key_id, action, day, result, count)
SELECT key_id, action, COALESCE((time AT TIME ZONE 'UTC')::date, DATE '0001-01-01'), result, count(*)
FROM audit_events
GROUP BY 1, 2, 3, 4;

DROP INDEX audit_events_key_id_action_time;
