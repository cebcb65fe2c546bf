package config

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
)

// Validate reports every problem with c as Problems, or nil. Zero fields
// count as their defaults. Problems found this way carry no file or line;
// use Problems.InFile to name the file. Load validates already; call
// Validate again after overriding fields (with flags, say).
func (c *Config) Validate() error {
	if ps := c.validate(func(string) int { return 0 }); len(ps) > 0 {
		return ps
	}
	return nil
}

// validate checks c, using lineOf to find the line a field is written on
// (0 when unknown).
func (c *Config) validate(lineOf func(field string) int) Problems {
	v := &validator{lineOf: lineOf}
	v.server(c.Server)
	v.storage(c.Storage)
	v.auth(c.Auth)
	if c.Auth.OAuth.On() {
		for i, p := range c.Auth.OIDC.Providers {
			if p.Issuer == c.Server.BaseURL() {
				v.add(indexField("auth.oidc.providers", i)+".issuer", "is skillgate's own issuer (server.public_url); its tokens are verified without listing it")
			}
		}
	}
	v.personas(c.Personas)
	v.skills(c.Skills)
	return v.problems
}

// validator collects problems; its messages never include a configured
// value, only field paths, mapping keys and lines.
type validator struct {
	lineOf   func(field string) int
	problems Problems
}

func (v *validator) add(field, format string, args ...any) {
	v.problems = append(v.problems, Problem{
		Line:    v.lineOf(field),
		Field:   field,
		Message: fmt.Sprintf(format, args...),
	})
}

// ref names another field for a message, with its line when known.
func (v *validator) ref(field string) string {
	if line := v.lineOf(field); line > 0 {
		return fmt.Sprintf("%s (line %d)", field, line)
	}
	return field
}

func (v *validator) server(s Server) {
	for i, o := range s.AllowedOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
			v.add(indexField("server.allowed_origins", i), "not an origin: write scheme://host[:port], like https://inspector.example.com, or * for any")
		}
	}
	if s.Addr != "" {
		if msg := checkAddr(s.Addr); msg != "" {
			v.add("server.addr", "%s", msg)
		}
	}
	if s.MetricsAddr != "" {
		if msg := checkAddr(s.MetricsAddr); msg != "" {
			v.add("server.metrics_addr", "%s", msg)
		} else if _, port, _ := net.SplitHostPort(s.MetricsAddr); s.MetricsAddr == s.Addr && port != "0" {
			v.add("server.metrics_addr", "must differ from server.addr: metrics are served on a listener of their own")
		}
	}
	if s.PublicURL != "" {
		if msg := checkOrigin(s.PublicURL); msg != "" {
			v.add("server.public_url", "%s", msg)
		}
	}
	if s.SessionIdleTTL < 0 {
		v.add("server.session_idle_ttl", "must not be negative")
	}
	if s.Sessions != "" && s.Sessions != SessionsStateful && s.Sessions != SessionsStateless {
		v.add("server.sessions", "must be %q (sessions live in the replica that opened them) or %q (no sessions; any replica serves any request)",
			SessionsStateful, SessionsStateless)
	}
	switch s.AccessLog {
	case "", AccessLogAll, AccessLogRefused, AccessLogOff:
	default:
		v.add("server.access_log", "must be %q (every request), %q (status 400 and above) or %q",
			AccessLogAll, AccessLogRefused, AccessLogOff)
	}
}

func (v *validator) storage(s Storage) {
	switch s.Driver {
	case "", DriverSQLite:
		if s.DSN != "" {
			v.add("storage.dsn", "is for driver %q; the SQLite database lives in storage.data_dir", DriverPostgres)
		}
	case DriverPostgres:
		if s.DSN == "" {
			v.add("storage.dsn", "is required with driver %q: write postgres://USER@HOST:5432/DATABASE, with the password as ${ENV_VAR}", DriverPostgres)
		}
	default:
		v.add("storage.driver", "unknown driver; use %q or %q", DriverSQLite, DriverPostgres)
	}
	if s.MaxConns < 0 {
		v.add("storage.max_conns", "must not be negative")
	}
}

func (v *validator) skills(s Skills) {
	if s.ScriptTimeout < 0 {
		v.add("skills.script_timeout", "must not be negative")
	}
	if s.MaxOutputBytes < 0 {
		v.add("skills.max_output_bytes", "must not be negative")
	}
}

// checkAddr returns what is wrong with a listen address, or "".
func checkAddr(addr string) string {
	const want = "must be host:port, like 127.0.0.1:8080 or :8080"
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return want
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return want + " (port 0-65535)"
	}
	return ""
}

// checkOrigin returns what is wrong with a public URL, or "". It must be
// an absolute http or https origin: scheme://host[:port] and nothing more.
func checkOrigin(s string) string {
	const want = "must be an http(s) origin like https://skills.example.com"
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return want
	case u.Scheme != "http" && u.Scheme != "https":
		return want + " (scheme must be http or https)"
	case u.Opaque != "" || u.Host == "":
		return want + " (host missing)"
	case u.User != nil:
		return want + " (no user or password)"
	case u.Path == "/":
		return want + " (no trailing slash)"
	case u.Path != "" || u.RawPath != "":
		return want + " (no path)"
	case u.RawQuery != "" || u.ForceQuery:
		return want + " (no query)"
	case u.Fragment != "" || u.RawFragment != "":
		return want + " (no fragment)"
	}
	if u.Port() != "" {
		if n, err := strconv.Atoi(u.Port()); err != nil || n < 1 || n > 65535 {
			return want + " (port 1-65535)"
		}
	} else if u.Hostname() == "" {
		return want + " (host missing)"
	}
	return ""
}
