package mcpserver

import (
	"time"

	"github.com/skillgate/skillgate/auth"
)

// Observer counts what the server does, for metrics; *metrics.Metrics is
// one. It MUST be safe for concurrent use. Paths passed to it are request
// paths without the query string; the Observer MUST reduce them to a
// bounded set of routes before using them as labels.
type Observer interface {
	auth.DecisionObserver
	// Request is told of every answered HTTP request.
	Request(path string, status int, d time.Duration)
	// ToolCall is told of every tools/call: tool as the client named it,
	// the caller's persona ("" when none), and result "ok", "error" or
	// "denied" (refused by the persona or the credential's scopes).
	ToolCall(tool, persona, result string, d time.Duration)
	// RateLimited is told of every request refused with 429.
	RateLimited(path string)
	// QuotaRejected is told of every script run refused for quota.
	QuotaRejected()
}

// Results told to Observer.ToolCall.
const (
	resultOK     = "ok"
	resultError  = "error"
	resultDenied = "denied"
)

// nopObserver stands in for a nil Options.Observer, so that the code that
// observes need not check.
type nopObserver struct{}

func (nopObserver) AuthDecision(string, string)                    {}
func (nopObserver) Request(string, int, time.Duration)             {}
func (nopObserver) ToolCall(string, string, string, time.Duration) {}
func (nopObserver) RateLimited(string)                             {}
func (nopObserver) QuotaRejected()                                 {}

// SessionCounts reports the MCP sessions open now, by transport. Sessions
// that have idled out but not yet been swept are counted until they are.
func (s *Server) SessionCounts() (streamable, sse int) {
	return s.sessions.counts()
}
