package config

import "time"

// Storage drivers: the built-in SQLite file (the default, for one server)
// and PostgreSQL (for several replicas sharing state).
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// MCP session modes of streamable HTTP: sessions kept in the replica that
// opened them (a load balancer must route a session's requests to it), or
// none at all (any replica serves any request).
const (
	SessionsStateful  = "stateful"
	SessionsStateless = "stateless"
)

// Access log levels: one line for every HTTP request, one for every
// request refused or failed (status 400 and above), or none.
const (
	AccessLogAll     = "all"
	AccessLogRefused = "refused"
	AccessLogOff     = "off"
)

// DefaultKeyPrefix starts managed keys unless auth.managed_keys.prefix says
// otherwise; it equals apikey.DefaultPrefix.
const DefaultKeyPrefix = "sk_live_"

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
	// DefaultRotationGrace is how long a rotated key's old secret keeps
	// working when a rotation does not say.
	DefaultRotationGrace = 7 * 24 * time.Hour
	// DefaultMaxRotationGrace caps the grace period a rotation may ask for.
	DefaultMaxRotationGrace = 90 * 24 * time.Hour
	// DefaultClockSkew is the clock skew allowed on OIDC tokens.
	DefaultClockSkew = time.Minute
	// MaxClockSkew is the most clock skew a provider may be allowed.
	MaxClockSkew = 10 * time.Minute
)

// DefaultPersonaScopes are the scopes of a persona whose definition does
// not list any: using skills, not managing keys.
var defaultPersonaScopes = []string{"skills:read", "skills:execute"}

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
	// Sessions is SessionsStateful (the default) or SessionsStateless;
	// see the README's deployment section.
	Sessions string `yaml:"sessions"`
	// AllowedOrigins are the browser origins (scheme://host[:port]) that
	// may call the MCP endpoints, besides the server's own and loopback
	// ones; ["*"] allows any. Requests without Origin are not affected.
	AllowedOrigins []string `yaml:"allowed_origins"`
	// MetricsAddr, host:port, serves Prometheus metrics at /metrics on a
	// listener of its own, without authentication: bind it to a private
	// interface. Empty (the default) serves /metrics on Addr instead, to
	// credentials holding the admin scope.
	MetricsAddr string `yaml:"metrics_addr"`
	// AccessLog is which HTTP requests get a log line: AccessLogRefused
	// (the default: status 400 and above), AccessLogAll or AccessLogOff.
	// Successful requests are counted in the metrics either way, and every
	// tool call is in the audit log.
	AccessLog string `yaml:"access_log"`
}

// Storage selects where keys and state live.
type Storage struct {
	// Driver is DriverSQLite (the default) or DriverPostgres.
	Driver string `yaml:"driver"`
	// DataDir holds the SQLite database. Default DefaultDataDir; --data overrides.
	DataDir string `yaml:"data_dir"`
	// DSN is the PostgreSQL connection string (postgres:// URL or
	// key=value pairs), for DriverPostgres only. Write the password as
	// ${ENV_VAR} rather than in the file.
	DSN string `yaml:"dsn"`
	// MaxConns caps each replica's PostgreSQL connections; 0 means the
	// backend's default.
	MaxConns int `yaml:"max_conns"`
}

