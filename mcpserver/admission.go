package mcpserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/ratelimit"
)

// admit enforces a credential's limits on an authenticated MCP request
// before mcp-go sees it, in the order keys services use, so that a request
// refused early never spends what a later check counts:
//
//  1. key state: checked by authentication, before this;
//  2. scope: a tools/call or resources/read without the scope it needs is
//     refused here with 403 insufficient_scope;
//  3. persona, drives and the key's own skill list: a call they refuse is
//     answered by the tool (as "not found"), and spends no rate;
//  4. rate limit: 429 when the credential's per-minute budget is spent;
//  5. quota: spent by run_skill_script itself, after every other check.
//
// authn is the authentication of the transport, whose resource metadata
// the 403 challenge names.
func (s *Server) admit(authn *auth.Middleware, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := s.callerFrom(r.Context())
		if err != nil {
			// No persona: the gate refuses every method with the reason.
			next.ServeHTTP(w, r)
			return
		}
		charge := true
		if r.Method == http.MethodPost {
			// A batch is charged unless every message in it is refused.
			counted, refusedAll := 0, true
			body, err := io.ReadAll(r.Body)
			if err != nil {
				writeBodyError(w, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			msgs := jsonRPCMessages(body)
			if len(msgs) == 1 {
				// The gate sees the same message again; it may reuse
				// this decoding instead of decoding it a second time.
				r = r.WithContext(withAdmitted(r.Context(), admitted{raw: body, msg: msgs[0]}))
			}
			for _, msg := range msgs {
				need, refused := s.requirement(c, msg)
				if need != "" && !c.can(need) {
					if msg.Method == string(mcp.MethodToolsCall) {
						s.observer.ToolCall(msg.Params.Name, c.persona.Name, resultDenied, 0)
					}
					authn.WriteInsufficientScope(w, c.scopes, need,
						"This call needs the "+need+" scope, which this credential does not hold")
					return
				}
				counted++
				refusedAll = refusedAll && refused
			}
			charge = counted == 0 || !refusedAll
		}
		if charge && !s.allowRate(w, r, c) {
			return
		}
		ctx := withCallerContext(withClientAddr(r.Context(), r.RemoteAddr), c)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// allowRate spends one request of the caller's per-minute budget, setting
// the RateLimit headers, or answers 429 and returns false.
func (s *Server) allowRate(w http.ResponseWriter, r *http.Request, c caller) bool {
	limit := c.principal.RateLimitPerMinute
	if s.limiter == nil || limit <= 0 {
		return true
	}
	d, err := s.limiter.Allow(r.Context(), c.principal.Identity(), limit)
	if err != nil {
		// Fail closed: a limiter that cannot answer does not let
		// unlimited traffic through.
		s.log.ErrorContext(r.Context(), "rate limiter failed", "err", err)
		apierror.Write(w, apierror.New(http.StatusServiceUnavailable, apierror.CodeUnavailable,
			"Rate limiting is temporarily unavailable", "Retry in a few seconds."))
		return false
	}
	if !d.Allowed {
		s.log.InfoContext(r.Context(), "rate limited", "caller", c.principal.Identity(), "limit", limit)
		s.observer.RateLimited(r.URL.Path)
		ratelimit.WriteLimited(w, d)
		return false
	}
	ratelimit.SetHeaders(w.Header(), d)
	return true
}

// admitted is the one message of a request body as admission decoded it.
type admitted struct {
	raw []byte
	msg rpcMessage
}

type admittedKey struct{}

func withAdmitted(ctx context.Context, a admitted) context.Context {
	return context.WithValue(ctx, admittedKey{}, a)
}

// admittedMessage returns admission's decoding of raw, if admission
// decoded exactly these bytes: the comparison is what makes the reuse
// safe, since the gate must judge the message mcp-go is about to handle.
func admittedMessage(ctx context.Context, raw []byte) (rpcMessage, bool) {
	a, ok := ctx.Value(admittedKey{}).(admitted)
	if !ok || !bytes.Equal(a.raw, raw) {
		return rpcMessage{}, false
	}
	return a.msg, true
}

// rpcMessage is the part of a JSON-RPC request that admission looks at.
//
// Only the method and the tool name are typed: a field that mcp-go ignores
// for a method (uri for tools/call, say) or accepts in any JSON type
// (arguments) must not make the decoding fail, or the checks that depend
// on it would be skipped for that message.
type rpcMessage struct {
	Method string `json:"method"`
	Params struct {
		Name      string          `json:"name"`
		URI       json.RawMessage `json:"uri"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"params"`
}

// uri returns the uri parameter, if it is a string.
func (m rpcMessage) uri() string {
	var u string
	_ = json.Unmarshal(m.Params.URI, &u)
	return u
}

// skillID returns the skill_id argument, if the arguments are an object
// holding a string one.
func (m rpcMessage) skillID() (string, bool) {
	var args struct {
		SkillID any `json:"skill_id"`
	}
	if json.Unmarshal(m.Params.Arguments, &args) != nil {
		return "", false
	}
	id, ok := args.SkillID.(string)
	return id, ok
}

// jsonRPCMessages decodes a message or a batch. What does not decode is
// left to mcp-go, which answers it with a JSON-RPC parse error.
func jsonRPCMessages(body []byte) []rpcMessage {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		var batch []rpcMessage
		if json.Unmarshal(body, &batch) != nil {
			return nil
		}
		return batch
	}
	var m rpcMessage
	if json.Unmarshal(body, &m) != nil {
		return nil
	}
	return []rpcMessage{m}
}

// requirement returns the scope a message needs ("" for none), and whether
// a check after the scope (persona, drives, the key's skill list, an
// unknown tool) will refuse it anyway.
func (s *Server) requirement(c caller, m rpcMessage) (scope string, refused bool) {
	switch m.Method {
	case string(mcp.MethodToolsCall):
		if !c.persona.AllowsTool(m.Params.Name) || s.mcp.GetTool(m.Params.Name) == nil {
			return "", true
		}
		scope = toolScope(m.Params.Name)
		if id, ok := m.skillID(); ok {
			_, err := s.skill(c, id)
			return scope, err != nil
		}
		return scope, false
	case string(mcp.MethodResourcesRead):
		id, ok := skillIDFromURI(m.uri())
		if !ok {
			return auth.ScopeSkillsRead, true
		}
		_, err := s.skill(c, id)
		return auth.ScopeSkillsRead, err != nil
	}
	return "", false
}

type clientAddrKey struct{}

func withClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// clientAddr returns the network address of the client that sent the
// request being handled, if known.
func clientAddr(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}
