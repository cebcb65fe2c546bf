package apikey

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

func openDB(t testing.TB) *sqlite.DB {
	t.Helper()
	return openDBAt(t, filepath.Join(t.TempDir(), "keys.db"))
}

func openDBAt(t testing.TB, path string, opts ...sqlite.Option) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// clock is a settable time source shared by a Manager and a verifier.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)} }

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// roleScopes is the personas' scope ceiling the tests use.
func roleScopes(roles []string) []string {
	for _, r := range roles {
		if r == "admin" {
			return []string{auth.ScopeAdmin}
		}
	}
	for _, r := range roles {
		if r == "agent" {
			return []string{auth.ScopeSkillsRead, auth.ScopeSkillsExecute, auth.ScopeKeysRead, auth.ScopeKeysWrite}
		}
	}
	return []string{auth.ScopeSkillsRead}
}

// auditTrail is a Recorder that keeps events in memory for assertions.
type auditTrail struct {
	mu     sync.Mutex
	events []store.AuditEvent
}

func (a *auditTrail) Record(_ context.Context, e store.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
}

func (a *auditTrail) actions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []string
	for _, e := range a.events {
		out = append(out, e.Action+":"+e.Result)
	}
	return out
}

type fixture struct {
	db       *sqlite.DB
	clock    *clock
	manager  *Manager
	verifier *Managed
	audit    *auditTrail
}

func newFixture(t *testing.T, edit func(*Policy)) *fixture {
	t.Helper()
	f := &fixture{db: openDB(t), clock: newClock(), audit: &auditTrail{}}
	p := Policy{RotationGrace: 7 * 24 * time.Hour, MaxRotationGrace: 30 * 24 * time.Hour, RoleScopes: roleScopes}
	if edit != nil {
		edit(&p)
	}
	m, err := NewManager(f.db, f.audit, p, f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	f.manager = m
	f.verifier = NewManaged(f.db, ManagedOptions{Now: f.clock.now})
	return f
}

var admin = Actor{
	Principal: auth.Principal{Subject: "root", CredentialID: "static:root", User: "root", Roles: []string{"admin"}, Source: auth.SourceStaticKey},
	Scopes:    []string{auth.ScopeAdmin},
}

// create makes a key as admin and fails the test on error.
func (f *fixture) create(t *testing.T, p CreateParams) Created {
	t.Helper()
	if p.Name == "" {
		p.Name = "test key"
	}
	if p.User == "" && p.Org == "" && p.ParentID == "" {
		p.User = "alice"
	}
	if p.Roles == nil && p.ParentID == "" {
		p.Roles = []string{"agent"}
	}
	c, err := f.manager.Create(context.Background(), admin, p)
	if err != nil {
		t.Fatalf("Create(%+v): %v", p, err)
	}
	return c
}

// actor authenticates secret and returns the Actor it makes.
func (f *fixture) actor(t *testing.T, secret string) Actor {
	t.Helper()
	p, err := f.verifier.Verify(context.Background(), secret)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return Actor{Principal: p, Scopes: auth.Effective(p.Scopes, roleScopes(p.Roles))}
}
