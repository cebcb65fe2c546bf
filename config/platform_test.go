package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// The example at the root of the repo must keep working as documented.
const platformYAML = "../platform.yaml"

func TestPlatformYAML(t *testing.T) {
	e := env{"API_KEY_ADMIN": secretAdmin, "API_KEY_ANALYST": secretAnalyst, "API_KEY_READONLY": "s3cret-readonly-0123456789abcdef"}
	c, err := Load(platformYAML, e.lookup)
	if err != nil {
		t.Fatalf("Load(%s): %v", platformYAML, err)
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"addr", c.Server.Addr, "127.0.0.1:8080"},
		{"base url", c.Server.BaseURL(), "http://127.0.0.1:8080"},
		{"session idle ttl", c.Server.SessionIdleTTL.Std(), 30 * time.Minute},
		{"driver", c.Storage.Driver, "sqlite"},
		{"data dir", c.Storage.DataDir, "data"},
		{"keys enabled", c.Auth.APIKeys.Enabled, true},
		{"key names", keyNames(c.Auth.APIKeys.Keys), []string{"admin-service", "analyst-service", "readonly"}},
		{"admin key", c.Auth.APIKeys.Keys[0].Key, secretAdmin},
		{"readonly roles", c.Auth.APIKeys.Keys[2].Roles, []string{"viewer"}},
		{"query keys", *c.Auth.QueryKeys, []string{"api_key", "apiKey"}},
		{"personas match the built-in ones", c.Personas.Definitions, defaultPersonas()},
		{"no default persona", c.Personas.DefaultPersona, ""},
		{"skills dir", c.Skills.Dir, ""},
		{"script timeout", c.Skills.ScriptTimeout.Std(), DefaultScriptTimeout},
		{"max output", c.Skills.MaxOutputBytes, DefaultMaxOutputBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}

func TestPlatformYAMLWithoutEnv(t *testing.T) {
	_, err := Load(platformYAML, env{"API_KEY_ANALYST": secretAnalyst, "API_KEY_READONLY": "s3cret-readonly-0123456789abcdef"}.lookup)
	if err == nil {
		t.Fatal("Load succeeded without API_KEY_ADMIN")
	}
	want := "platform.yaml:"
	if msg := err.Error(); !strings.Contains(msg, want) || !strings.Contains(msg, "auth.api_keys.keys[0].key: environment variable API_KEY_ADMIN is not set") {
		t.Errorf("got %q, want it to name %s, the field and API_KEY_ADMIN", msg, want)
	}
	assertNoSecrets(t, err.Error())
}

func keyNames(keys []StaticKey) []string {
	var names []string
	for _, k := range keys {
		names = append(names, k.Name)
	}
	return names
}
