package mcpserver

import (
	"net/http"

	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/apierror"
)

// sessionGuard refuses, before mcp-go sees it, any streamable HTTP request
// whose Mcp-Session-Id is unknown, expired or owned by another caller.
// mcp-go alone would accept any well-formed id on GET and DELETE.
func (s *Server) sessionGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok {
			// The auth middleware runs first; reaching here without a
			// principal is a wiring bug, and it fails closed.
			apierror.Write(w, apierror.New(http.StatusUnauthorized, apierror.CodeAccessDenied, "API key required", ""))
			return
		}
		id := r.Header.Get(server.HeaderKeySessionID)
		if id == "" {
			switch r.Method {
			case http.MethodGet, http.MethodDelete:
				apierror.Write(w, apierror.New(http.StatusBadRequest, apierror.CodeInvalidRequest,
					"Mcp-Session-Id header required",
					"Send initialize first and pass the Mcp-Session-Id it returns."))
				return
			}
			// POST without a session: initialize, or a stateless request
			// of a protocol without sessions; authenticated either way.
			next.ServeHTTP(w, r)
			return
		}
		if _, kind, err := s.sessions.use(id, p.Identity()); err != nil || kind != kindStreamable {
			writeNoSession(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeNoSession(w http.ResponseWriter) {
	apierror.Write(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
		"Unknown or expired session",
		"Start a new session with initialize; sessions belong to the credential that opened them."))
}
