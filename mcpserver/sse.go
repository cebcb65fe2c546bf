package mcpserver

import (
	"context"
	"errors"
	"net/http"

	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/apierror"
)

// Paths of the legacy SSE transport.
const (
	ssePath     = "/sse"
	messagePath = "/message"
)

func (s *Server) newSSEServer() *server.SSEServer {
	return server.NewSSEServer(s.mcp,
		server.WithSSEEndpoint(ssePath),
		server.WithMessageEndpoint(messagePath),
		// A relative endpoint is same-origin by construction, whatever
		// host name the client used. The client's query string (which may
		// hold its key) is never appended to it.
		server.WithUseFullURLForMessageEndpoint(false),
		server.WithKeepAlive(true),
		// Host checks are done once, for every route, by hostCheck.
		server.WithSSEDisableLocalhostProtection(true),
		server.WithSessionIDGenerator(func(ctx context.Context, _ *http.Request) (string, error) {
			p, ok := auth.FromContext(ctx)
			if !ok {
				return "", errors.New("no authenticated caller")
			}
			return s.sessions.open(p, kindSSE), nil
		}),
	)
}

// serveSSEMessage authenticates a message posted to an SSE session. A client
// that sent its key in the /sse query string cannot send it here (the key is
// never copied into the message URL), so the session id, 256 random bits
// bound to the caller who opened the stream, stands for that caller; the
// caller's credential is checked again on every message, so a revoked key
// stops working at once. A client that does send a credential must be the
// session's owner.
//
// A credential sent is checked first, so that a refused one is always a 401
// whatever the session id; a request with neither a credential nor a live
// session is a 401 too, with the challenge that starts authorization.
func (s *Server) serveSSEMessage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		apierror.Write(w, apierror.New(http.StatusMethodNotAllowed, apierror.CodeMethodNotAllowed,
			"Use POST to send messages to an SSE session", ""))
		return
	}
	var (
		p      auth.Principal
		hasKey bool
	)
	switch cred, err := auth.CredentialFromRequest(r, s.queryParams); {
	case errors.Is(err, auth.ErrNoCredential):
	case err != nil:
		s.sseAuth.Deny(w, r, err)
		return
	default:
		if p, err = s.authn.Authenticate(r.Context(), cred.Token); err != nil {
			s.sseAuth.Deny(w, r, err)
			return
		}
		s.sseAuth.Admitted(p)
		hasKey = true
	}
	owner, kind, err := s.sessions.use(r.URL.Query().Get("sessionId"), "")
	switch {
	case (err != nil || kind != kindSSE) && !hasKey:
		s.sseAuth.Deny(w, r, auth.ErrNoCredential)
		return
	case err != nil || kind != kindSSE:
		writeNoSession(w)
		return
	case hasKey:
		if !p.SameIdentity(owner) {
			writeNoSession(w)
			return
		}
	default:
		if p, err = s.authn.Recheck(r.Context(), owner); err != nil {
			s.sseAuth.Deny(w, r, err)
			return
		}
	}
	r = auth.WithoutQueryCredentials(r, s.queryParams)
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
	s.admit(s.sseAuth, s.sse.MessageHandler()).ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), p)))
}
