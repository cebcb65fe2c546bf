package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

var managedKey = regexp.MustCompile(`sk_live_[A-Za-z0-9_-]{48}`)

const keysTestConfig = `
personas:
  definitions:
    admin:
      roles: [admin]
      priority: 100
      tools: {allow: ["*"]}
      skills: {allow: ["*"]}
      scopes: [admin]
    dev:
      roles: [dev]
      priority: 50
      tools: {allow: ["*"]}
      skills: {allow: ["*"]}
      scopes: [skills:read, skills:execute, "keys:*"]
`

// cliResult is what one in-process run of the command printed and
// returned.
type cliRun struct {
	stdout, stderr string
	err            error
}

// keysCLI runs the command in process on one data directory and config.
type keysCLI struct {
	dataDir, config string
}

func newKeysCLI(t *testing.T) *keysCLI {
	t.Helper()
	return &keysCLI{dataDir: t.TempDir(), config: writeProcessConfig(t)}
}

// run runs skillgate with args, then --config and --data, reading stdin.
func (k *keysCLI) run(stdin string, args ...string) cliRun {
	var out, errOut bytes.Buffer
	a := &app{
		stdin: strings.NewReader(stdin), stdout: &out, stderr: &errOut,
		lookupEnv: func(string) (string, bool) { return "", false },
	}
	err := a.run(context.Background(), append(args, "--config", k.config, "--data", k.dataDir))
	return cliRun{stdout: out.String(), stderr: errOut.String(), err: err}
}

// ok runs a command that must succeed and returns its standard output.
func (k *keysCLI) ok(t *testing.T, args ...string) string {
	t.Helper()
	r := k.run("", args...)
	if r.err != nil {
		t.Fatalf("skillgate %s: %v\n%s", strings.Join(args, " "), r.err, r.stderr)
	}
	return r.stdout
}

