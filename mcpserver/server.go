package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/oauth/discovery"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/skills"
	"github.com/skillgate/skillgate/store"
)

// Authenticator verifies credentials; *auth.Authenticator is one.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (auth.Principal, error)
	Recheck(ctx context.Context, p auth.Principal) (auth.Principal, error)
}

// PersonaResolver maps roles to a persona; *personas.Set is one.
type PersonaResolver interface {
	Resolve(roles []string) (personas.Persona, error)
}

// RateLimiter limits each credential's requests; *ratelimit.Limiter is one.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit int) (ratelimit.Decision, error)
}

// QuotaSpender spends one execution of a caller's monthly quota, or refuses
// with an error; *apikey.Manager is one.
type QuotaSpender interface {
	SpendExecution(ctx context.Context, p auth.Principal) error
}

// Recorder records audit events; *audit.Log is one.
type Recorder interface {
	Record(ctx context.Context, e store.AuditEvent)
}

// ScriptRunner runs skill scripts; *skills.Runner is one.
type ScriptRunner interface {
	// Check refuses bad input as Run would, without running anything.
	Check(cat *skills.Catalog, id, script string, args []string) error
	Run(ctx context.Context, cat *skills.Catalog, id, script string, args []string) (skills.Result, error)
}

// Options are the dependencies and settings of a Server. Auth, Personas,
// Skills, Runner, Logger and BaseURL are required.
type Options struct {
	Auth     Authenticator
	Personas PersonaResolver
	Skills   *skills.Catalog
	Runner   ScriptRunner
	Logger   *slog.Logger
	// Limiter enforces credentials' per-minute rate limits; nil means none.
	Limiter RateLimiter
	// Quota spends monthly execution quotas; nil means none.
	Quota QuotaSpender
	// Audit records tool calls and refused credentials; nil means none.
	Audit Recorder
	// API serves the REST API under /v1/; nil serves none.
	API http.Handler
	// Mounts add more routes beside MCP's, each behind its own checks:
	// the OAuth authorization server and its discovery documents.
	Mounts []Mounter
	// AllowedOrigins are browser origins allowed to call the MCP
	// endpoints besides the server's own and loopback ones; "*" allows
	// any.
	AllowedOrigins []string
	// BaseURL is the public origin of the server, e.g. http://127.0.0.1:8080:
	// no path and no trailing slash. The resource_metadata URLs of the
	// authentication challenges are built from it.
	BaseURL string
	// QueryParams are the query parameters accepted as a credential by
	// clients that cannot set headers; empty turns that off.
	QueryParams []string
	// SessionIdleTTL ends sessions idle for longer; zero means never.
	SessionIdleTTL time.Duration
	// Stateless turns streamable HTTP sessions off: initialize returns no
	// Mcp-Session-Id and every POST is served on its own, so that any
	// replica behind a load balancer can serve any request. GET and
	// DELETE, which only make sense for a session, answer 405. Legacy SSE
	// is unaffected: its stream is a session by nature.
	Stateless bool
	Version   string
	// Observer counts requests, authentication decisions, tool calls and
	// refusals for metrics; nil counts nothing.
	Observer Observer
	// Metrics, if set, is served at GET /metrics to credentials holding
	// the admin scope; nil leaves /metrics unknown (404), as when metrics
	// are served on a listener of their own.
	Metrics http.Handler
	// AccessLog says which HTTP requests get a log line; the zero value
	// logs those refused or failed.
	AccessLog AccessLog
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// AccessLog says which HTTP requests the server logs a line for.
type AccessLog int

// Access log levels. Success is not logged by default: every request is
// counted in the metrics and every tool call is in the audit log, and a
// line per call costs about half as much CPU as the audit row.
const (
	AccessLogRefused AccessLog = iota // status 400 and above
	AccessLogAll                      // every request
	AccessLogOff                      // none
)

// logs reports whether a request answered with status gets a log line.
func (a AccessLog) logs(status int) bool {
	switch a {
	case AccessLogAll:
		return true
	case AccessLogRefused:
		return status >= http.StatusBadRequest
	}
	return false
}

// Mounter registers routes on a mux; oauth.Server and discovery.Handler
// are Mounters.
type Mounter interface {
	Mount(mux *http.ServeMux)
}

// Server is skillgate's MCP server over HTTP.
type Server struct {
	authn Authenticator
	// mcpAuth and sseAuth authenticate the two transports; their
	// challenges point at each one's protected resource metadata.
	mcpAuth *auth.Middleware
	sseAuth *auth.Middleware
	// metricsAuth authenticates scrapes of /metrics on this listener.
	metricsAuth *auth.Middleware
	personas    PersonaResolver
	skills      *skills.Catalog
	runner      ScriptRunner
	limiter     RateLimiter
	quota       QuotaSpender
	audit       Recorder
	api         http.Handler
	mounts      []Mounter
	origins     originPolicy
	log         *slog.Logger
	baseURL     string
	queryParams []string
	sessions    *sessions
	observer    Observer
	accessLog   AccessLog
	metrics     http.Handler

	mcp        *server.MCPServer
	streamable *server.StreamableHTTPServer
	stateless  bool
	sse        *server.SSEServer
}

// New builds a Server from opts.
func New(opts Options) (*Server, error) {
	switch {
	case opts.Auth == nil, opts.Personas == nil, opts.Skills == nil, opts.Runner == nil, opts.Logger == nil:
		return nil, errors.New("mcpserver: Auth, Personas, Skills, Runner and Logger are required")
	case opts.BaseURL == "":
		return nil, errors.New("mcpserver: BaseURL is required")
	}
	if err := discovery.ValidateIssuer(opts.BaseURL); err != nil {
		return nil, fmt.Errorf("mcpserver: BaseURL: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		authn:       opts.Auth,
		personas:    opts.Personas,
		skills:      opts.Skills,
		runner:      opts.Runner,
		limiter:     opts.Limiter,
		quota:       opts.Quota,
		audit:       opts.Audit,
		api:         opts.API,
		mounts:      opts.Mounts,
		origins:     newOriginPolicy(opts.BaseURL, opts.AllowedOrigins),
		log:         opts.Logger,
		baseURL:     opts.BaseURL,
		queryParams: opts.QueryParams,
		sessions:    newSessions(opts.SessionIdleTTL, now),
		stateless:   opts.Stateless,
		observer:    opts.Observer,
		accessLog:   opts.AccessLog,
		metrics:     opts.Metrics,
	}
	if s.observer == nil {
		s.observer = nopObserver{}
	}
	s.mcpAuth = s.newAuthMiddleware(opts, mcpPath)
	s.sseAuth = s.newAuthMiddleware(opts, ssePath)
	s.metricsAuth = newMetricsAuth(opts)

	hooks := &server.Hooks{}
	hooks.AddOnRequestInitialization(s.gate)
	hooks.AddAfterListResources(s.filterResources)
	hooks.AddOnUnregisterSession(func(_ context.Context, cs server.ClientSession) {
		s.sessions.closeSSE(cs.SessionID())
	})
	version := opts.Version
	if version == "" {
		version = "dev"
	}
	s.mcp = server.NewMCPServer("skillgate", version,
		server.WithToolCapabilities(false),
		server.WithResourceCapabilities(false, false),
		// No prompts yet, but a client that asks gets an empty list
		// rather than "method not found"; logging/setLevel is accepted
		// for clients that set a level before they call tools.
		server.WithPromptCapabilities(false),
		server.WithLogging(),
		server.WithToolFilter(s.filterTools),
		server.WithHooks(hooks),
		server.WithToolHandlerMiddleware(s.recoverTools),
		server.WithResourceHandlerMiddleware(s.recoverResources),
		server.WithInstructions("skillgate serves skills: folders of instructions and scripts. Call list_skills to find one, get_skill to read its instructions, read_skill_file for its other files and run_skill_script to run its scripts."),
	)
	s.addTools()
	s.addResources()

	sessionMode := server.WithSessionIdManagerResolver(s.sessions)
	if opts.Stateless {
		sessionMode = server.WithStateLess(true)
	}
	s.streamable = server.NewStreamableHTTPServer(s.mcp,
		server.WithEndpointPath(mcpPath),
		sessionMode,
		server.WithSessionIdleTTL(opts.SessionIdleTTL),
		server.WithStreamableHTTPLogger(opts.Logger),
		// Host checks are done once, for every route, by hostCheck.
		server.WithDisableLocalhostProtection(true),
	)
	s.sse = s.newSSEServer()
	return s, nil
}

// challengeScopes are the scopes a 401 tells MCP clients to ask for: those
// of the tools every persona may be given.
var challengeScopes = []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute}

// newAuthMiddleware returns the authentication of the transport at
// resourcePath, whose challenges name that transport's protected resource
// metadata.
func (s *Server) newAuthMiddleware(opts Options, resourcePath string) *auth.Middleware {
	m := &auth.Middleware{
		Auth:             opts.Auth,
		QueryParams:      opts.QueryParams,
		Hint:             "Use the admin key printed when the server first started, or a key configured in platform.yaml.",
		Logger:           opts.Logger,
		ResourceMetadata: discovery.ResourceMetadataURL(opts.BaseURL, resourcePath),
		ChallengeScopes:  challengeScopes,
	}
	if opts.Audit != nil {
		m.Audit = opts.Audit
	}
	if opts.Observer != nil {
		m.Observer = opts.Observer
	}
	return m
}

// Close ends every session. It does not stop the HTTP server serving Handler.
func (s *Server) Close(ctx context.Context) error {
	s.sse.CloseSessions()
	if err := s.streamable.Shutdown(ctx); err != nil {
		return fmt.Errorf("close MCP sessions: %w", err)
	}
	return nil
}

// filterTools keeps the tools the caller's persona allows. mcp-go applies it
// to tools/list and, since v1.2.1, to tools/call. No caller, no tools.
func (s *Server) filterTools(ctx context.Context, tools []mcp.Tool) []mcp.Tool {
	c, err := s.callerFrom(ctx)
	if err != nil {
		return nil
	}
	kept := make([]mcp.Tool, 0, len(tools))
	for _, t := range tools {
		if c.mayCall(t.Name) {
			kept = append(kept, t)
		}
	}
	return kept
}

// gate runs before mcp-go handles any request. It refuses requests without
// an authenticated caller or persona, and a tools/call of a tool the persona
// does not allow, with an error that says so (the tool filter alone would
// only say "not found").
func (s *Server) gate(ctx context.Context, _ any, message any) error {
	c, err := s.callerFrom(ctx)
	if err != nil {
		if errors.Is(err, personas.ErrNoPersona) {
			return errors.New("access denied: your roles match no persona, and no default persona is configured")
		}
		return errors.New("access denied: not authenticated")
	}
	raw, ok := message.(json.RawMessage)
	if !ok {
		return nil
	}
	req, ok := admittedMessage(ctx, raw)
	if !ok && json.Unmarshal(raw, &req) != nil {
		return nil
	}
	if req.Method != string(mcp.MethodToolsCall) {
		return nil
	}
	if !c.persona.AllowsTool(req.Params.Name) {
		s.observer.ToolCall(req.Params.Name, c.persona.Name, resultDenied, 0)
		return fmt.Errorf("tool %q is not available to persona %q", req.Params.Name, c.persona.Name)
	}
	if scope := toolScope(req.Params.Name); !c.can(scope) {
		s.observer.ToolCall(req.Params.Name, c.persona.Name, resultDenied, 0)
		return fmt.Errorf("tool %q needs the %s scope, which this credential does not hold", req.Params.Name, scope)
	}
	return nil
}
