package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/skillgate/skillgate/store"
)

var _ store.Audit = (*DB)(nil)

const auditColumns = `id, time, key_id, principal, action, target, result, client_addr, detail`

// auditRowsPerInsert is how many events one INSERT writes: a statement per
// event would cost the driver's round trip per event; 64 rows of 8 values
// stay far below SQLite's limit of bound parameters.
const auditRowsPerInsert = 64

// AppendAudit implements store.Audit. The store assigns IDs, in the order
// of events; events is not changed. The events are added to the counts
// per day with one upsert per key, action, result and day in the batch
// (usually one): cheaper than the index entry per event it replaces.
func (db *DB) AppendAudit(ctx context.Context, events []store.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	totals := store.DayTotals(events)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(events, auditRowsPerInsert) {
			query, args := auditInsert(chunk)
			if _, err := tx.ExecContext(ctx, query, args...); err != nil {
				return fmt.Errorf("%d events from %q: %w", len(chunk), chunk[0].Action, err)
			}
		}
		for chunk := range slices.Chunk(totals, auditRowsPerInsert) {
			query, args := auditDaysUpsert(chunk)
			if _, err := tx.ExecContext(ctx, query, args...); err != nil {
				return fmt.Errorf("count %d days of %q: %w", len(chunk), chunk[0].Action, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: append audit: %w", translate(err))
	}
	return nil
}

// auditInsert is one INSERT of events, with its arguments.
func auditInsert(events []store.AuditEvent) (string, []any) {
	var b strings.Builder
	b.WriteString(`INSERT INTO audit_events
		(time, key_id, principal, action, target, result, client_addr, detail) VALUES `)
	args := make([]any, 0, 8*len(events))
	for i, e := range events {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, e.Time.UnixMicro(), e.KeyID, e.Principal,
			e.Action, e.Target, e.Result, e.ClientAddr, e.Detail)
	}
	return b.String(), args
}

// ListAudit implements store.Audit.
func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, error) {
	where, args := auditWhere(f)
	if f.Before != 0 {
		where = append(where, "id < ?")
		args = append(args, f.Before)
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	defer rows.Close()
	var events []store.AuditEvent
	for rows.Next() {
		var (
			e  store.AuditEvent
			at sql.NullInt64
		)
		if err := rows.Scan(&e.ID, &at, &e.KeyID, &e.Principal, &e.Action,
			&e.Target, &e.Result, &e.ClientAddr, &e.Detail); err != nil {
			return nil, fmt.Errorf("sqlite: list audit: %w", err)
		}
		e.Time = timeValue(at)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list audit: %w", err)
	}
	return events, nil
}

// auditWhere is the condition, as terms to AND, and its arguments, that
// selects the events f does by their fields and time. The cursor and the
// limit are the caller's: not every query pages.
func auditWhere(f store.AuditFilter) ([]string, []any) {
	where, args := auditFieldsWhere(f.KeyID, f.Action, f.Result)
	if !f.Since.IsZero() {
		where = append(where, "time >= ?")
		args = append(args, f.Since.UnixMicro())
	}
	if !f.Until.IsZero() {
		where = append(where, "time < ?")
		args = append(args, f.Until.UnixMicro())
	}
	return where, args
}

// auditFieldsWhere is the condition, as terms to AND, and its arguments,
// that selects events by key, action and result, those not empty. The
// columns have the same names in audit_days.
func auditFieldsWhere(keyID, action, result string) ([]string, []any) {
	var (
		where []string
		args  []any
	)
	for _, eq := range []struct{ col, val string }{
		{"key_id", keyID}, {"action", action}, {"result", result},
	} {
		if eq.val != "" {
			where = append(where, eq.col+" = ?")
			args = append(args, eq.val)
		}
	}
	return where, args
}
