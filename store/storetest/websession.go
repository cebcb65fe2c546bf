package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// newWebSession returns a session of a managed key signed in at created,
// for an hour.
func newWebSession(t testing.TB, credentialID string, created time.Time) store.WebSession {
	t.Helper()
	return store.WebSession{
		Hash: randomHash(t),
		Identity: store.OAuthIdentity{
			Source:       "managed_key",
			CredentialID: credentialID,
			SecretID:     randomHex(t, 32),
			User:         "alice",
			Roles:        []string{"admin"},
		},
		CreatedAt: created,
		ExpiresAt: created.Add(time.Hour),
	}
}

func createWebSession(t *testing.T, s store.WebSessions, ws store.WebSession) {
	t.Helper()
	if err := s.CreateWebSession(t.Context(), ws); err != nil {
		t.Fatalf("CreateWebSession of %s: %v", ws.Identity.Key(), err)
	}
}

// checkWebSession fails t unless the session with want's hash is want as
// stored (times in UTC to the microsecond, empty lists nil) at now.
func checkWebSession(t *testing.T, s store.WebSessions, want store.WebSession, now time.Time) {
	t.Helper()
	got, err := s.WebSession(t.Context(), want.Hash, now)
	if err != nil {
		t.Fatalf("WebSession of %s: %v", want.Identity.Key(), err)
	}
	want.CreatedAt, want.ExpiresAt = micro(want.CreatedAt), micro(want.ExpiresAt)
	want.Identity = storedIdentity(want.Identity)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("web session of %s:\n got %#v\nwant %#v", want.Identity.Key(), got, want)
	}
}

// liveWebSessions returns how many of sessions WebSession finds at now.
func liveWebSessions(t *testing.T, s store.WebSessions, now time.Time, sessions ...store.WebSession) int {
	t.Helper()
	n := 0
	for _, ws := range sessions {
		_, err := s.WebSession(t.Context(), ws.Hash, now)
		switch {
		case err == nil:
			n++
		case !errors.Is(err, store.ErrNotFound):
			t.Fatalf("WebSession of %s: %v", ws.Identity.Key(), err)
		}
	}
	return n
}

func testWebSession(t *testing.T, s store.Store) {
	ctx := t.Context()
	ws := newWebSession(t, "key_alice", oauthT0.Add(123456789*time.Nanosecond))
	ws.Identity.Teams = []string{} // read back as nil
	createWebSession(t, s, ws)
	checkWebSession(t, s, ws, oauthT0)

	// An identity-provider user's session: no credential.
	user := store.WebSession{
		Hash: randomHash(t),
		Identity: store.OAuthIdentity{Source: "oidc", Issuer: "https://idp.example",
			Subject: "248289761001", User: "bob@example.com", Org: "acme", Teams: []string{"platform"}},
		CreatedAt: oauthT0,
		ExpiresAt: oauthT0.Add(24 * time.Hour),
	}
	createWebSession(t, s, user)
	checkWebSession(t, s, user, oauthT0)

	expiry := micro(ws.ExpiresAt)
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"a microsecond before expiry", func() error {
			_, err := s.WebSession(ctx, ws.Hash, expiry.Add(-time.Microsecond))
			return err
		}, nil},
		{"at expiry", func() error { _, err := s.WebSession(ctx, ws.Hash, expiry); return err }, store.ErrNotFound},
		{"after expiry", func() error { _, err := s.WebSession(ctx, ws.Hash, expiry.Add(time.Hour)); return err }, store.ErrNotFound},
		{"unknown", func() error { _, err := s.WebSession(ctx, randomHash(t), oauthT0); return err }, store.ErrNotFound},
		{"empty hash", func() error { _, err := s.WebSession(ctx, nil, oauthT0); return err }, store.ErrNotFound},
		{"taken hash", func() error {
			dup := newWebSession(t, "key_mallory", oauthT0)
			dup.Hash = ws.Hash
			return s.CreateWebSession(ctx, dup)
		}, store.ErrExists},
		{"delete unknown", func() error { return s.DeleteWebSession(ctx, randomHash(t)) }, store.ErrNotFound},
	}
	for _, tc := range tests {
		if err := tc.do(); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	// The refused duplicate changed nothing.
	checkWebSession(t, s, ws, oauthT0)

	// Sign-out: the session is gone, once; the other stays. An expired
	// session not yet pruned is still there to delete.
	for i, want := range []error{nil, store.ErrNotFound} {
		if err := s.DeleteWebSession(ctx, ws.Hash); !errors.Is(err, want) {
			t.Errorf("DeleteWebSession #%d: got %v, want %v", i+1, err, want)
		}
	}
	if _, err := s.WebSession(ctx, ws.Hash, oauthT0); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("WebSession after DeleteWebSession: got %v, want ErrNotFound", err)
	}
	checkWebSession(t, s, user, oauthT0)
	expired := newWebSession(t, "key_alice", oauthT0.Add(-2*time.Hour))
	createWebSession(t, s, expired)
	if err := s.DeleteWebSession(ctx, expired.Hash); err != nil {
		t.Errorf("DeleteWebSession of an expired session: %v", err)
	}
}

