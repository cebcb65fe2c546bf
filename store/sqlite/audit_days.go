package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/skillgate/skillgate/store"
)

// audit_days holds the count of audit events per key, action, result and
// UTC day, the day as unix microseconds of its midnight (the unit of
// audit_events.time). AppendAudit keeps it in the transaction that stores
// the events; migration 0005 filled it with the events before it.

// auditDaysUpsert is one upsert adding totals to audit_days, with its
// arguments. The totals are distinct groups (store.DayTotals), so no two
// rows of one statement add to the same count.
func auditDaysUpsert(totals []store.DayTotal) (string, []any) {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_days (key_id, action, day, result, count) VALUES `)
	args := make([]any, 0, 5*len(totals))
	for i, d := range totals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, d.KeyID, d.Action, d.Day.UnixMicro(), d.Result, d.Count)
	}
	b.WriteString(` ON CONFLICT (key_id, action, day, result)
		DO UPDATE SET count = audit_days.count + excluded.count`)
	return b.String(), args
}

// CountAuditByDay implements store.Audit. The key of audit_days leads
// with (key_id, action, day), so the dashboard's question, one key's tool
// calls over a range of days, is one range of it, read in day order.
func (db *DB) CountAuditByDay(ctx context.Context, f store.DayFilter) ([]store.DayCount, error) {
	where, args := auditFieldsWhere(f.KeyID, f.Action, f.Result)
	if !f.From.IsZero() {
		where = append(where, "day >= ?")
		args = append(args, store.UTCDay(f.From).UnixMicro())
	}
	if !f.To.IsZero() {
		where = append(where, "day <= ?")
		args = append(args, store.UTCDay(f.To).UnixMicro())
	}
	query := `SELECT day, sum(count) FROM audit_days`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " GROUP BY day ORDER BY day"
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: count audit by day: %w", err)
	}
	defer rows.Close()
	var days []store.DayCount
	for rows.Next() {
		var d store.DayCount
		var day int64
		if err := rows.Scan(&day, &d.Count); err != nil {
			return nil, fmt.Errorf("sqlite: count audit by day: %w", err)
		}
		d.Day = time.UnixMicro(day).UTC()
		days = append(days, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: count audit by day: %w", err)
	}
	return days, nil
}
