package mcpserver

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/auth"
)

// errNoSession is returned for a session id that is unknown, expired or
// owned by someone else. The three are one answer on purpose: telling them
// apart would let a caller probe for other callers' sessions.
var errNoSession = errors.New("unknown or expired session")

// sessionKind tells streamable HTTP sessions (which outlive connections) from
// SSE sessions (which end with their stream).
type sessionKind int

const (
	kindStreamable sessionKind = iota
	kindSSE
)

// sessionIDPrefix marks skillgate's session ids; the rest is 256 random bits,
// because a legacy SSE session id is the capability a header-less client
// posts its messages with.
const sessionIDPrefix = "sg-"

type sessionEntry struct {
	owner     string
	principal auth.Principal
	kind      sessionKind
	lastSeen  time.Time
}

// expired reports whether the session has idled out. An SSE session lives
// exactly as long as its stream (closeSSE ends it), however quiet the
// client is; a streamable HTTP session has no connection to tell, so it
// idles out.
func (e *sessionEntry) expired(now time.Time, ttl time.Duration) bool {
	return e.kind == kindStreamable && ttl > 0 && now.Sub(e.lastSeen) > ttl
}

// sessions records who opened each MCP session. It is safe for concurrent use.
type sessions struct {
	ttl time.Duration
	now func() time.Time

	mu        sync.Mutex
	byID      map[string]*sessionEntry
	lastSweep time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{ttl: ttl, now: now, byID: make(map[string]*sessionEntry), lastSweep: now()}
}

func newSessionID() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (Go 1.24+)
	return sessionIDPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// open records a new session owned by p and returns its id.
func (s *sessions) open(p auth.Principal, kind sessionKind) string {
	id := newSessionID()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[id] = &sessionEntry{owner: p.Identity(), principal: p, kind: kind, lastSeen: now}
	// Expired entries are swept now and then while sessions are opened, so
	// abandoned sessions cannot pile up without a background goroutine.
	if s.ttl > 0 && now.Sub(s.lastSweep) > s.ttl/2 {
		for id, e := range s.byID {
			if e.expired(now, s.ttl) {
				delete(s.byID, id)
			}
		}
		s.lastSweep = now
	}
	return id
}

// use checks that session id exists, has not idled out and is owned by the
// caller with identity owner (empty owner: anyone, for capability use), and
// marks it used. It returns the entry's principal.
func (s *sessions) use(id, owner string) (auth.Principal, sessionKind, error) {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return auth.Principal{}, 0, errNoSession
	}
	if e.expired(now, s.ttl) {
		delete(s.byID, id)
		return auth.Principal{}, 0, errNoSession
	}
	if owner != "" && e.owner != owner {
		return auth.Principal{}, 0, errNoSession
	}
	e.lastSeen = now
	return e.principal, e.kind, nil
}

// close forgets session id.
func (s *sessions) close(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// closeSSE forgets id if it is an SSE session (whose stream has ended).
func (s *sessions) closeSSE(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.byID[id]; ok && e.kind == kindSSE {
		delete(s.byID, id)
	}
}

// len reports how many sessions are open.
func (s *sessions) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byID)
}

// counts reports how many sessions of each kind are open.
func (s *sessions) counts() (streamable, sse int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.byID {
		if e.kind == kindSSE {
			sse++
		} else {
			streamable++
		}
	}
	return streamable, sse
}

// ResolveSessionIdManager implements server.SessionIdManagerResolver: the
// manager it returns is bound to the request's caller, so a session id is
// generated for, and validated against, the identity in the request context.
// mcp-go's idle sweeper passes a nil request; its manager can only terminate.
func (s *sessions) ResolveSessionIdManager(r *http.Request) server.SessionIdManager {
	m := &sessionManager{sessions: s}
	if r != nil {
		m.principal, m.authenticated = auth.FromContext(r.Context())
	}
	return m
}

// sessionManager implements server.SessionIdManager for one request.
type sessionManager struct {
	sessions      *sessions
	principal     auth.Principal
	authenticated bool
}

func (m *sessionManager) Generate() string {
	if !m.authenticated {
		// Unreachable behind the auth middleware; an id nobody owns can never
		// be validated, so this fails closed.
		return newSessionID()
	}
	return m.sessions.open(m.principal, kindStreamable)
}

func (m *sessionManager) Validate(id string) (isTerminated bool, err error) {
	if !m.authenticated {
		return false, errNoSession
	}
	_, _, err = m.sessions.use(id, m.principal.Identity())
	return false, err
}

func (m *sessionManager) Terminate(id string) (isNotAllowed bool, err error) {
	m.sessions.close(id)
	return false, nil
}
