package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	e := env{"API_KEY_ADMIN": secretAdmin, "PRIO": "7", "MULTI": "x\nroles: [admin]\n- y", "EMPTY": ""}
	tests := []struct {
		name  string
		yaml  string
		check func(t *testing.T, c *Config)
	}{
		{
			name: "empty file gives the defaults",
			yaml: "",
			check: func(t *testing.T, c *Config) {
				if !reflect.DeepEqual(c, Default()) {
					t.Errorf("got %+v, want Default() %+v", c, Default())
				}
			},
		},
		{
			name: "comments only gives the defaults",
			yaml: doc("# nothing here", "# at all"),
			check: func(t *testing.T, c *Config) {
				if !reflect.DeepEqual(c, Default()) {
					t.Errorf("got %+v, want Default()", c)
				}
			},
		},
		{
			name: "interpolated plain scalar becomes an integer",
			yaml: doc("personas:", "  definitions:", "    ops:", "      roles: [ops]", "      priority: ${PRIO:-5}", "    dev:", "      roles: [dev]", "      priority: ${NOPE:-5}"),
			check: func(t *testing.T, c *Config) {
				if got := c.Personas.Definitions["ops"].Priority; got != 7 {
					t.Errorf("ops priority %d, want 7", got)
				}
				if got := c.Personas.Definitions["dev"].Priority; got != 5 {
					t.Errorf("dev priority %d, want 5", got)
				}
			},
		},
		{
			name: "oidc providers with claim mapping",
			yaml: doc("auth:", "  oidc:", "    providers:",
				"      - issuer: https://keycloak.example.com/realms/acme",
				"        audience: skillgate",
				"        claims: {roles: resource_access.skillgate.roles, teams: groups}",
				"        role_map:", "          skill-admins: [admin]", "          skill-users: [analyst, viewer]",
				"        clock_skew: 30s",
				"      - issuer: https://acme.okta.com/oauth2/default",
				"        audience: api://skillgate"),
			check: func(t *testing.T, c *Config) {
				ps := c.Auth.OIDC.Providers
				if len(ps) != 2 {
					t.Fatalf("%d providers, want 2", len(ps))
				}
				if got := ps[0].Claims.Roles; got != "resource_access.skillgate.roles" {
					t.Errorf("claims.roles %q", got)
				}
				if got := ps[0].RoleMap["skill-users"]; !reflect.DeepEqual(got, []string{"analyst", "viewer"}) {
					t.Errorf("role_map[skill-users] = %v", got)
				}
				if got := ps[0].ClockSkew.Std(); got != 30*time.Second {
					t.Errorf("clock_skew %v, want 30s", got)
				}
				if got := ps[1].ClockSkew.Std(); got != DefaultClockSkew {
					t.Errorf("default clock_skew %v, want %v", got, DefaultClockSkew)
				}
			},
		},
		{
			name: "interpolated durations and sizes",
			yaml: doc("skills:", "  script_timeout: ${T:-2m}", "  max_output_bytes: ${PRIO}000"),
			check: func(t *testing.T, c *Config) {
				if got := c.Skills.ScriptTimeout.Std(); got != 2*time.Minute {
					t.Errorf("script_timeout %v, want 2m", got)
				}
				if got := c.Skills.MaxOutputBytes; got != 7000 {
					t.Errorf("max_output_bytes %d, want 7000", got)
				}
			},
		},
		{
			// Interpolation happens after parsing, so a value holding
			// newlines and YAML syntax stays one string.
			name: "values cannot change the structure",
			yaml: doc("auth:", "  api_keys:", "    enabled: true", "    keys:", "      - key: ${API_KEY_ADMIN}", "        name: ${MULTI}", "        roles: [viewer]"),
			check: func(t *testing.T, c *Config) {
				k := c.Auth.APIKeys.Keys[0]
				if k.Name != e["MULTI"] || !reflect.DeepEqual(k.Roles, []string{"viewer"}) {
					t.Errorf("got name %q roles %v", k.Name, k.Roles)
				}
			},
		},
		{
			name: "dollar escape and text around references",
			yaml: doc("storage:", "  data_dir: /srv/$${HOME}/${EMPTY:-x}data-${PRIO}"),
			check: func(t *testing.T, c *Config) {
				if got, want := c.Storage.DataDir, "/srv/${HOME}/data-7"; got != want {
					t.Errorf("data_dir %q, want %q", got, want)
				}
			},
		},
		{
			name: "keys are used and user defaults to name",
			yaml: doc("auth:", "  api_keys:", "    enabled: true", "    keys:", "      - key: ${API_KEY_ADMIN}", "        name: ci", "        roles: [admin]", "        scopes: [skills:read]", "        teams: [data]"),
			check: func(t *testing.T, c *Config) {
				want := StaticKey{Key: secretAdmin, Name: "ci", Roles: []string{"admin"}, Scopes: []string{"skills:read"}, User: "ci", Teams: []string{"data"}}
				if got := c.Auth.APIKeys.Keys; len(got) != 1 || !reflect.DeepEqual(got[0], want) {
					t.Errorf("keys %+v, want [%+v]", got, want)
				}
			},
		},
		{
			name: "disabled keys are not checked",
			yaml: doc("auth:", "  api_keys:", "    enabled: false", "    keys:", "      - key: short", "      - key: short"),
			check: func(t *testing.T, c *Config) {
				if c.Auth.APIKeys.Enabled {
					t.Error("api_keys enabled, want disabled")
				}
			},
		},
		{
			name: "empty query_keys stays empty",
			yaml: doc("auth:", "  query_keys: []"),
			check: func(t *testing.T, c *Config) {
				if c.Auth.QueryKeys == nil || len(*c.Auth.QueryKeys) != 0 {
					t.Errorf("query_keys %v, want a non-nil empty list", c.Auth.QueryKeys)
				}
			},
		},
		{
			name: "defining a persona replaces the built-in ones",
			yaml: doc("personas:", "  default_persona: ops", "  definitions:", "    ops:", "      roles: [ops]"),
			check: func(t *testing.T, c *Config) {
				if got := len(c.Personas.Definitions); got != 1 {
					t.Errorf("%d personas, want 1", got)
				}
			},
		},
		{
			name: "default persona may name a built-in one",
			yaml: doc("personas:", "  default_persona: viewer"),
			check: func(t *testing.T, c *Config) {
				if !reflect.DeepEqual(c.Personas.Definitions, defaultPersonas()) {
					t.Errorf("personas %+v, want the built-in ones", c.Personas.Definitions)
				}
			},
		},
		{
			name: "merge keys and anchors",
			yaml: doc(
				"personas:",
				"  definitions:",
				"    base: &base",
				"      roles: [base]",
				"      tools: {allow: ['*']}",
				"    ops:",
				"      <<: *base",
				"      roles: [ops]"),
			check: func(t *testing.T, c *Config) {
				ops := c.Personas.Definitions["ops"]
				if !reflect.DeepEqual(ops.Roles, []string{"ops"}) || !reflect.DeepEqual(ops.Tools.Allow, []string{"*"}) {
					t.Errorf("ops %+v, want roles [ops] and tools from base", ops)
				}
			},
		},
		{
			name: "null sections are left at their defaults",
			yaml: doc("server:", "storage: ~", "skills:"),
			check: func(t *testing.T, c *Config) {
				if !reflect.DeepEqual(c, Default()) {
					t.Errorf("got %+v, want Default()", c)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(writeConfig(t, tc.yaml), e.lookup)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			tc.check(t, c)
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.yaml")
	_, err := Load(path, env{}.lookup)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want an error wrapping fs.ErrNotExist", err)
	}
}

// Aliases that multiply work must be refused rather than expanded.
func TestLoadAliasBomb(t *testing.T) {
	text := doc(
		"a: &a [x, x, x, x, x, x, x, x, x, x]",
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]",
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]",
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]",
		"f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]",
		"auth:",
		"  api_keys:",
		"    keys: [{teams: *f}, {teams: *f}]",
	)
	_, err := Load(writeConfig(t, text), env{}.lookup)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want Problems", err)
	}
}

func TestLoadSelfReferencingAlias(t *testing.T) {
	text := doc("personas:", "  definitions: &d", "    x:", "      <<: *d")
	_, err := Load(writeConfig(t, text), env{}.lookup)
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("got %v, want Problems", err)
	}
}