// Auth configures how callers prove who they are.
type Auth struct {
	// APIKeys configures static API keys.
	APIKeys APIKeys `yaml:"api_keys"`
	// ManagedKeys configures the keys created through the CLI and REST API.
	ManagedKeys ManagedKeys `yaml:"managed_keys"`
	// OIDC lists the identity providers whose JWTs are accepted.
	OIDC OIDC `yaml:"oidc"`
	// OAuth configures the built-in authorization server MCP clients log
	// in with.
	OAuth OAuth `yaml:"oauth"`
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

// ManagedKeys is the policy for keys stored in the database.
type ManagedKeys struct {
	// Prefix starts new keys, e.g. "sk_live_" (the default): 2 to 16
	// characters of a-z, 0-9 and _, ending with _. Keys made with an
	// earlier prefix keep working.
	Prefix string `yaml:"prefix"`
	// MaxLifetime caps how long a key may live; keys created without an
	// expiry get it. Zero (the default) means keys may live for ever.
	MaxLifetime Duration `yaml:"max_lifetime"`
	// RotationGrace is how long an old secret keeps working after a
	// rotation that does not say. nil means DefaultRotationGrace; 0 means
	// old secrets stop at once.
	RotationGrace *Duration `yaml:"rotation_grace"`
	// MaxRotationGrace caps the grace a rotation may ask for. Default
	// DefaultMaxRotationGrace.
	MaxRotationGrace Duration `yaml:"max_rotation_grace"`
}

// OIDC configures the identity providers whose JWTs are accepted as Bearer
// tokens. With no providers, a JWT is refused.
type OIDC struct {
	Providers []OIDCProvider `yaml:"providers"`
}

// OAuth configures skillgate's own OAuth 2.1 authorization server.
type OAuth struct {
	// Enabled turns it on. nil means true: MCP clients expect OAuth.
	Enabled *bool `yaml:"enabled"`
	// Registration is the dynamic client registration policy: "open"
	// (default), "token" (InitialAccessToken required) or "closed".
	Registration string `yaml:"registration"`
	// InitialAccessToken is what "token" registration requires, normally
	// ${VAR}; at least 32 characters.
	InitialAccessToken string `yaml:"initial_access_token"`
	// AccessTokenTTL is the lifetime of access tokens. Default 1h.
	AccessTokenTTL Duration `yaml:"access_token_ttl"`
	// RefreshTokenTTL is how long a grant's refresh tokens work. Default 90d.
	RefreshTokenTTL Duration `yaml:"refresh_token_ttl"`
	// RefreshGrace is how long a just-rotated refresh token may be
	// replayed for the same result. Default 60s.
	RefreshGrace Duration `yaml:"refresh_grace"`
	// SigningKeyRotation is how often a new signing key is made. Default 30d.
	SigningKeyRotation Duration `yaml:"signing_key_rotation"`
	// Clients are pre-registered clients.
	Clients []OAuthClient `yaml:"clients"`
	// ClientMetadataDocuments accepts HTTPS URLs as client_id (MCP
	// 2025-11-25). nil means true.
	ClientMetadataDocuments *bool `yaml:"client_metadata_documents"`
	// PinnedClients are client metadata documents written here rather
	// than fetched. nil means DefaultPinnedClients; [] pins none.
	PinnedClients *[]PinnedClient `yaml:"pinned_clients"`
}

// PinnedClient is a client metadata document given in the configuration.
type PinnedClient struct {
	ClientID     string   `yaml:"client_id"`
	Name         string   `yaml:"name"`
	RedirectURIs []string `yaml:"redirect_uris"`
}

// DefaultPinnedClients are the documents of well-known public clients,
// which a server in a datacenter may be unable to fetch: claude.ai's
// connectors and Claude Code.
func DefaultPinnedClients() []PinnedClient {
	return []PinnedClient{
		{ClientID: "https://claude.ai/oauth/mcp-oauth-client-metadata", Name: "Claude",
			RedirectURIs: []string{"https://claude.ai/api/mcp/auth_callback", "https://claude.com/api/mcp/auth_callback"}},
		{ClientID: "https://claude.ai/oauth/claude-code-client-metadata", Name: "Claude Code",
			RedirectURIs: []string{"http://localhost/callback", "http://127.0.0.1/callback"}},
	}
}

// On reports whether the authorization server is enabled.
func (o OAuth) On() bool { return o.Enabled == nil || *o.Enabled }

// OAuthClient is a pre-registered OAuth client.
type OAuthClient struct {
	ClientID string `yaml:"client_id"`
	Name     string `yaml:"name"`
	// ClientSecret, normally ${VAR}, makes the client confidential; it is
	// kept only as a hash. Empty means a public client (PKCE only).
	ClientSecret string   `yaml:"client_secret"`
	RedirectURIs []string `yaml:"redirect_uris"`
	// GrantTypes default to [authorization_code, refresh_token].
	GrantTypes []string `yaml:"grant_types"`
	Scope      string   `yaml:"scope"`
}

// OIDCProvider is one identity provider; see auth/oidc.Config for what each
// field does.
type OIDCProvider struct {
	// Issuer is the issuer URL exactly as the provider's tokens carry it:
	// https, or http on a loopback host for tests. Required.
	Issuer string `yaml:"issuer"`
	// Audience must be among the token's aud values. Required.
	Audience string `yaml:"audience"`
	// ClientID, if set, must be the token's azp (or client_id) claim.
	ClientID string `yaml:"client_id"`
	// Claims name the claims the caller is read from.
	Claims OIDCClaims `yaml:"claims"`
	// RoleMap maps a value of the roles claim to skillgate roles; when set,
	// unmapped values give no role.
	RoleMap map[string][]string `yaml:"role_map"`
	// ClockSkew allowed on exp, nbf and iat. nil means DefaultClockSkew.
	ClockSkew *Duration `yaml:"clock_skew"`
	// Algorithms accepted; default every asymmetric JWS algorithm.
	Algorithms []string `yaml:"algorithms"`
	// Login, if set, offers "Sign in with <name>" on the OAuth sign-in
	// page, as a client of this provider.
	Login *OIDCLogin `yaml:"login"`
}

// OIDCLogin is skillgate's client at an identity provider, for sign-in.
// Its redirect URI at the provider is <public_url>/authorize/callback.
type OIDCLogin struct {
	ClientID     string `yaml:"client_id"`
	ClientSecret string `yaml:"client_secret"`
	Name         string `yaml:"name"`
}

// OIDCClaims names claims by name or dotted path ("realm_access.roles").
type OIDCClaims struct {
	Subject string `yaml:"subject"` // default sub
	Email   string `yaml:"email"`   // default email; names the personal skill drive
	Roles   string `yaml:"roles"`   // default roles
	Org     string `yaml:"org"`     // default none
	Teams   string `yaml:"teams"`   // default none
	Scopes  string `yaml:"scopes"`  // default none: the persona decides
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
	// Scopes are the most a caller with this persona may hold; a key's own
	// scopes only narrow them. Default skills:read and skills:execute.
	Scopes []string `yaml:"scopes"`
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
