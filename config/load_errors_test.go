package config

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// wantProblem is one problem a test expects Load to report.
type wantProblem struct {
	line  int
	field string
	msg   string // a part of the message
}

// keysDoc is an enabled api_keys block whose keys come from the given
// lines, each "- key: ..." item taking three lines from line 4 on.
func keysDoc(items ...string) string {
	return doc(append([]string{
		"auth:",
		"  api_keys:",
		"    enabled: true",
		"    keys:",
	}, items...)...)
}

func TestLoadProblems(t *testing.T) {
	e := env{"API_KEY_ADMIN": secretAdmin, "API_KEY_ANALYST": secretAnalyst, "SHORT": secretShort, "BLANK": "   ", "PADDED": " " + secretAdmin}
	tests := []struct {
		name string
		yaml string
		want []wantProblem
	}{
		{
			name: "yaml syntax error",
			yaml: doc("server:", "  addr: [unclosed", "storage:", "  driver: sqlite"),
			// yaml.v3 reports where the unclosed list starts.
			want: []wantProblem{{2, "", "invalid YAML: did not find expected ',' or ']'"}},
		},
		{
			name: "not a mapping",
			yaml: doc("- a", "- b"),
			want: []wantProblem{{1, "", "must be a mapping, got a list"}},
		},
		{
			name: "two documents",
			yaml: doc("server: {}", "---", "storage: {}"),
			want: []wantProblem{{2, "", "only one YAML document"}},
		},
		{
			name: "unknown top-level field",
			yaml: doc("server:", "  addr: 127.0.0.1:1", "sevrer:", "  addr: x"),
			want: []wantProblem{{3, "sevrer", "unknown field (known fields: auth, personas, server, skills, storage)"}},
		},
		{
			name: "unknown field in a key",
			yaml: keysDoc("      - key: ${API_KEY_ADMIN}", "        name: a", "        roles: [admin]", "        role: admin"),
			want: []wantProblem{{8, "auth.api_keys.keys[0].role", "unknown field"}},
		},
		{
			name: "unknown field in a persona",
			yaml: doc("personas:", "  definitions:", "    ops:", "      roles: [ops]", "      tool:", "        allow: ['*']"),
			want: []wantProblem{{5, "personas.definitions.ops.tool", "unknown field"}},
		},
		{
			name: "field set twice",
			yaml: doc("server:", "  addr: 127.0.0.1:1", "  addr: 127.0.0.1:2"),
			want: []wantProblem{{3, "server.addr", "set twice (first at line 2)"}},
		},
		{
			name: "string instead of list",
			yaml: keysDoc("      - key: ${API_KEY_ADMIN}", "        name: a", "        roles: admin"),
			want: []wantProblem{{7, "auth.api_keys.keys[0].roles", "must be a list, got a string"}},
		},
		{
			name: "string instead of integer",
			yaml: doc("personas:", "  definitions:", "    ops:", "      roles: [ops]", "      priority: high"),
			want: []wantProblem{{5, "personas.definitions.ops.priority", "must be an integer, got a string"}},
		},
		{
			name: "quoted number stays a string",
			yaml: doc("skills:", `  max_output_bytes: "${N:-5}"`),
			want: []wantProblem{{2, "skills.max_output_bytes", "must be an integer, got a string"}},
		},
		{
			name: "mapping instead of bool",
			yaml: doc("auth:", "  api_keys:", "    enabled: {yes: 1}"),
			want: []wantProblem{{3, "auth.api_keys.enabled", "must be true or false, got a mapping"}},
		},
		{
			name: "list instead of mapping",
			yaml: doc("storage: [sqlite]"),
			want: []wantProblem{{1, "storage", "must be a mapping, got a list"}},
		},
		{
			name: "non-string key",
			yaml: doc("server:", "  [a, b]: c"),
			want: []wantProblem{{2, "server", "a key must be a plain string"}},
		},
		{
			name: "unset variable",
			yaml: keysDoc("      - key: ${API_KEY_NOPE}", "        name: a", "        roles: [admin]"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].key", "environment variable API_KEY_NOPE is not set (set it, or write ${API_KEY_NOPE:-value})"}},
		},
		{
			name: "malformed reference",
			yaml: doc("storage:", "  data_dir: /srv/${DATA DIR}"),
			want: []wantProblem{{2, "storage.data_dir", "malformed reference"}},
		},
		{
			name: "empty key",
			yaml: keysDoc("      - key: ${BLANK}", "        name: a", "        roles: [admin]"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].key", "key is empty"}},
		},
		{
			name: "key left out",
			yaml: keysDoc("      - name: a", "        roles: [admin]"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].key", "key is empty"}},
		},
		{
			name: "key with whitespace",
			yaml: keysDoc("      - key: ${PADDED}", "        name: a", "        roles: [admin]"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].key", "whitespace"}},
		},
		{
			name: "short key",
			yaml: keysDoc("      - key: ${SHORT}", "        name: a", "        roles: [admin]"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].key", "too weak: shorter than 16 characters"}},
		},
		{
			name: "missing name",
			yaml: keysDoc("      - key: ${API_KEY_ADMIN}", "        roles: [admin]"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].name", "name is missing"}},
		},
		{
			name: "duplicate key",
			yaml: keysDoc(
				"      - key: ${API_KEY_ADMIN}", "        name: a", "        roles: [admin]",
				"      - key: ${API_KEY_ANALYST}", "        name: b", "        roles: [analyst]",
				"      - key: ${API_KEY_ADMIN}", "        name: c", "        roles: [viewer]"),
			want: []wantProblem{{11, "auth.api_keys.keys[2].key", "same key as auth.api_keys.keys[0].key (line 5)"}},
		},
		{
			name: "duplicate name",
			yaml: keysDoc(
				"      - key: ${API_KEY_ADMIN}", "        name: svc", "        roles: [admin]",
				"      - key: ${API_KEY_ANALYST}", "        name: svc", "        roles: [analyst]"),
			want: []wantProblem{{9, "auth.api_keys.keys[1].name", "same name as auth.api_keys.keys[0].name (line 6)"}},
		},
		{
			name: "empty roles",
			yaml: keysDoc("      - key: ${API_KEY_ADMIN}", "        name: a", "        roles: []"),
			want: []wantProblem{{7, "auth.api_keys.keys[0].roles", "roles is empty"}},
		},
		{
			name: "roles left out",
			yaml: keysDoc("      - key: ${API_KEY_ADMIN}", "        name: a"),
			want: []wantProblem{{5, "auth.api_keys.keys[0].roles", "roles is empty"}},
		},
		{
			name: "empty query key",
			yaml: doc("auth:", "  query_keys: [token, '']"),
			want: []wantProblem{{2, "auth.query_keys[1]", "parameter name is empty"}},
		},
		{
			name: "persona without roles",
			yaml: doc("personas:", "  definitions:", "    ops:", "      priority: 1"),
			want: []wantProblem{{3, "personas.definitions.ops.roles", "persona has no roles"}},
		},
		{
			name: "undefined default persona",
			yaml: doc("personas:", "  default_persona: guest", "  definitions:", "    ops:", "      roles: [ops]"),
			want: []wantProblem{{2, "personas.default_persona", "names no defined persona (defined: ops)"}},
		},
		{
			name: "undefined default persona among the built-in ones",
			yaml: doc("personas:", "  default_persona: guest"),
			want: []wantProblem{{2, "personas.default_persona", "(defined: admin, analyst, viewer)"}},
		},
		{
			name: "empty glob",
			yaml: doc("personas:", "  definitions:", "    ops:", "      roles: [ops]", "      tools:", "        allow:", "          - read_*", "          - ' '"),
			want: []wantProblem{{8, "personas.definitions.ops.tools.allow[1]", "glob pattern is empty"}},
		},
		{
			name: "invalid glob",
			yaml: doc("personas:", "  definitions:", "    ops:", "      roles: [ops]", "      skills:", "        deny: ['[a-']"),
			want: []wantProblem{{6, "personas.definitions.ops.skills.deny[0]", "not a valid glob pattern"}},
		},
		{
			name: "unknown driver",
			yaml: doc("storage:", "  driver: mysql"),
			want: []wantProblem{{2, "storage.driver", `unknown driver; use "sqlite" or "postgres"`}},
		},
		{
			name: "postgres without dsn",
			yaml: doc("storage:", "  driver: postgres"),
			want: []wantProblem{{1, "storage.dsn", `is required with driver "postgres"`}},
		},
		{
			name: "dsn with sqlite",
			yaml: doc("storage:", "  driver: sqlite", "  dsn: postgres://x@127.0.0.1/x"),
			want: []wantProblem{{3, "storage.dsn", `is for driver "postgres"`}},
		},
		{
			name: "negative max conns",
			yaml: doc("storage:", "  driver: postgres", "  dsn: postgres://x@127.0.0.1/x", "  max_conns: -1"),
			want: []wantProblem{{4, "storage.max_conns", "must not be negative"}},
		},
		{
			name: "unknown session mode",
			yaml: doc("server:", "  sessions: sticky"),
			want: []wantProblem{{2, "server.sessions", `must be "stateful"`}},
		},
		{
			name: "unknown access log level",
			yaml: doc("server:", "  addr: 127.0.0.1:8080", "  access_log: errors"),
			want: []wantProblem{{3, "server.access_log", `must be "all"`}},
		},
		{
			name: "negative duration",
			yaml: doc("server:", "  session_idle_ttl: -1m"),
			want: []wantProblem{{2, "server.session_idle_ttl", "must not be negative"}},
		},
		{
			name: "duration without unit",
			yaml: doc("skills:", "  script_timeout: 30"),
			want: []wantProblem{{2, "skills.script_timeout", "needs a unit"}},
		},
		{
			name: "negative size",
			yaml: doc("skills:", "  max_output_bytes: -1"),
			want: []wantProblem{{2, "skills.max_output_bytes", "must not be negative"}},
		},
		{
			name: "addr without port",
			yaml: doc("server:", "  addr: localhost"),
			want: []wantProblem{{2, "server.addr", "must be host:port"}},
		},
		{
			name: "addr with bad port",
			yaml: doc("server:", "  addr: localhost:http"),
			want: []wantProblem{{2, "server.addr", "must be host:port"}},
		},
		{
			name: "public url with trailing slash",
			yaml: doc("server:", "  public_url: https://skills.example.com/"),
			want: []wantProblem{{2, "server.public_url", "no trailing slash"}},
		},
		{
			name: "public url with path",
			yaml: doc("server:", "  public_url: https://example.com/skills"),
			want: []wantProblem{{2, "server.public_url", "no path"}},
		},
		{
			name: "public url with query",
			yaml: doc("server:", "  public_url: https://example.com?x=1"),
			want: []wantProblem{{2, "server.public_url", "no query"}},
		},
		{
			name: "public url not http",
			yaml: doc("server:", "  public_url: ftp://example.com"),
			want: []wantProblem{{2, "server.public_url", "scheme must be http or https"}},
		},
		{
			name: "public url relative",
			yaml: doc("server:", "  public_url: example.com"),
			want: []wantProblem{{2, "server.public_url", "scheme must be http or https"}},
		},
		{
			name: "public url with user",
			yaml: doc("server:", "  public_url: https://u:${API_KEY_ADMIN}@example.com"),
			want: []wantProblem{{2, "server.public_url", "no user or password"}},
		},
		{
			// A wrong type is reported once, not again as "roles is empty".
			name: "every problem reported together",
			yaml: doc(
				"server:",
				"  addr: nowhere",
				"storage:",
				"  driver: mysql",
				"  dir: x",
				"auth:",
				"  api_keys:",
				"    enabled: true",
				"    keys:",
				"      - key: ${SHORT}",
				"        name: a",
				"        roles: admin",
				"      - key: ${UNSET}",
				"        roles: [admin]",
				"skills:",
				"  script_timeout: 5"),
			want: []wantProblem{
				{2, "server.addr", "must be host:port"},
				{4, "storage.driver", "unknown driver"},
				{5, "storage.dir", "unknown field"},
				{10, "auth.api_keys.keys[0].key", "too weak"},
				{12, "auth.api_keys.keys[0].roles", "must be a list"},
				{13, "auth.api_keys.keys[1].key", "UNSET is not set"},
				{13, "auth.api_keys.keys[1].name", "name is missing"},
				{16, "skills.script_timeout", "needs a unit"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeConfig(t, tc.yaml)
			c, err := Load(path, e.lookup)
			if err == nil {
				t.Fatalf("Load returned %+v and no error, want %d problems", c, len(tc.want))
			}
			assertNoSecrets(t, err.Error())
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T is not Problems: %v", err, err)
			}
			if len(ps) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%v", len(ps), len(tc.want), err)
			}
			for _, w := range tc.want {
				prefix := fmt.Sprintf("%s:%d: ", path, w.line)
				if w.field != "" {
					prefix += w.field + ": "
				}
				if !hasLine(err.Error(), prefix, w.msg) {
					t.Errorf("no problem %q...%q in:\n%v", prefix, w.msg, err)
				}
			}
		})
	}
}

