package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
)

// Human output of the keys commands. Scripts use --json; this is for
// people, and may change.

// printCreated shows a new secret, once, on a line of its own so that it
// can be copied whole, and then the key.
func printCreated(w io.Writer, c apikey.Created, verb string) {
	fmt.Fprintf(w, "%s API key %s (%s). Its secret, shown only this once:\n\n    %s\n\n", verb, c.Key.ID, c.Key.Name, c.Secret)
	fmt.Fprint(w, "Store it now (a password manager or a secret store): skillgate keeps only its hash and cannot show it again.\n\n")
	printKey(w, c.Key)
}

// printKeyTable shows a page of keys as an aligned table.
func printKeyTable(w io.Writer, page apikey.Page, now time.Time) {
	if len(page.Keys) == 0 {
		fmt.Fprintln(w, "No keys.")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tOWNER\tSTATE\tROLES\tUSAGE\tRATE\tEXPIRES\tLAST USED")
	for _, k := range page.Keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			k.ID, k.Name, ownerOf(k), k.State, orDash(strings.Join(k.Roles, ",")),
			usageOf(k), rateOf(k), shortTime(k.ExpiresAt, "never"), shortTime(k.LastUsedAt, "never"))
	}
	tw.Flush()
	if page.NextCursor != "" {
		fmt.Fprintf(w, "\nMore keys: skillgate keys list --cursor %s\n", page.NextCursor)
	}
}

// printKey shows every field of a key and its secrets.
func printKey(w io.Writer, k apikey.View) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(name, value string) { fmt.Fprintf(tw, "%s:\t%s\n", name, value) }
	row("ID", k.ID)
	row("Name", k.Name)
	if k.Description != "" {
		row("Description", k.Description)
	}
	state := string(k.State)
	if !k.Enabled && k.State != "disabled" {
		state += " (and disabled)"
	}
	row("State", state)
	row("Owner", ownerOf(k))
	row("Teams", orDash(strings.Join(k.Teams, ", ")))
	row("Roles", orDash(strings.Join(k.Roles, ", ")))
	row("Scopes", listOr(k.Scopes, "whatever its roles allow", "none"))
	row("Claims", orDash(claimsOf(k.Claims)))
	created := longTime(&k.CreatedAt, "")
	if k.CreatedBy != "" {
		created += " by " + k.CreatedBy
	}
	row("Created", created)
	row("Expires", longTime(k.ExpiresAt, "never"))
	if k.RevokedAt != nil {
		row("Revoked", longTime(k.RevokedAt, ""))
	}
	row("Last used", longTime(k.LastUsedAt, "never"))
	row("Usage", fmt.Sprintf("%s executions this month (resets %s)", usageOf(k), k.UsageResetsAt.UTC().Format(time.DateOnly)))
	row("Rate limit", rateOf(k))
	row("Skills", listOr(k.AllowedSkillIDs, "all", "none"))
	if k.ParentID != "" {
		row("Parent", k.ParentID)
	}
	for i, s := range k.Secrets {
		label := ""
		if i == 0 {
			label = "Secrets:"
		}
		line := fmt.Sprintf("%s...  %s, issued %s", s.Prefix, s.State, longTime(&s.CreatedAt, ""))
		switch s.State {
		case "grace":
			line += ", works until " + longTime(s.ExpiresAt, "")
		case "expired":
			line += ", stopped " + longTime(s.ExpiresAt, "")
		}
		fmt.Fprintf(tw, "%s\t%s\n", label, line)
	}
	tw.Flush()
}

// printRevoked says what a revocation changed.
func printRevoked(w io.Writer, r apikey.Revoked) {
	switch len(r.Revoked) {
	case 0:
		fmt.Fprintf(w, "%s (%s) was already revoked; nothing changed.\n", r.Key.ID, r.Key.Name)
	case 1:
		fmt.Fprintf(w, "Revoked %s (%s).\n", r.Key.ID, r.Key.Name)
	default:
		fmt.Fprintf(w, "Revoked %s (%s) and the %d keys it minted: %s\n", r.Key.ID, r.Key.Name, len(r.Revoked)-1, strings.Join(r.Revoked, ", "))
	}
	if len(r.Revoked) > 0 {
		fmt.Fprintln(w, "Running servers on this database refuse it within a second.")
	}
}

func ownerOf(k apikey.View) string {
	switch {
	case k.User != "" && k.Org != "":
		return k.User + " (" + k.Org + ")"
	case k.User != "":
		return k.User
	}
	return orDash(k.Org)
}

func usageOf(k apikey.View) string {
	if k.MonthlyExecutionQuota == 0 {
		return fmt.Sprintf("%d/∞", k.CurrentMonthUsage)
	}
	return fmt.Sprintf("%d/%d", k.CurrentMonthUsage, k.MonthlyExecutionQuota)
}

func rateOf(k apikey.View) string {
	if k.RateLimitPerMinute == 0 {
		return "unlimited"
	}
	return fmt.Sprintf("%d/min", k.RateLimitPerMinute)
}

// list shows a list whose nil means something (all) and whose empty
// value means none.
func listOr(l []string, ifNil, ifEmpty string) string {
	switch {
	case l == nil:
		return ifNil
	case len(l) == 0:
		return ifEmpty
	}
	return strings.Join(l, ", ")
}

func claimsOf(m map[string]string) string {
	var parts []string
	for k, v := range m {
		parts = append(parts, k+"="+v)
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func shortTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func longTime(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
