package config

import (
	"reflect"
	"testing"
	"time"
)

func TestDefault(t *testing.T) {
	c := Default()
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"addr", c.Server.Addr, DefaultAddr},
		{"public url left empty", c.Server.PublicURL, ""},
		{"session idle ttl", c.Server.SessionIdleTTL.Std(), DefaultSessionIdleTTL},
		{"driver", c.Storage.Driver, "sqlite"},
		{"data dir", c.Storage.DataDir, DefaultDataDir},
		{"api keys disabled", c.Auth.APIKeys.Enabled, false},
		{"no static keys", len(c.Auth.APIKeys.Keys), 0},
		{"query keys", *c.Auth.QueryKeys, []string{"api_key", "apiKey"}},
		{"no default persona", c.Personas.DefaultPersona, ""},
		{"persona count", len(c.Personas.Definitions), 3},
		{"admin", c.Personas.Definitions["admin"].Priority, 100},
		{"analyst", c.Personas.Definitions["analyst"].Priority, 50},
		{"viewer", c.Personas.Definitions["viewer"].Tools.Deny, []string{"run_*"}},
		{"script timeout", c.Skills.ScriptTimeout.Std(), 10 * time.Second},
		{"max output", c.Skills.MaxOutputBytes, DefaultMaxOutputBytes},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !reflect.DeepEqual(tc.got, tc.want) {
				t.Errorf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Default().Validate() = %v", err)
	}
}

// Each Default is a fresh copy; changing one must not change the next.
func TestDefaultIsFresh(t *testing.T) {
	a := Default()
	(*a.Auth.QueryKeys)[0] = "changed"
	a.Personas.Definitions["admin"].Tools.Allow[0] = "changed"
	b := Default()
	if (*b.Auth.QueryKeys)[0] != "api_key" || b.Personas.Definitions["admin"].Tools.Allow[0] != "*" {
		t.Error("Default shares state between calls")
	}
}

func TestServerBaseURL(t *testing.T) {
	tests := []struct {
		name string
		s    Server
		want string
	}{
		{"public url wins", Server{Addr: "0.0.0.0:80", PublicURL: "https://skills.example.com"}, "https://skills.example.com"},
		{"from addr", Server{Addr: "127.0.0.1:9000"}, "http://127.0.0.1:9000"},
		{"ipv6 addr", Server{Addr: "[::1]:9000"}, "http://[::1]:9000"},
		{"empty host", Server{Addr: ":9000"}, "http://localhost:9000"},
		{"zero value", Server{}, "http://" + DefaultAddr},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.s.BaseURL(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
