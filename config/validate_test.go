package config

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		change  func(c *Config)
		wantErr string // "" for valid
	}{
		{name: "defaults", change: func(*Config) {}},
		{name: "zero config means defaults", change: func(c *Config) { *c = Config{} }},
		{name: "addr override", change: func(c *Config) { c.Server.Addr = ":0" }},
		{name: "bad addr override", change: func(c *Config) { c.Server.Addr = "8080" }, wantErr: "server.addr: must be host:port"},
		{name: "port out of range", change: func(c *Config) { c.Server.Addr = "127.0.0.1:70000" }, wantErr: "server.addr: must be host:port"},
		{name: "access log all", change: func(c *Config) { c.Server.AccessLog = AccessLogAll }},
		{name: "access log off", change: func(c *Config) { c.Server.AccessLog = AccessLogOff }},
		{name: "bad access log", change: func(c *Config) { c.Server.AccessLog = "ALL" }, wantErr: "server.access_log: must be"},
		{name: "metrics addr", change: func(c *Config) { c.Server.MetricsAddr = "127.0.0.1:9090" }},
		{name: "bad metrics addr", change: func(c *Config) { c.Server.MetricsAddr = "9090" }, wantErr: "server.metrics_addr: must be host:port"},
		{name: "metrics addr same as addr", change: func(c *Config) {
			c.Server.Addr, c.Server.MetricsAddr = "127.0.0.1:8080", "127.0.0.1:8080"
		}, wantErr: "server.metrics_addr: must differ from server.addr"},
		// Two listeners on port 0 get two different ports.
		{name: "metrics addr and addr both port 0", change: func(c *Config) {
			c.Server.Addr, c.Server.MetricsAddr = "127.0.0.1:0", "127.0.0.1:0"
		}},
		{name: "public url with port", change: func(c *Config) { c.Server.PublicURL = "http://localhost:8080" }},
		{name: "public url with port 0", change: func(c *Config) { c.Server.PublicURL = "http://localhost:0" }, wantErr: "server.public_url"},
		{name: "public url with fragment", change: func(c *Config) { c.Server.PublicURL = "https://x.example#top" }, wantErr: "no fragment"},
		{name: "public url without host", change: func(c *Config) { c.Server.PublicURL = "https://" }, wantErr: "host missing"},
		{name: "public url with empty query", change: func(c *Config) { c.Server.PublicURL = "https://x.example?" }, wantErr: "no query"},
		{name: "data dir override", change: func(c *Config) { c.Storage.DataDir = "/tmp/x" }},
		{name: "keys enabled with no keys", change: func(c *Config) { c.Auth.APIKeys.Enabled = true }},
		{name: "short key", change: func(c *Config) {
			c.Auth.APIKeys = APIKeys{Enabled: true, Keys: []StaticKey{{Key: secretShort, Name: "a", Roles: []string{"admin"}}}}
		}, wantErr: "auth.api_keys.keys[0].key: key is too weak"},
		{name: "duplicate key without lines", change: func(c *Config) {
			k := StaticKey{Key: secretAdmin, Name: "a", Roles: []string{"admin"}}
			c.Auth.APIKeys = APIKeys{Enabled: true, Keys: []StaticKey{k, k}}
		}, wantErr: "auth.api_keys.keys[1].key: same key as auth.api_keys.keys[0].key; every key must be unique"},
		{name: "key of 16 multibyte characters", change: func(c *Config) {
			c.Auth.APIKeys = APIKeys{Enabled: true, Keys: []StaticKey{{Key: strings.Repeat("é", 16), Name: "a", Roles: []string{"r"}}}}
		}},
		{name: "empty role", change: func(c *Config) {
			c.Auth.APIKeys = APIKeys{Enabled: true, Keys: []StaticKey{{Key: secretAdmin, Name: "a", Roles: []string{""}}}}
		}, wantErr: "auth.api_keys.keys[0].roles[0]: role is empty"},
		{name: "empty persona name", change: func(c *Config) {
			c.Personas.Definitions = map[string]Persona{"": {Roles: []string{"x"}}}
		}, wantErr: "persona name is empty"},
		{name: "oidc provider", change: func(c *Config) { c.Auth.OIDC.Providers = []OIDCProvider{oidcProvider()} }},
		{name: "oidc on loopback http", change: func(c *Config) {
			p := oidcProvider()
			p.Issuer = "http://127.0.0.1:5556/dex"
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}},
		{name: "oidc plain http", change: func(c *Config) {
			p := oidcProvider()
			p.Issuer = "http://idp.example.com"
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "auth.oidc.providers[0].issuer: must use https"},
		{name: "oidc issuer with query", change: func(c *Config) {
			p := oidcProvider()
			p.Issuer = "https://idp.example.com/?x=1"
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "no query or fragment"},
		{name: "oidc without audience", change: func(c *Config) {
			p := oidcProvider()
			p.Audience = ""
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "auth.oidc.providers[0].audience: audience is missing"},
		{name: "oidc issuer twice", change: func(c *Config) {
			c.Auth.OIDC.Providers = []OIDCProvider{oidcProvider(), oidcProvider()}
		}, wantErr: "auth.oidc.providers[1].issuer: same issuer as auth.oidc.providers[0].issuer"},
		{name: "oidc HS256", change: func(c *Config) {
			p := oidcProvider()
			p.Algorithms = []string{"RS256", "HS256"}
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "auth.oidc.providers[0].algorithms[1]: not an accepted signature algorithm"},
		{name: "oidc skew too large", change: func(c *Config) {
			p := oidcProvider()
			p.ClockSkew = new(Duration(time.Hour))
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "auth.oidc.providers[0].clock_skew: must be between"},
		{name: "oidc bad claim path", change: func(c *Config) {
			p := oidcProvider()
			p.Claims.Roles = "realm_access..roles"
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "auth.oidc.providers[0].claims.roles: not a claim name"},
		{name: "oidc role map to nothing", change: func(c *Config) {
			p := oidcProvider()
			p.RoleMap = map[string][]string{"admins": nil}
			c.Auth.OIDC.Providers = []OIDCProvider{p}
		}, wantErr: "auth.oidc.providers[0].role_map.admins: maps to no role"},
		{name: "negative timeout", change: func(c *Config) { c.Skills.ScriptTimeout = -1 }, wantErr: "skills.script_timeout: must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.change(c)
			err := c.Validate()
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Validate() = %v, want an error containing %q", err, tc.wantErr)
			}
			assertNoSecrets(t, err.Error())
			var ps Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error %T is not Problems", err)
			}
			for _, p := range ps {
				if p.Line != 0 || p.File != "" {
					t.Errorf("problem %+v has a file or line; Validate knows neither", p)
				}
			}
		})
	}
}

func oidcProvider() OIDCProvider {
	return OIDCProvider{Issuer: "https://keycloak.example.com/realms/acme", Audience: "skillgate",
		Claims: OIDCClaims{Roles: "realm_access.roles"}}
}

// After flags override a loaded config, problems name the file but no line.
func TestValidateInFile(t *testing.T) {
	c := Default()
	c.Server.Addr = "nowhere"
	var ps Problems
	if !errors.As(c.Validate(), &ps) {
		t.Fatal("want Problems")
	}
	if got, want := ps.InFile("platform.yaml").Error(), "platform.yaml: server.addr: must be host:port"; !strings.HasPrefix(got, want) {
		t.Errorf("got %q, want it to start with %q", got, want)
	}
}