// hasLine reports whether text has a line starting with prefix that
// contains msg.
func hasLine(text, prefix, msg string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) && strings.Contains(line, msg) {
			return true
		}
	}
	return false
}

// A secret may end up in any field by mistake; no message may echo it.
func TestLoadProblemsNeverShowValues(t *testing.T) {
	e := env{"S": secretAdmin}
	fields := []string{
		"server:\n  addr: ${S}",
		"server:\n  public_url: ${S}",
		"server:\n  public_url: https://${S}.example.com/",
		"server:\n  session_idle_ttl: ${S}",
		"storage:\n  driver: ${S}",
		"personas:\n  default_persona: ${S}",
		"personas:\n  definitions:\n    x:\n      roles: [x]\n      priority: ${S}",
		"personas:\n  definitions:\n    x:\n      roles: [x]\n      tools: {allow: ['[${S}']}",
		"skills:\n  max_output_bytes: ${S}",
		"auth:\n  api_keys:\n    enabled: ${S}",
		"auth:\n  api_keys:\n    enabled: true\n    keys: [{key: '${S}', name: a, roles: [a]}, {key: '${S}', name: b, roles: [b]}]",
		"auth:\n  api_keys:\n    enabled: true\n    keys: [{key: !!int '${S}', name: a, roles: [a]}]",
		"auth:\n  api_keys:\n    enabled: true\n    keys: [{key: ' ${S}', name: a, roles: [a]}]",
		"auth:\n  api_keys:\n    enabled: true\n    keys: [{key: [${S}], name: a, roles: [a]}]",
	}
	for i, text := range fields {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, err := Load(writeConfig(t, text), e.lookup)
			if err == nil {
				t.Fatalf("Load(%q) succeeded, want an error", text)
			}
			assertNoSecrets(t, err.Error())
		})
	}
}
