package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/store"
)

var _ store.Audit = (*DB)(nil)

const auditColumns = `id, time, key_id, principal, action, target, result, client_addr, detail`

// AppendAudit implements store.Audit. The events are sent as one batch in
// one transaction, in order, so their ids increase in the order given. The
// store assigns IDs; events is not changed. The same batch adds them to
// the counts per day, with one upsert per key, action, result and day
// (see auditDaysUpsert).
func (db *DB) AppendAudit(ctx context.Context, events []store.AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	totals := store.DayTotals(events)
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		var b pgx.Batch
		for _, e := range events {
			b.Queue(`INSERT INTO audit_events
				(time, key_id, principal, action, target, result, client_addr, detail)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
				timeArg(e.Time), e.KeyID, e.Principal, e.Action, e.Target, e.Result,
				e.ClientAddr, e.Detail)
		}
		for _, d := range totals {
			b.Queue(auditDaysUpsert, d.KeyID, d.Action, d.Day, d.Result, d.Count)
		}
		br := tx.SendBatch(ctx, &b)
		for _, e := range events {
			if _, err := br.Exec(); err != nil {
				_ = br.Close() // The first error is the one to report.
				return fmt.Errorf("event %q: %w", e.Action, err)
			}
		}
		for _, d := range totals {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return fmt.Errorf("count day %s of %q: %w", d.Day.Format(time.DateOnly), d.Action, err)
			}
		}
		return br.Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: append audit: %w", translate(err))
	}
	return nil
}

// ListAudit implements store.Audit.
func (db *DB) ListAudit(ctx context.Context, f store.AuditFilter) ([]store.AuditEvent, error) {
	var args params
	where := auditWhere(f, &args)
	if f.Before != 0 {
		where = append(where, "id < "+args.add(f.Before))
	}
	query := `SELECT ` + auditColumns + ` FROM audit_events`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + args.add(f.Limit)
	}
	rows, err := db.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list audit: %w", translate(err))
	}
	events, err := pgx.CollectRows(rows, scanAudit)
	if err != nil {
		return nil, fmt.Errorf("postgres: list audit: %w", translate(err))
	}
	if len(events) == 0 {
		return nil, nil // CollectRows gives an empty slice; the store's types want nil.
	}
	return events, nil
}

// auditWhere is the condition, as terms to AND, that selects the events f
// does by their fields and time, binding its values to args. The cursor
// and the limit are the caller's: not every query pages. An event stored
// with the zero time has a NULL time: it is before every Since and Until,
// as the zero time is.
func auditWhere(f store.AuditFilter, args *params) []string {
	where := auditFieldsWhere(f.KeyID, f.Action, f.Result, args)
	if !f.Since.IsZero() {
		where = append(where, "time >= "+args.add(f.Since.UTC()))
	}
	if !f.Until.IsZero() {
		where = append(where, "(time IS NULL OR time < "+args.add(f.Until.UTC())+")")
	}
	return where
}

// auditFieldsWhere is the condition, as terms to AND, that selects events
// by key, action and result, those not empty, binding their values to
// args. The columns have the same names in audit_days.
func auditFieldsWhere(keyID, action, result string, args *params) []string {
	var where []string
	for _, eq := range []struct{ col, val string }{
		{"key_id", keyID}, {"action", action}, {"result", result},
	} {
		if eq.val != "" {
			where = append(where, eq.col+" = "+args.add(eq.val))
		}
	}
	return where
}

func scanAudit(row pgx.CollectableRow) (store.AuditEvent, error) {
	var e store.AuditEvent
	var at *time.Time
	err := row.Scan(&e.ID, &at, &e.KeyID, &e.Principal, &e.Action,
		&e.Target, &e.Result, &e.ClientAddr, &e.Detail)
	e.Time = timeValue(at)
	return e, err
}
