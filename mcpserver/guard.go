package mcpserver

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/apierror"
)

// maxRequestBody bounds a JSON-RPC message posted to /mcp or /message.
const maxRequestBody = 4 << 20

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
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		if s.stateless {
			s.serveStateless(w, r, next)
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
			s.serveSessionless(w, r, next)
			return
		}
		if _, kind, err := s.sessions.use(id, p.Identity()); err != nil || kind != kindStreamable {
			writeNoSession(w)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// serveStateless serves a request when sessions are off. A session id the
// client still sends (one issued before a switch to stateless, say) is
// dropped rather than trusted: no replica keeps sessions, so none can
// check it.
func (s *Server) serveStateless(w http.ResponseWriter, r *http.Request, next http.Handler) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		apierror.Write(w, apierror.New(http.StatusMethodNotAllowed, apierror.CodeMethodNotAllowed,
			"This server keeps no MCP sessions, so it offers no stream to GET and no session to DELETE",
			"POST each JSON-RPC message to /mcp; no Mcp-Session-Id is needed."))
		return
	}
	r.Header.Del(server.HeaderKeySessionID)
	s.serveSessionless(w, r, next)
}

// serveSessionless passes on a POST that carries no session, except a
// cancellation. mcp-go files the in-flight requests of every sessionless
// caller under the same empty session id, so a notifications/cancelled from
// one caller would cancel another caller's request with the same JSON-RPC
// id. Without sessions a client cancels by closing its request, so these
// notifications are acknowledged and dropped.
func (s *Server) serveSessionless(w http.ResponseWriter, r *http.Request, next http.Handler) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeBodyError(w, err)
		return
	}
	// Decoded, not searched for: a JSON escape ("notifications\/cancelled")
	// spells the same method in other bytes.
	var msg struct {
		Method string `json:"method"`
	}
	if json.Unmarshal(body, &msg) == nil && msg.Method == string(mcp.MethodNotificationCancelled) {
		w.WriteHeader(http.StatusAccepted)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	next.ServeHTTP(w, r)
}

// writeBodyError answers a request whose body could not be read.
func writeBodyError(w http.ResponseWriter, err error) {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		apierror.Write(w, apierror.New(http.StatusRequestEntityTooLarge, apierror.CodeInvalidRequest,
			fmt.Sprintf("Request body larger than %d bytes", maxRequestBody), "Send smaller messages."))
		return
	}
	apierror.Write(w, apierror.New(http.StatusBadRequest, apierror.CodeInvalidRequest,
		"The request body could not be read", ""))
}

func writeNoSession(w http.ResponseWriter) {
	apierror.Write(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
		"Unknown or expired session",
		"Start a new session with initialize; sessions belong to the credential that opened them."))
}
