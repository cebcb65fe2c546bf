package config

import "time"

// DriverSQLite is the storage driver name for the built-in SQLite store, the
// only driver so far.
const DriverSQLite = "sqlite"

// MinKeyLength is the shortest static API key Validate accepts, in
// characters. Shorter keys are too easy to guess.
const MinKeyLength = 16

// Defaults applied by Load where a field is left at its zero value.
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultDataDir        = "data"
	DefaultSessionIdleTTL = 30 * time.Minute
	DefaultScriptTimeout  = 10 * time.Second
	DefaultMaxOutputBytes = 64 << 10
)

// Config is the whole of platform.yaml after interpolation, defaults and
// validation. The zero value of every field means "use the default".
type Config struct {
	Server   Server   `yaml:"server"`
	Storage  Storage  `yaml:"storage"`
	Auth     Auth     `yaml:"auth"`
	Personas Personas `yaml:"personas"`
	Skills   Skills   `yaml:"skills"`
}

// Server configures the HTTP listener.
type Server struct {
	// Addr is the listen address, host:port. Default DefaultAddr.
	Addr string `yaml:"addr"`
	// PublicURL is the origin clients reach the server at (scheme://host[:port],
	// no path). Default: http://<Addr>.
	PublicURL string `yaml:"public_url"`
	// SessionIdleTTL ends MCP sessions idle for longer. Default DefaultSessionIdleTTL.
	SessionIdleTTL Duration `yaml:"session_idle_ttl"`
}

// Storage selects where keys and state live.
type Storage struct {
	// Driver is "sqlite" (the default).
	Driver string `yaml:"driver"`
	// DataDir holds the SQLite database. Default DefaultDataDir; --data overrides.
	DataDir string `yaml:"data_dir"`
}

// Auth configures how callers prove who they are.
type Auth struct {
	// APIKeys configures static API keys.
	APIKeys APIKeys `yaml:"api_keys"`
	// QueryKeys names the query parameters accepted as a credential on the
	// SSE endpoint for clients that cannot set headers. nil means the
	// default ["api_key", "apiKey"]; an empty list turns the feature off.
	QueryKeys *[]string `yaml:"query_keys"`
}

// APIKeys configures static keys from this file. Managed keys live in the
// database and need no configuration.
type APIKeys struct {
	// Enabled turns the static keys below on. When false, Keys is ignored
	// and not validated.
	Enabled bool        `yaml:"enabled"`
	Keys    []StaticKey `yaml:"keys"`
}

// StaticKey is one key written in the config (normally as ${ENV_VAR}).
type StaticKey struct {
	Key    string   `yaml:"key"`
	Name   string   `yaml:"name"`
	Roles  []string `yaml:"roles"`
	Scopes []string `yaml:"scopes"`
	// User names the caller's personal skill drive; default Name.
	User string `yaml:"user"`
	// Teams names the team skill drives the caller sees.
	Teams []string `yaml:"teams"`
}

// Personas maps roles to personas.
type Personas struct {
	// DefaultPersona is given to callers whose roles match no persona.
	// Empty means such callers are refused.
	DefaultPersona string `yaml:"default_persona"`
	// Definitions maps a persona name to its definition. Empty means the
	// built-in personas admin, analyst and viewer (see Default); once a
	// file defines any persona, only its own definitions apply.
	Definitions map[string]Persona `yaml:"definitions"`
}

// Persona is one persona definition.
type Persona struct {
	DisplayName string   `yaml:"display_name"`
	Description string   `yaml:"description"`
	Roles       []string `yaml:"roles"`
	Priority    int      `yaml:"priority"`
	Tools       Rules    `yaml:"tools"`
	Skills      Rules    `yaml:"skills"`
}

// Rules allow and deny names by glob; deny wins.
type Rules struct {
	Allow []string `yaml:"allow"`
	Deny  []string `yaml:"deny"`
}

// Skills configures where skills come from and how scripts run.
type Skills struct {
	// Dir is a folder of skill drives (shared/, teams/<t>/, users/<u>/).
	// Empty means the bundled example skills.
	Dir string `yaml:"dir"`
	// ScriptTimeout stops a skill script that runs longer. Default
	// DefaultScriptTimeout.
	ScriptTimeout Duration `yaml:"script_timeout"`
	// MaxOutputBytes caps what a script may write to stdout and stderr.
	// Default DefaultMaxOutputBytes.
	MaxOutputBytes int `yaml:"max_output_bytes"`
}

// Duration is a time.Duration written as "30s", "5m" in YAML.
type Duration time.Duration
