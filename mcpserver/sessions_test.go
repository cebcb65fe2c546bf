package mcpserver

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
)

// clock is a settable time source.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSessionsOwnershipAndExpiry(t *testing.T) {
	clk := &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
	s := newSessions(time.Minute, clk.now)
	alice := auth.Principal{Source: auth.SourceManagedKey, CredentialID: "key_alice"}
	bob := auth.Principal{Source: auth.SourceManagedKey, CredentialID: "key_bob"}
	id := s.open(alice, kindStreamable)
	if !strings.HasPrefix(id, sessionIDPrefix) || len(id) != len(sessionIDPrefix)+43 {
		t.Fatalf("session id %q is not %s + 256 random bits", id, sessionIDPrefix)
	}

	steps := []struct {
		name    string
		advance time.Duration
		owner   string
		wantErr bool
	}{
		{"owner", 0, alice.Identity(), false},
		{"other caller", 0, bob.Identity(), true},
		{"owner just before the ttl", 59 * time.Second, alice.Identity(), false},
		// Use refreshes the idle clock, so this is 59s idle, not 118s.
		{"owner again, kept alive", 59 * time.Second, alice.Identity(), false},
		{"idle past the ttl", 61 * time.Second, alice.Identity(), true},
		{"gone for good", 0, alice.Identity(), true},
	}
	for _, st := range steps {
		clk.t = clk.t.Add(st.advance)
		_, _, err := s.use(id, st.owner)
		if (err != nil) != st.wantErr {
			t.Fatalf("%s: use error = %v, want error %v", st.name, err, st.wantErr)
		}
	}
}

func TestSessionsSweepAbandoned(t *testing.T) {
	clk := &clock{t: time.Now()}
	s := newSessions(time.Minute, clk.now)
	p := auth.Principal{Source: auth.SourceStaticKey, CredentialID: "static:a"}
	for range 100 {
		s.open(p, kindStreamable)
	}
	stream := s.open(p, kindSSE)
	clk.t = clk.t.Add(2 * time.Minute)
	s.open(p, kindStreamable) // opening sweeps what idled out
	if n := s.len(); n != 2 {
		t.Errorf("%d sessions left after sweep, want 2 (the new one and the open SSE stream)", n)
	}
	// A quiet SSE client keeps its session while its stream is open.
	if _, _, err := s.use(stream, p.Identity()); err != nil {
		t.Errorf("idle SSE session with an open stream refused: %v", err)
	}
	s.closeSSE(stream)
	if _, _, err := s.use(stream, p.Identity()); err == nil {
		t.Error("SSE session still usable after its stream ended")
	}
}

func TestSessionManagerFailsClosed(t *testing.T) {
	s := newSessions(time.Minute, time.Now)
	owner := auth.Principal{Source: auth.SourceStaticKey, CredentialID: "static:a"}
	req := httptest.NewRequest("POST", "/mcp", nil)
	authed := req.WithContext(auth.NewContext(req.Context(), owner))

	id := s.ResolveSessionIdManager(authed).Generate()
	if _, err := s.ResolveSessionIdManager(authed).Validate(id); err != nil {
		t.Fatalf("owner's session refused: %v", err)
	}
	if _, err := s.ResolveSessionIdManager(req).Validate(id); err == nil {
		t.Error("a request without a caller validated a session")
	}
	anon := s.ResolveSessionIdManager(req).Generate()
	if _, err := s.ResolveSessionIdManager(authed).Validate(anon); err == nil {
		t.Error("an id generated without a caller was later accepted")
	}
	// mcp-go's idle sweeper resolves with a nil request to terminate.
	if _, err := s.ResolveSessionIdManager(nil).Terminate(id); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ResolveSessionIdManager(authed).Validate(id); err == nil {
		t.Error("a terminated session validated")
	}
}
