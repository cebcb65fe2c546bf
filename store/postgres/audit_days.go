package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

// audit_days holds the count of audit events per key, action, result and
// UTC day, the day as a date. AppendAudit keeps it in the transaction that
// stores the events; migration 0003 filled it with the events before it.
//
// A date has no zone, so the session's TimeZone plays no part in reading
// or writing one; the days are UTC days because store.DayTotals and
// store.UTCDay cut them in UTC before they are bound, and pgx binds a
// time.Time to a date by the calendar day of its own location.

// auditDaysUpsert adds one store.DayTotal ($1 key, $2 action, $3 day, $4
// result, $5 count) to audit_days. Concurrent appends to the same day of a
// key wait for each other on its row; they take the rows of a batch in
// the order of store.DayTotals, the table's key, so they cannot deadlock.
const auditDaysUpsert = `INSERT INTO audit_days (key_id, action, day, result, count)
	VALUES ($1, $2, $3, $4, $5)
	ON CONFLICT (key_id, action, day, result)
	DO UPDATE SET count = audit_days.count + excluded.count`

// CountAuditByDay implements store.Audit. The key of audit_days leads
// with (key_id, action, day), so the dashboard's question, one key's tool
// calls over a range of days, is one range of it.
func (db *DB) CountAuditByDay(ctx context.Context, f store.DayFilter) ([]store.DayCount, error) {
	var args params
	where := auditFieldsWhere(f.KeyID, f.Action, f.Result, &args)
	if !f.From.IsZero() {
		where = append(where, "day >= "+args.add(store.UTCDay(f.From)))
	}
	if !f.To.IsZero() {
		where = append(where, "day <= "+args.add(store.UTCDay(f.To)))
	}
	// sum of a bigint is a numeric; the cast brings it back.
	query := `SELECT day, sum(count)::bigint FROM audit_days`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " GROUP BY day ORDER BY day"
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: count audit by day: %w", translate(err))
	}
	days, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.DayCount, error) {
		var d store.DayCount
		err := row.Scan(&d.Day, &d.Count) // pgx reads a date as its midnight UTC
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: count audit by day: %w", translate(err))
	}
	if len(days) == 0 {
		return nil, nil // As ListAudit: nil, not CollectRows' empty slice.
	}
	return days, nil
}
