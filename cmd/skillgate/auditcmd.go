package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/skillgate/skillgate/api"
	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// Page sizes of the audit command, as for GET /v1/audit.
const (
	defaultAuditLimit = audit.DefaultPageSize
	maxAuditLimit     = audit.MaxPageSize
)

// showAudit runs "skillgate audit": the audit log, newest first.
func (a *app) showAudit(ctx context.Context, args []string) error {
	c := a.newCommand("audit", "audit [flags]")
	f := c.flags
	key := f.String("key", "", "only events of this key (key_...)")
	action := f.String("action", "", "only this action, e.g. key.create, key.revoke, auth.failure")
	result := f.String("result", "", "only this result: ok, denied or error")
	since := f.String("since", "", "only events since then: a duration ago (24h, 7d) or an RFC 3339 time")
	limit := f.Int("limit", defaultAuditLimit, fmt.Sprintf("events per page, at most %d", maxAuditLimit))
	cursor := f.Int64("cursor", 0, "the next-page cursor a previous audit printed")
	return a.execute(c, args, func(positional []string) error {
		if err := c.noArgs(positional); err != nil {
			return err
		}
		query := audit.Query{KeyID: *key, Action: *action, Result: *result, Limit: *limit}
		if *cursor > 0 {
			query.Cursor = strconv.FormatInt(*cursor, 10)
		}
		switch *result {
		case "", store.ResultOK, store.ResultDenied, store.ResultError:
		default:
			return c.usagef("--result must be ok, denied or error")
		}
		if *limit < 1 || *limit > maxAuditLimit {
			return c.usagef("--limit must be between 1 and %d", maxAuditLimit)
		}
		if *cursor < 0 {
			return c.usagef("--cursor must be a cursor printed by a previous audit")
		}
		if *since != "" {
			t, err := parseSince(*since, time.Now())
			if err != nil {
				return c.usagef("--since: %v", err)
			}
			query.Since = t
		}
		cfg, err := a.loadConfig(c.config, "", c.data)
		if err != nil {
			return err
		}
		db, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(a.stderr, nil)))
		if err != nil {
			return err
		}
		defer db.Close()
		// The operator of the machine reads the log as an administrator,
		// through the reader the API and the dashboard use.
		events, err := audit.NewReader(db).List(ctx, apikey.CLIActor(a.osUser()), query)
		if err != nil {
			return fmt.Errorf("read the audit log: %w", err)
		}
		page := api.NewAuditPage(events)
		if c.json {
			return a.printJSON(page)
		}
		printAudit(a.stdout, page)
		return nil
	})
}

// printAudit shows a page of the audit log as an aligned table.
func printAudit(w io.Writer, page api.AuditPage) {
	if len(page.Events) == 0 {
		fmt.Fprintln(w, "No events.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tACTION\tRESULT\tKEY\tPRINCIPAL\tTARGET\tCLIENT\tDETAIL")
	for _, e := range page.Events {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			strconv.FormatInt(e.ID, 10), e.Time.UTC().Format(time.RFC3339), e.Action, e.Result,
			orDash(e.KeyID), orDash(e.Principal), orDash(e.Target), orDash(e.ClientAddr), orDash(e.Detail))
	}
	tw.Flush()
	if page.NextCursor != "" {
		fmt.Fprintf(w, "\nOlder events: skillgate audit --cursor %s\n", page.NextCursor)
	}
}