// testWebSessionInvalid checks that every backend refuses what Validate
// refuses, before writing anything.
func testWebSessionInvalid(t *testing.T, s store.Store) {
	tests := []struct {
		name   string
		change func(ws *store.WebSession)
	}{
		{"no hash", func(ws *store.WebSession) { ws.Hash = nil }},
		{"short hash", func(ws *store.WebSession) { ws.Hash = ws.Hash[:31] }},
		{"long hash", func(ws *store.WebSession) { ws.Hash = append(ws.Hash, 0) }},
		{"no source", func(ws *store.WebSession) { ws.Identity.Source = "" }},
		{"zero created", func(ws *store.WebSession) { ws.CreatedAt = time.Time{} }},
		{"zero expiry", func(ws *store.WebSession) { ws.ExpiresAt = time.Time{} }},
		{"expires when created", func(ws *store.WebSession) { ws.ExpiresAt = ws.CreatedAt }},
		{"expires before created", func(ws *store.WebSession) { ws.ExpiresAt = ws.CreatedAt.Add(-time.Second) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := newWebSession(t, "key_alice", oauthT0)
			tc.change(&ws)
			if err := s.CreateWebSession(t.Context(), ws); !errors.Is(err, store.ErrInvalid) {
				t.Errorf("CreateWebSession: got %v, want ErrInvalid", err)
			}
		})
	}
	// Nothing was written, not even a row no lookup by hash would find.
	if n, err := s.PruneWebSessions(t.Context(), oauthT0.AddDate(100, 0, 0)); err != nil || n != 0 {
		t.Errorf("PruneWebSessions after refused sessions: got %d, %v; want 0, nil", n, err)
	}
}

func testWebSessionsOf(t *testing.T, s store.Store) {
	ctx := t.Context()
	alice1 := newWebSession(t, "key_alice", oauthT0)
	alice2 := newWebSession(t, "key_alice", oauthT0.Add(-2*time.Hour)) // expired, not pruned
	bob := newWebSession(t, "key_bob", oauthT0)
	static := newWebSession(t, "static:admin", oauthT0)
	static.Identity.Source = "static_key"
	user := newWebSession(t, "", oauthT0)
	user.Identity.Source, user.Identity.Subject, user.Identity.Issuer = "oidc", "carol", "https://idp.example"
	for _, ws := range []store.WebSession{alice1, alice2, bob, static, user} {
		createWebSession(t, s, ws)
	}
	steps := []struct {
		name         string
		credentialID string
		want         int
		wantErr      error
		// live are the sessions still found afterwards.
		live []store.WebSession
	}{
		{"unknown credential", "key_nobody", 0, nil, []store.WebSession{alice1, bob, static, user}},
		// Matching is exact, not by prefix.
		{"prefix of a credential", "key_", 0, nil, []store.WebSession{alice1, bob, static, user}},
		{"empty credential id", "", 0, store.ErrInvalid, []store.WebSession{alice1, bob, static, user}},
		{"key with two sessions", "key_alice", 2, nil, []store.WebSession{bob, static, user}},
		{"the same again", "key_alice", 0, nil, []store.WebSession{bob, static, user}},
		{"static key", "static:admin", 1, nil, []store.WebSession{bob, user}},
	}
	all := []store.WebSession{alice1, alice2, bob, static, user}
	for _, st := range steps {
		n, err := s.DeleteWebSessionsOf(ctx, st.credentialID)
		if n != st.want || !errors.Is(err, st.wantErr) {
			t.Errorf("%s: DeleteWebSessionsOf(%q): got %d, %v; want %d, %v", st.name, st.credentialID, n, err, st.want, st.wantErr)
		}
		if got := liveWebSessions(t, s, oauthT0, all...); got != len(st.live) {
			t.Errorf("%s: %d sessions left, want %d", st.name, got, len(st.live))
		}
		for _, ws := range st.live {
			checkWebSession(t, s, ws, oauthT0)
		}
	}
	// The expired session went with its credential's, not later by pruning.
	if n, err := s.PruneWebSessions(ctx, oauthT0); err != nil || n != 0 {
		t.Errorf("PruneWebSessions: got %d, %v; want 0, nil", n, err)
	}
}

func testWebSessionPrune(t *testing.T, s store.Store) {
	ctx := t.Context()
	var sessions []store.WebSession
	for _, expires := range []time.Duration{time.Hour, 2 * time.Hour, 2 * time.Hour, 3 * time.Hour} {
		ws := newWebSession(t, "key_alice", oauthT0)
		ws.ExpiresAt = oauthT0.Add(expires)
		createWebSession(t, s, ws)
		sessions = append(sessions, ws)
	}
	steps := []struct {
		name string
		now  time.Time
		want int
		// live is how many sessions are left.
		live int
	}{
		{"before any expiry", oauthT0.Add(time.Hour - time.Microsecond), 0, 4},
		{"at the first expiry", oauthT0.Add(time.Hour), 1, 3},
		{"the same again", oauthT0.Add(time.Hour), 0, 3},
		{"at two expiries", oauthT0.Add(2 * time.Hour), 2, 1},
		{"far later", oauthT0.AddDate(1, 0, 0), 1, 0},
	}
	for _, st := range steps {
		n, err := s.PruneWebSessions(ctx, st.now)
		if err != nil || n != st.want {
			t.Errorf("%s: PruneWebSessions: got %d, %v; want %d, nil", st.name, n, err, st.want)
		}
		// Looked up before any expiry, only pruning hides a session.
		if got := liveWebSessions(t, s, oauthT0, sessions...); got != st.live {
			t.Errorf("%s: %d sessions left, want %d", st.name, got, st.live)
		}
	}
}
