package config

import (
	"net"
	"slices"
)

// Default returns the configuration used when no file is given: the
// defaults of every field, static API keys disabled, and the built-in
// personas admin, analyst and viewer with no default persona. It equals
// what Load returns for an empty file.
func Default() *Config {
	c := new(Config)
	c.ApplyDefaults()
	return c
}

// ApplyDefaults replaces zero fields with their defaults. Load calls it;
// call it again after overriding fields with zero values. It never changes
// a field that is set, so it is safe to call more than once.
func (c *Config) ApplyDefaults() {
	if c.Server.Addr == "" {
		c.Server.Addr = DefaultAddr
	}
	if c.Server.SessionIdleTTL == 0 {
		c.Server.SessionIdleTTL = Duration(DefaultSessionIdleTTL)
	}
	if c.Server.AccessLog == "" {
		c.Server.AccessLog = AccessLogRefused
	}
	if c.Server.Sessions == "" {
		c.Server.Sessions = SessionsStateful
	}
	if c.Storage.Driver == "" {
		c.Storage.Driver = DriverSQLite
	}
	if c.Storage.DataDir == "" {
		c.Storage.DataDir = DefaultDataDir
	}
	if c.Auth.QueryKeys == nil {
		keys := defaultQueryKeys()
		c.Auth.QueryKeys = &keys
	}
	for i := range c.Auth.APIKeys.Keys {
		if k := &c.Auth.APIKeys.Keys[i]; k.User == "" {
			k.User = k.Name
		}
	}
	if c.Auth.ManagedKeys.Prefix == "" {
		c.Auth.ManagedKeys.Prefix = DefaultKeyPrefix
	}
	if c.Auth.ManagedKeys.RotationGrace == nil {
		g := Duration(DefaultRotationGrace)
		c.Auth.ManagedKeys.RotationGrace = &g
	}
	for i := range c.Auth.OIDC.Providers {
		if p := &c.Auth.OIDC.Providers[i]; p.ClockSkew == nil {
			p.ClockSkew = new(Duration(DefaultClockSkew))
		}
	}
	if c.Auth.ManagedKeys.MaxRotationGrace == 0 {
		c.Auth.ManagedKeys.MaxRotationGrace = Duration(DefaultMaxRotationGrace)
	}
	if len(c.Personas.Definitions) == 0 {
		c.Personas.Definitions = defaultPersonas()
	}
	for name, d := range c.Personas.Definitions {
		if d.Scopes == nil {
			d.Scopes = slices.Clone(defaultPersonaScopes)
			c.Personas.Definitions[name] = d
		}
	}
	if c.Skills.ScriptTimeout == 0 {
		c.Skills.ScriptTimeout = Duration(DefaultScriptTimeout)
	}
	if c.Skills.MaxOutputBytes == 0 {
		c.Skills.MaxOutputBytes = DefaultMaxOutputBytes
	}
}

// BaseURL returns the origin clients reach the server at: PublicURL if
// set, else http:// and Addr (DefaultAddr when empty). A listen address
// without a host, like ":8080", becomes http://localhost:8080. It is
// computed on each call, so a --addr flag applied after Load is honoured.
func (s Server) BaseURL() string {
	if s.PublicURL != "" {
		return s.PublicURL
	}
	addr := s.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		addr = net.JoinHostPort("localhost", port)
	}
	return "http://" + addr
}

// defaultQueryKeys returns a fresh copy of the query parameters accepted as
// a credential when the file does not say.
func defaultQueryKeys() []string { return []string{"api_key", "apiKey"} }

// defaultPersonas returns a fresh copy of the built-in personas. The repo's
// platform.yaml spells out the same definitions.
func defaultPersonas() map[string]Persona {
	all := []string{"*"}
	return map[string]Persona{
		"admin": {
			DisplayName: "Administrator",
			Description: "Every tool and every skill.",
			Roles:       []string{"admin"},
			Priority:    100,
			Tools:       Rules{Allow: slices.Clone(all)},
			Skills:      Rules{Allow: slices.Clone(all)},
			Scopes:      []string{"admin"},
		},
		"analyst": {
			DisplayName: "Analyst",
			Description: "Reads and runs skills.",
			Roles:       []string{"analyst"},
			Priority:    50,
			Tools:       Rules{Allow: slices.Clone(all)},
			Skills:      Rules{Allow: slices.Clone(all)},
			Scopes:      slices.Clone(defaultPersonaScopes),
		},
		"viewer": {
			DisplayName: "Viewer",
			Description: "Reads skills but cannot run them.",
			Roles:       []string{"viewer"},
			Priority:    10,
			Tools:       Rules{Allow: slices.Clone(all), Deny: []string{"run_*"}},
			Skills:      Rules{Allow: slices.Clone(all)},
			Scopes:      []string{"skills:read"},
		},
	}
}
