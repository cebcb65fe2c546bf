package mcpserver

import (
	"net/http"

	"github.com/skillgate/skillgate/internal/apierror"
)

// mcpPath is the streamable HTTP endpoint.
const mcpPath = "/mcp"

// Handler returns the HTTP handler of every route skillgate serves.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})

	mcp := s.mcpAuth.Wrap(s.sessionGuard(s.admit(s.mcpAuth, s.streamable)))
	// Both spellings are served as they are: a redirect would lose the
	// method and body of a POST in some clients.
	mux.Handle(mcpPath, mcp)
	mux.Handle(mcpPath+"/", mcp)
	mux.Handle("GET "+ssePath, s.sseAuth.Wrap(s.admit(s.sseAuth, s.sse.SSEHandler())))
	mux.HandleFunc(ssePath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", http.MethodGet)
		apierror.Write(w, apierror.New(http.StatusMethodNotAllowed, apierror.CodeMethodNotAllowed,
			"The SSE endpoint only accepts GET", "Use POST "+mcpPath+" for streamable HTTP."))
	})
	mux.HandleFunc(messagePath, s.serveSSEMessage)
	if s.api != nil {
		mux.Handle("/v1/", s.api)
	}
	if s.metrics != nil {
		mux.Handle("GET "+metricsPath, s.metricsAuth.Wrap(s.requireAdmin(s.metrics)))
	}
	for _, m := range s.mounts {
		m.Mount(mux)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		apierror.Write(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
			"No such endpoint", "MCP clients connect to "+s.baseURL+mcpPath+" (streamable HTTP) or "+s.baseURL+ssePath+" (SSE)."))
	})
	return s.recoverPanics(s.logRequests(s.hostCheck(s.originCheck(s.cors(mux)))))
}
