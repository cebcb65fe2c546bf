package mcpserver

import (
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/internal/loopback"
)

// hostCheck defends against DNS rebinding: a request that reached a loopback
// listener must name a loopback host or the configured public host. A web
// page that rebinds its own name to 127.0.0.1 cannot pass it.
func (s *Server) hostCheck(next http.Handler) http.Handler {
	publicHost := ""
	if u, err := url.Parse(s.baseURL); err == nil {
		publicHost = u.Host
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		local, _ := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
		if local != nil && loopback.HostPort(local.String()) && !loopback.HostPort(r.Host) && !strings.EqualFold(r.Host, publicHost) {
			apierror.Write(w, apierror.New(http.StatusForbidden, apierror.CodeForbidden,
				"Host header not allowed on a loopback listener",
				"Connect with the host name of server.public_url, or localhost."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests tells the Observer of every request, so that every route is
// counted, refusals included; and logs a line for those the access log
// level selects: method, path (never the query string, which may hold a
// key), status and duration.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		status := rec.status()
		s.observer.Request(r.URL.Path, status, took)
		if !s.accessLog.logs(status) {
			return
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("method", r.Method), slog.String("path", auth.LogPath(r.URL.Path)),
			slog.Int("status", status), slog.Int64("duration_ms", took.Milliseconds()),
			slog.String("remote", r.RemoteAddr))
	})
}

// recoverPanics answers 500 with a structured error if a handler panics,
// instead of letting net/http drop the connection. http.ErrAbortHandler is
// re-raised: it is how a handler deliberately aborts a response.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.log.ErrorContext(r.Context(), "panic serving request", "path", auth.LogPath(r.URL.Path), "panic", v)
			if rec.code == 0 {
				apierror.Write(w, apierror.New(http.StatusInternalServerError, apierror.CodeInternal,
					"Internal server error", "Retry; if it persists, report it with the time of the request."))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// statusRecorder remembers the status written through it. It passes Flush
// and Unwrap through, which SSE streaming needs.
type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *statusRecorder) Flush() {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *statusRecorder) status() int {
	if r.code == 0 {
		return http.StatusOK
	}
	return r.code
}
