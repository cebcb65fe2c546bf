package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/skillgate/skillgate/api"
	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/config"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/mcpserver"
	"github.com/skillgate/skillgate/metrics"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/skills"
	"github.com/skillgate/skillgate/store"
)

// HTTP server limits. No write timeout: SSE and streamed responses are long-lived.
const (
	readHeaderTimeout = 10 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 10 * time.Second
	databaseFile      = "skillgate.db"
	// storeOpenTimeout bounds connecting to and migrating a PostgreSQL
	// database at startup.
	storeOpenTimeout = 30 * time.Second
)

func (a *app) serve(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	flags.SetOutput(a.stderr)
	configPath := flags.String("config", "", "path to platform.yaml (default: built-in defaults)")
	addr := flags.String("addr", "", "listen address HOST:PORT (default "+config.DefaultAddr+")")
	dataDir := flags.String("data", "", "directory of the SQLite database (default ./"+config.DefaultDataDir+")")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("%w: serve: %v", errUsage, err)
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("%w: serve: unexpected argument %q", errUsage, flags.Arg(0))
	}

	cfg, err := a.loadConfig(*configPath, *addr, *dataDir)
	if err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(a.stderr, nil))
	db, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer db.Close()

	ln, err := net.Listen("tcp", cfg.Server.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Server.Addr, err)
	}
	defer ln.Close()
	// With --addr HOST:0 the real port is known only now.
	cfg.Server.Addr = ln.Addr().String()
	baseURL := cfg.Server.BaseURL()
	// Metrics get a listener of their own when server.metrics_addr says
	// so; otherwise the main listener serves them to admins.
	var metricsLn net.Listener
	if cfg.Server.MetricsAddr != "" {
		metricsLn, err = net.Listen("tcp", cfg.Server.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on server.metrics_addr %s: %w", cfg.Server.MetricsAddr, err)
		}
		defer metricsLn.Close()
	}

	plain, _, created, err := apikey.Bootstrap(ctx, db, cfg.Auth.ManagedKeys.Prefix, time.Now())
	if err != nil {
		return err
	}
	if created {
		printBootstrapKey(a.stderr, plain, baseURL, cfg.Auth.OAuth.On())
	}

	var skillFS fs.FS = skills.Bundled()
	if cfg.Skills.Dir != "" {
		dir, err := skills.OpenDir(cfg.Skills.Dir)
		if err != nil {
			return fmt.Errorf("open skills.dir: %w", err)
		}
		defer dir.Close()
		skillFS = dir
	}
	// The audit log is closed after the HTTP server has stopped, so that
	// the events of the last requests are written too.
	auditLog := audit.NewLog(db, logger)
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
		defer cancel()
		if err := auditLog.Close(closeCtx); err != nil {
			logger.Error("flushing the audit log", "err", err)
		}
	}()
	m := metrics.New(mcpserver.ToolNames()...)
	srv, err := buildServer(ctx, cfg, db, auditLog, skillFS, logger, baseURL, m)
	if err != nil {
		return err
	}
	httpSrv := newHTTPServer(srv.Handler(), logger)
	var metricsSrv *http.Server
	if metricsLn != nil {
		metricsSrv = newHTTPServer(metricsHandler(m), logger)
	}
	logger.Info("skillgate listening", "addr", cfg.Server.Addr, "mcp", baseURL+"/mcp", "sse", baseURL+"/sse", "version", version)
	if a.onListen != nil {
		a.onListen(cfg.Server.Addr)
	}

	// One slot per server, so that neither Serve goroutine blocks on
	// returning after the other has ended the select.
	errc := make(chan error, 2)
	go func() { errc <- httpSrv.Serve(ln) }()
	if metricsSrv != nil {
		logger.Info("metrics listening", "addr", metricsLn.Addr().String(), "metrics", "http://"+metricsLn.Addr().String()+"/metrics")
		go func() { errc <- metricsSrv.Serve(metricsLn) }()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	if err := srv.Close(shutdownCtx); err != nil {
		logger.Warn("closing sessions", "err", err)
	}
	// Metrics stay up until the main server has drained, so that a scrape
	// during shutdown still sees it.
	err = httpSrv.Shutdown(shutdownCtx)
	if metricsSrv != nil {
		if merr := metricsSrv.Shutdown(shutdownCtx); merr != nil && err == nil {
			err = merr
		}
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// newHTTPServer returns an http.Server with skillgate's limits serving h.
func newHTTPServer(h http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// buildServer wires the configured parts into an MCP server. With m, the
// server counts what it does in m, and serves m at /metrics to admins
// unless server.metrics_addr serves them on a listener of their own; nil m
// counts nothing.
func buildServer(ctx context.Context, cfg *config.Config, db store.Store, auditLog *audit.Log, skillFS fs.FS, logger *slog.Logger, baseURL string, m *metrics.Metrics) (*mcpserver.Server, error) {
	// Interfaces are set only from a non-nil m: a nil *Metrics in an
	// interface would not read as "no observer".
	var (
		observer      mcpserver.Observer
		apiObserver   api.Observer
		metricsOnMain http.Handler
	)
	if m != nil {
		observer, apiObserver = m, m
		if cfg.Server.MetricsAddr == "" {
			metricsOnMain = m.Handler()
		}
	}
	// A skill that does not load is a startup error naming its folder, so a
	// broken skill is fixed rather than silently missing.
	catalog, err := skills.Load(ctx, skillFS)
	if err != nil {
		return nil, fmt.Errorf("load skills: %w", err)
	}
	runner := skills.NewRunner(skills.RunnerConfig{
		Timeout:        cfg.Skills.ScriptTimeout.Std(),
		MaxOutputBytes: cfg.Skills.MaxOutputBytes,
	})
	personaSet, err := newPersonaSet(cfg)
	if err != nil {
		return nil, err
	}

	authn := &auth.Authenticator{}
	if cfg.Auth.APIKeys.Enabled {
		static, err := apikey.NewStatic(staticKeys(cfg.Auth.APIKeys.Keys))
		if err != nil {
			return nil, fmt.Errorf("auth.api_keys: %w", err)
		}
		authn.Keys = append(authn.Keys, static)
	}
	authn.Keys = append(authn.Keys, apikey.NewManaged(db, apikey.ManagedOptions{
		Prefix: cfg.Auth.ManagedKeys.Prefix,
		Logger: logger,
	}))
	// Abuse limits of the authorization server's open endpoints count per
	// address in each replica; credentials' own limits are shared.
	limiter := ratelimit.New()
	keyLimiter := credentialLimiter(db)
	providers := identityProviders(ctx, cfg, logger)
	issuers := tokenIssuers(providers)
	var mounts []mcpserver.Mounter
	// clients stays a nil interface without OAuth, which the API answers
	// with "OAuth is not enabled".
	var clients api.ClientService
	if cfg.Auth.OAuth.On() {
		as, docs, err := authorizationServer(ctx, cfg, db, authn.Keys, upstreamLogins(providers), personaSet, auditLog, limiter, logger, baseURL)
		if err != nil {
			return nil, err
		}
		issuers[as.Issuer()] = as.Verifier()
		mounts = append(mounts, as, docs)
		clients = as
	}
	if len(issuers) > 0 {
		authn.Tokens = issuers
	}
	keys, err := apikey.NewManager(db, auditLog, keyPolicy(cfg, personaSet), nil)
	if err != nil {
		return nil, fmt.Errorf("auth.managed_keys: %w", err)
	}
	restAPI, err := api.New(api.Options{
		Auth:     authn,
		Keys:     keys,
		Audit:    db,
		Clients:  clients,
		AuditLog: auditLog,
		Scopes:   effectiveScopes(personaSet),
		Limiter:  keyLimiter,
		Logger:   logger,
		Observer: apiObserver,
	})
	if err != nil {
		return nil, fmt.Errorf("REST API: %w", err)
	}
	dash, err := newDashboard(authn, keys, clients, providers, db, keyLimiter, auditLog, personaSet, logger, baseURL)
	if err != nil {
		return nil, err
	}
	mounts = append(mounts, dash)

	var queryParams []string
	if cfg.Auth.QueryKeys != nil {
		queryParams = *cfg.Auth.QueryKeys
	}
	srv, err := mcpserver.New(mcpserver.Options{
		Auth:           authn,
		Personas:       personaSet,
		Skills:         catalog,
		Runner:         runner,
		Logger:         logger,
		Limiter:        keyLimiter,
		Quota:          keys,
		Audit:          auditLog,
		API:            restAPI,
		Mounts:         mounts,
		AllowedOrigins: cfg.Server.AllowedOrigins,
		BaseURL:        baseURL,
		QueryParams:    queryParams,
		SessionIdleTTL: cfg.Server.SessionIdleTTL.Std(),
		Stateless:      cfg.Server.Sessions == config.SessionsStateless,
		Version:        version,
		Observer:       observer,
		Metrics:        metricsOnMain,
		AccessLog:      accessLog(cfg.Server.AccessLog),
	})
	if err != nil || m == nil {
		return srv, err
	}
	if err := m.WatchSessions(srv); err != nil {
		return nil, err
	}
	if err := m.WatchAudit(auditLog); err != nil {
		return nil, err
	}
	return srv, nil
}

// metricsHandler serves m at GET /metrics, and nothing else, on the
// listener of server.metrics_addr. It has no authentication: that
// listener is meant for a private interface.
func metricsHandler(m *metrics.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		apierror.Write(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
			"No such endpoint", "This listener serves only GET /metrics."))
	})
	return mux
}

