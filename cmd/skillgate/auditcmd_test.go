package main

import (
	"strings"
	"testing"

	"github.com/skillgate/skillgate/api"
	"github.com/skillgate/skillgate/auth/apikey"
)

func TestAuditCommand(t *testing.T) {
	k := newKeysCLI(t)
	var a, b apikey.Created
	k.json(t, &a, "keys", "create", "--name", "a", "--user", "alice", "--role", "dev")
	k.json(t, &b, "keys", "create", "--name", "b", "--user", "bob", "--role", "dev")
	k.ok(t, "keys", "revoke", a.Key.ID)
	k.run("", "keys", "rotate", a.Key.ID) // refused: revoked

	actions := func(p api.AuditPage) string {
		var out []string
		for _, e := range p.Events {
			out = append(out, e.Action+"/"+e.Result)
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"everything, newest first", nil, "key.rotate/denied key.revoke/ok key.create/ok key.create/ok"},
		{"by key", []string{"--key", a.Key.ID}, "key.rotate/denied key.revoke/ok key.create/ok"},
		{"by action", []string{"--action", "key.create"}, "key.create/ok key.create/ok"},
		{"by result", []string{"--result", "denied"}, "key.rotate/denied"},
		{"since a duration ago", []string{"--since", "1h"}, "key.rotate/denied key.revoke/ok key.create/ok key.create/ok"},
		{"since a time", []string{"--since", "2999-01-01T00:00:00Z"}, ""},
		{"a page", []string{"--limit", "1"}, "key.rotate/denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var page api.AuditPage
			k.json(t, &page, append([]string{"audit"}, tc.args...)...)
			if got := actions(page); got != tc.want {
				t.Errorf("events = %q, want %q", got, tc.want)
			}
		})
	}

	var all api.AuditPage
	k.json(t, &all, "audit")
	if e := all.Events[1]; e.KeyID != a.Key.ID || !strings.HasPrefix(e.Principal, "cli:") {
		t.Errorf("revocation event = %+v", e)
	}
	var first api.AuditPage
	k.json(t, &first, "audit", "--limit", "3")
	var rest api.AuditPage
	k.json(t, &rest, "audit", "--limit", "3", "--cursor", first.NextCursor)
	if first.NextCursor == "" || len(rest.Events) != 1 || rest.Events[0].ID != all.Events[3].ID {
		t.Errorf("second page = %+v after cursor %q", rest, first.NextCursor)
	}

	out := k.ok(t, "audit")
	for _, want := range []string{"ACTION", "RESULT", "key.revoke", a.Key.ID, "cli:"} {
		if !strings.Contains(out, want) {
			t.Errorf("audit output lacks %q:\n%s", want, out)
		}
	}
	for _, s := range []string{a.Secret, b.Secret} {
		if strings.Contains(out, s) {
			t.Error("the audit log shows a secret")
		}
	}
}