// json runs a command with --json and decodes its output into v.
func (k *keysCLI) json(t *testing.T, v any, args ...string) {
	t.Helper()
	out := k.ok(t, append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("skillgate %s --json: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestKeysCreateJSONRoundTrip(t *testing.T) {
	k := newKeysCLI(t)
	var c apikey.Created
	k.json(t, &c, "keys", "create", "--name", "ci", "--description", "for CI", "--user", "alice", "--org", "acme",
		"--team", "platform,data", "--team", "ops", "--role", "dev", "--scope", "keys:read", "--scope", "skills:read",
		"--claim", "env=ci", "--claim", "tier=gold", "--expires", "30d", "--quota", "100", "--rate", "60",
		"--skill", "shared/lint", "--skill", "shared/test")
	if !strings.HasPrefix(c.Secret, apikey.DefaultPrefix) || c.Key.ID == "" {
		t.Fatalf("created %+v", c)
	}
	var v apikey.View
	k.json(t, &v, "keys", "show", c.Key.ID)
	// The store keeps microseconds; the creation's answer has the
	// clock's nanoseconds.
	want := c.Key
	want.CreatedAt = want.CreatedAt.Truncate(time.Microsecond)
	want.ExpiresAt = new(want.ExpiresAt.Truncate(time.Microsecond))
	want.Secrets[0].CreatedAt = want.Secrets[0].CreatedAt.Truncate(time.Microsecond)
	got, _ := json.Marshal(v)
	wantJSON, _ := json.Marshal(want)
	if !bytes.Equal(got, wantJSON) {
		t.Errorf("show = %s\nwant %s", got, wantJSON)
	}
	switch {
	case !slices.Equal(v.Teams, []string{"platform", "data", "ops"}):
		t.Errorf("teams = %v", v.Teams)
	case !slices.Equal(v.Scopes, []string{"keys:read", "skills:read"}):
		t.Errorf("scopes = %v", v.Scopes)
	case v.Claims["env"] != "ci" || v.Claims["tier"] != "gold":
		t.Errorf("claims = %v", v.Claims)
	case v.ExpiresAt == nil || time.Until(*v.ExpiresAt) < 29*24*time.Hour:
		t.Errorf("expires_at = %v, want in 30 days", v.ExpiresAt)
	case v.MonthlyExecutionQuota != 100 || v.RateLimitPerMinute != 60:
		t.Errorf("quota, rate = %d, %d", v.MonthlyExecutionQuota, v.RateLimitPerMinute)
	case !slices.Equal(v.AllowedSkillIDs, []string{"shared/lint", "shared/test"}):
		t.Errorf("skills = %v", v.AllowedSkillIDs)
	case !strings.HasPrefix(v.CreatedBy, "cli:"):
		t.Errorf("created_by = %q, want cli:<user>", v.CreatedBy)
	}

	var page apikey.Page
	k.json(t, &page, "keys", "list", "--user", "alice")
	if len(page.Keys) != 1 || page.Keys[0].ID != c.Key.ID {
		t.Errorf("list = %+v", page.Keys)
	}
}

func TestKeysCreateSkillLists(t *testing.T) {
	k := newKeysCLI(t)
	tests := []struct {
		name string
		args []string
		want []string // nil: every skill
	}{
		{"default is every skill", nil, nil},
		{"some skills", []string{"--skill", "a,b"}, []string{"a", "b"}},
		{"no skills", []string{"--no-skills"}, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c apikey.Created
			k.json(t, &c, append([]string{"keys", "create", "--name", "k", "--user", "u", "--role", "dev"}, tc.args...)...)
			if got := c.Key.AllowedSkillIDs; (got == nil) != (tc.want == nil) || !slices.Equal(got, tc.want) {
				t.Errorf("allowed_skill_ids = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestKeysHumanOutput(t *testing.T) {
	k := newKeysCLI(t)
	out := k.ok(t, "keys", "create", "--name", "first", "--user", "alice", "--role", "dev", "--quota", "10")
	secret := managedKey.FindString(out)
	if secret == "" || !strings.Contains(out, "\n    "+secret+"\n") {
		t.Fatalf("the secret is not on a line of its own:\n%s", out)
	}
	if !strings.Contains(out, "shown only this once") {
		t.Errorf("no warning that the secret is shown once:\n%s", out)
	}
	var page apikey.Page
	k.json(t, &page, "keys", "list")
	id := page.Keys[0].ID

	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"list", []string{"keys", "list"}, []string{"ID", "NAME", "OWNER", "STATE", "ROLES", "USAGE", "RATE", "EXPIRES", "LAST USED", id, "first", "alice", "active", "0/10", "unlimited", "never"}},
		{"show", []string{"keys", "show", id}, []string{"ID:", id, "Owner:", "alice", "Usage:", "0/10", "Skills:", "all", "Secrets:", "current"}},
		{"update", []string{"keys", "update", id, "--name", "renamed", "--rate", "5"}, []string{"Updated " + id, "renamed", "5/min"}},
		{"rotate", []string{"keys", "rotate", id, "--grace", "1h"}, []string{"Rotated", "shown only this once", "grace, issued", "works until"}},
		{"revoke", []string{"keys", "revoke", id}, []string{"Revoked " + id}},
		{"revoke again", []string{"keys", "revoke", id}, []string{"already revoked; nothing changed"}},
		{"list by state", []string{"keys", "list", "--state", "revoked"}, []string{id, "revoked"}},
		{"list nothing", []string{"keys", "list", "--state", "expired"}, []string{"No keys."}},
		{"help", []string{"keys", "help"}, []string{"create", "rotate", "--stdin"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := k.ok(t, tc.args...)
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
			if tc.name != "rotate" && strings.Contains(out, secret) {
				t.Error("the output repeats the secret")
			}
		})
	}
}

func TestKeysListPages(t *testing.T) {
	k := newKeysCLI(t)
	for range 5 {
		k.ok(t, "keys", "create", "--name", "k", "--user", "alice", "--role", "dev")
	}
	var seen []string
	cursor := ""
	for range 5 {
		args := []string{"keys", "list", "--limit", "2"}
		if cursor != "" {
			args = append(args, "--cursor", cursor)
		}
		var page apikey.Page
		k.json(t, &page, args...)
		for _, v := range page.Keys {
			seen = append(seen, v.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != 5 {
		t.Errorf("pages listed %d distinct keys, want 5", len(seen))
	}
	if out := k.ok(t, "keys", "list", "--limit", "2"); !strings.Contains(out, "skillgate keys list --cursor ") {
		t.Errorf("the table does not say how to get the next page:\n%s", out)
	}
}

func TestKeysUpdate(t *testing.T) {
	k := newKeysCLI(t)
	var c apikey.Created
	k.json(t, &c, "keys", "create", "--name", "k", "--description", "d", "--user", "alice", "--role", "dev",
		"--skill", "a", "--claim", "x=1", "--expires", "10d", "--quota", "7")
	id := c.Key.ID
	tests := []struct {
		name  string
		args  []string
		check func(v apikey.View) bool
	}{
		{"name only", []string{"--name", "n2"}, func(v apikey.View) bool {
			// Flags left out keep their values, not their flag defaults.
			return v.Name == "n2" && v.Description == "d" && v.MonthlyExecutionQuota == 7 && v.ExpiresAt != nil &&
				slices.Equal(v.AllowedSkillIDs, []string{"a"}) && v.Claims["x"] == "1"
		}},
		{"skills replace", []string{"--skill", "b,c"}, func(v apikey.View) bool { return slices.Equal(v.AllowedSkillIDs, []string{"b", "c"}) }},
		{"no skills", []string{"--no-skills"}, func(v apikey.View) bool { return v.AllowedSkillIDs != nil && len(v.AllowedSkillIDs) == 0 }},
		{"all skills", []string{"--all-skills"}, func(v apikey.View) bool { return v.AllowedSkillIDs == nil }},
		{"never expires", []string{"--expires", "never"}, func(v apikey.View) bool { return v.ExpiresAt == nil }},
		{"expires at a time", []string{"--expires", "2099-01-02T03:04:05Z"}, func(v apikey.View) bool {
			return v.ExpiresAt != nil && v.ExpiresAt.Equal(time.Date(2099, 1, 2, 3, 4, 5, 0, time.UTC))
		}},
		{"disable", []string{"--disable"}, func(v apikey.View) bool { return !v.Enabled && v.State == store.StateDisabled }},
		{"enable", []string{"--enable"}, func(v apikey.View) bool { return v.Enabled && v.State == store.StateActive }},
		{"limits to zero", []string{"--quota", "0", "--rate", "0"}, func(v apikey.View) bool {
			return v.MonthlyExecutionQuota == 0 && v.RateLimitPerMinute == 0
		}},
		{"claims replace", []string{"--claim", "y=2,z=3"}, func(v apikey.View) bool { return len(v.Claims) == 2 && v.Claims["y"] == "2" && v.Claims["z"] == "3" }},
		{"a claim value with a comma", []string{"--claim", "list=a,b"}, func(v apikey.View) bool { return len(v.Claims) == 1 && v.Claims["list"] == "a,b" }},
		{"claims cleared", []string{"--claim", ""}, func(v apikey.View) bool { return len(v.Claims) == 0 }},
		{"description", []string{"--description", ""}, func(v apikey.View) bool { return v.Description == "" && v.Name == "n2" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v apikey.View
			k.json(t, &v, append([]string{"keys", "update", id}, tc.args...)...)
			if !tc.check(v) {
				t.Errorf("after %v: %+v", tc.args, v)
			}
		})
	}
}

func TestKeysRevokeStdin(t *testing.T) {
	k := newKeysCLI(t)
	var parent, child apikey.Created
	k.json(t, &parent, "keys", "create", "--name", "p", "--user", "alice", "--role", "dev")
	k.json(t, &child, "keys", "create", "--name", "c", "--parent", parent.Key.ID)

	r := k.run(parent.Secret+"\n", "keys", "revoke", "--stdin", "--json")
	if r.err != nil {
		t.Fatalf("revoke --stdin: %v\n%s", r.err, r.stderr)
	}
	var rev apikey.Revoked
	if err := json.Unmarshal([]byte(r.stdout), &rev); err != nil {
		t.Fatal(err)
	}
	slices.Sort(rev.Revoked)
	if want := slices.Sorted(slices.Values([]string{parent.Key.ID, child.Key.ID})); rev.Key.ID != parent.Key.ID || !slices.Equal(rev.Revoked, want) {
		t.Errorf("revoked %s: %v, want %v", rev.Key.ID, rev.Revoked, want)
	}
	if strings.Contains(r.stdout+r.stderr, parent.Secret) {
		t.Error("revoke --stdin repeats the secret")
	}

	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantUsage bool
		wantInErr string
	}{
		{"nothing on stdin", "", []string{"--stdin"}, true, "no key on standard input"},
		{"a secret as an argument", "", []string{child.Secret}, true, "--stdin"},
		{"both", parent.Secret, []string{"--stdin", parent.Key.ID}, true, "not both"},
		{"not a key", "hunter2\n", []string{"--stdin"}, false, "not a skillgate API key"},
		{"unknown key", apikey.Generate(apikey.DefaultPrefix), []string{"--stdin"}, false, "No API key has this secret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := k.run(tc.stdin, append([]string{"keys", "revoke"}, tc.args...)...)
			if r.err == nil {
				t.Fatal("accepted")
			}
			if errors.Is(r.err, errUsage) != tc.wantUsage {
				t.Errorf("usage error = %v, want %v (%v)", !tc.wantUsage, tc.wantUsage, r.err)
			}
			if !strings.Contains(r.err.Error(), tc.wantInErr) {
				t.Errorf("error %q does not mention %q", r.err, tc.wantInErr)
			}
			for _, s := range []string{parent.Secret, child.Secret, tc.stdin} {
				if s != "" && strings.Contains(r.err.Error()+r.stdout+r.stderr, strings.TrimSpace(s)) {
					t.Error("the error repeats the secret")
				}
			}
		})
	}
}

func TestKeysCommandLineErrors(t *testing.T) {
	k := newKeysCLI(t)
	var c apikey.Created
	k.json(t, &c, "keys", "create", "--name", "k", "--user", "alice", "--role", "dev")
	id := c.Key.ID
	tests := []struct {
		name      string
		args      []string
		wantInErr string
	}{
		{"no keys command", []string{"keys"}, "no command"},
		{"unknown keys command", []string{"keys", "delete"}, `"delete"`},
		{"unknown flag", []string{"keys", "list", "--owner", "x"}, "owner"},
		{"create without name", []string{"keys", "create", "--user", "a"}, "--name"},
		{"create with a bad expiry", []string{"keys", "create", "--name", "x", "--expires", "soon"}, "--expires"},
		{"create with a past duration", []string{"keys", "create", "--name", "x", "--expires", "-1h"}, "--expires"},
		{"create with skills and no skills", []string{"keys", "create", "--name", "x", "--skill", "a", "--no-skills"}, "--no-skills"},
		{"create with a bad claim", []string{"keys", "create", "--name", "x", "--claim", "novalue"}, "claim"},
		{"create with a bad quota", []string{"keys", "create", "--name", "x", "--quota", "lots"}, "quota"},
		{"create with a secret as parent", []string{"keys", "create", "--name", "x", "--parent", "sk_live_x"}, "--parent must be a key id"},
		{"create with an argument", []string{"keys", "create", "--name", "x", "extra"}, "unexpected argument"},
		{"show without id", []string{"keys", "show"}, "key id"},
		{"show with two ids", []string{"keys", "show", id, id}, "one key id"},
		{"show a non-id", []string{"keys", "show", "alice"}, "not a key id"},
		{"list with a bad state", []string{"keys", "list", "--state", "gone"}, "--state"},
		{"list with a bad limit", []string{"keys", "list", "--limit", "0"}, "--limit"},
		{"update nothing", []string{"keys", "update", id}, "nothing to change"},
		{"update enable and disable", []string{"keys", "update", id, "--enable", "--disable"}, "--disable"},
		{"update two skill flags", []string{"keys", "update", id, "--all-skills", "--no-skills"}, "--no-skills"},
		{"update with a bad expiry", []string{"keys", "update", id, "--expires", "later"}, "--expires"},
		{"rotate with a bad grace", []string{"keys", "rotate", id, "--grace", "a week"}, "--grace"},
		{"revoke without id", []string{"keys", "revoke"}, "key id"},
		{"audit with a bad result", []string{"audit", "--result", "fine"}, "--result"},
		{"audit with a bad since", []string{"audit", "--since", "yesterday"}, "--since"},
		{"audit with a bad limit", []string{"audit", "--limit", "1000"}, "--limit"},
		{"audit with an argument", []string{"audit", "now"}, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := k.run("", tc.args...)
			if !errors.Is(r.err, errUsage) {
				t.Fatalf("error = %v, want a usage error", r.err)
			}
			if !strings.Contains(r.err.Error(), tc.wantInErr) {
				t.Errorf("error %q does not mention %q", r.err, tc.wantInErr)
			}
			if len(tc.args) < 2 {
				return
			}
			// With --json the error is also a JSON object on stdout.
			r = k.run("", append(tc.args, "--json")...)
			var e struct{ Error, Message, Hint string }
			if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Error != "usage" || !strings.Contains(e.Message, tc.wantInErr) || e.Hint == "" {
				t.Errorf("--json error output = %q (%v)", r.stdout, err)
			}
		})
	}
}

func TestKeysRefusedOperations(t *testing.T) {
	k := newKeysCLI(t)
	var c apikey.Created
	k.json(t, &c, "keys", "create", "--name", "k", "--user", "alice", "--role", "dev")
	k.ok(t, "keys", "revoke", c.Key.ID)
	tests := []struct {
		name     string
		args     []string
		wantCode string
		wantMsg  string
	}{
		{"unknown key", []string{"keys", "show", "key_doesnotexist"}, "not_found", "not found"},
		{"rotate a revoked key", []string{"keys", "rotate", c.Key.ID}, "conflict", "revoked"},
		{"update a revoked key", []string{"keys", "update", c.Key.ID, "--name", "x"}, "conflict", "revoked"},
		{"root key without owner", []string{"keys", "create", "--name", "x", "--role", "dev"}, "invalid_request", "owner"},
		{"unknown scope", []string{"keys", "create", "--name", "x", "--user", "a", "--role", "dev", "--scope", "keys:delete"}, "invalid_request", "unknown scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := k.run("", tc.args...)
			if r.err == nil || errors.Is(r.err, errUsage) {
				t.Fatalf("error = %v, want a refused operation (exit status 1)", r.err)
			}
			if !strings.Contains(r.err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not mention %q", r.err, tc.wantMsg)
			}
			r = k.run("", append(tc.args, "--json")...)
			var e struct{ Error, Message, Hint string }
			if err := json.Unmarshal([]byte(r.stdout), &e); err != nil || e.Error != tc.wantCode || !strings.Contains(e.Message, tc.wantMsg) {
				t.Errorf("--json error output = %q (%v), want code %s", r.stdout, err, tc.wantCode)
			}
		})
	}
	// The hint of a refusal is printed with it.
	if r := k.run("", "keys", "show", "key_doesnotexist"); r.err == nil || !strings.Contains(r.err.Error(), "hint: ") {
		t.Errorf("error %v has no hint", r.err)
	}
}

// The database keeps hashes only: no plain key reaches the file or its
// write-ahead log.
func TestKeysDatabaseHoldsNoPlainKey(t *testing.T) {
	k := newKeysCLI(t)
	// Hold the database open, as a running server would, so that the
	// commands' writes stay in the WAL instead of being checkpointed and
	// the WAL deleted when they exit: both files are checked.
	openTestDB(t, k.dataDir)
	var created, rotated, child apikey.Created
	k.json(t, &created, "keys", "create", "--name", "k", "--user", "alice", "--role", "dev")
	k.json(t, &rotated, "keys", "rotate", created.Key.ID, "--grace", "1h")
	k.json(t, &child, "keys", "create", "--name", "c", "--parent", created.Key.ID)
	for _, name := range []string{databaseFile, databaseFile + "-wal"} {
		b, err := os.ReadFile(filepath.Join(k.dataDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) == 0 {
			t.Errorf("%s is empty: nothing was checked", name)
		}
		for _, s := range []string{created.Secret, rotated.Secret, child.Secret} {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains a plain key", name)
			}
		}
	}
}