func personaList(p config.Personas) []personas.Persona {
	out := make([]personas.Persona, 0, len(p.Definitions))
	for name, d := range p.Definitions {
		out = append(out, personas.Persona{
			Name: name, DisplayName: d.DisplayName, Description: d.Description,
			Roles: d.Roles, Priority: d.Priority,
			Tools:  personas.Rules{Allow: d.Tools.Allow, Deny: d.Tools.Deny},
			Skills: personas.Rules{Allow: d.Skills.Allow, Deny: d.Skills.Deny},
			Scopes: d.Scopes,
		})
	}
	return out
}

func staticKeys(keys []config.StaticKey) []apikey.StaticKey {
	out := make([]apikey.StaticKey, 0, len(keys))
	for _, k := range keys {
		out = append(out, apikey.StaticKey{
			Key: k.Key, Name: k.Name, Roles: k.Roles, Scopes: k.Scopes, User: k.User, Teams: k.Teams,
		})
	}
	return out
}

// printBootstrapKey shows the first admin key, once, with ready-to-paste
// commands. It goes to the terminal, never through the logger.
func printBootstrapKey(w io.Writer, key, baseURL string, oauthOn bool) {
	fmt.Fprintf(w, `
================================================================================
 skillgate created the first admin API key. It is shown only this once:

     %[1]s

 Store it now (a password manager or your shell profile). Connect Claude Code:

     claude mcp add --transport http skillgate %[2]s/mcp --header "Authorization: Bearer %[1]s"
`, key, baseURL)
	if oauthOn {
		fmt.Fprintf(w, `
 or without the header, then sign in with the key when Claude Code opens the
 browser (/mcp, then Authenticate):

     claude mcp add --transport http skillgate %[1]s/mcp
`, baseURL)
	}
	fmt.Fprintf(w, `
 Manage keys in the browser: open %[2]s/dashboard and sign in with the key.

 Or try it with curl:

     curl -sS %[2]s/mcp -H "Authorization: Bearer %[1]s" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
================================================================================

`, key, baseURL)
}

// accessLog turns server.access_log, already validated, into the server's
// setting.
func accessLog(level string) mcpserver.AccessLog {
	switch level {
	case config.AccessLogAll:
		return mcpserver.AccessLogAll
	case config.AccessLogOff:
		return mcpserver.AccessLogOff
	}
	return mcpserver.AccessLogRefused
}
