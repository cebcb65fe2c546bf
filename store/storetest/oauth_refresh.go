package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// refreshGrant stores a grant with a first refresh token added at oauthT0,
// then rotates it n times, an hour apart. It returns the grant as stored
// and the tokens' hashes, by generation: hashes[0] is generation 1, and
// hashes[n] the live one.
func refreshGrant(t *testing.T, s store.OAuth, n int) (store.OAuthGrant, [][]byte) {
	t.Helper()
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	createGrant(t, s, g)
	hashes := [][]byte{randomHash(t)}
	if err := s.AddRefresh(ctx, g.ID, 1, hashes[0], oauthT0); err != nil {
		t.Fatalf("AddRefresh: %v", err)
	}
	for i := 1; i <= n; i++ {
		next := randomHash(t)
		_, outcome, err := s.RotateRefresh(ctx, hashes[i-1], next, oauthT0.Add(time.Duration(i)*time.Hour), time.Minute)
		if err != nil || outcome != store.RefreshRotated {
			t.Fatalf("rotation %d: got %v, %v; want RefreshRotated", i, outcome, err)
		}
		hashes = append(hashes, next)
	}
	return getGrant(t, s, g.ID), hashes
}

func testOAuthAddRefresh(t *testing.T, s store.Store) {
	ctx := t.Context()
	v0 := keysVersion(t, s)
	g, hashes := refreshGrant(t, s, 0)
	if g.Generation != 1 || !g.RotatedAt.Equal(oauthT0) {
		t.Errorf("after AddRefresh: generation %d rotated at %v, want 1 at %v", g.Generation, g.RotatedAt, oauthT0)
	}
	got, gen, err := s.GrantByRefresh(ctx, hashes[0])
	if err != nil || gen != 1 {
		t.Fatalf("GrantByRefresh: got generation %d, %v; want 1", gen, err)
	}
	checkGrant(t, got, g)
	checkVersion(t, s, v0, false, "AddRefresh")

	revoked := newGrant(t, "cli_a", oauthT0)
	createGrant(t, s, revoked)
	if err := s.RevokeGrant(ctx, revoked.ID, "test", oauthT0); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"unknown grant", func() error { return s.AddRefresh(ctx, "grt_unknown", 1, randomHash(t), oauthT0) }, store.ErrNotFound},
		{"revoked grant", func() error { return s.AddRefresh(ctx, revoked.ID, 1, randomHash(t), oauthT0) }, store.ErrRevoked},
		{"generation 0", func() error { return s.AddRefresh(ctx, g.ID, 0, randomHash(t), oauthT0) }, store.ErrInvalid},
		{"no hash", func() error { return s.AddRefresh(ctx, g.ID, 2, nil, oauthT0) }, store.ErrInvalid},
		{"taken hash", func() error { return s.AddRefresh(ctx, g.ID, 2, hashes[0], oauthT0) }, store.ErrExists},
		{"unknown token", func() error { _, _, err := s.GrantByRefresh(ctx, randomHash(t)); return err }, store.ErrNotFound},
	}
	for _, tc := range tests {
		if err := tc.do(); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	checkGrant(t, getGrant(t, s, g.ID), g)
	if _, _, err := s.GrantByRefresh(ctx, hashes[0]); err != nil {
		t.Errorf("GrantByRefresh after refused adds: %v", err)
	}
}

func testOAuthRotateRefresh(t *testing.T, s store.Store) {
	const grace = time.Minute
	tests := []struct {
		name      string
		rotations int
		// present is the generation presented, as an index into the hashes
		// refreshGrant returns.
		present int
		// after is when it is presented, after the last rotation (or the
		// first token, with no rotation).
		after time.Duration
		want  store.RefreshOutcome
	}{
		{"live", 0, 0, time.Hour, store.RefreshRotated},
		{"live after rotations", 2, 2, time.Second, store.RefreshRotated},
		{"previous within grace", 1, 0, 30 * time.Second, store.RefreshReplayed},
		{"previous at grace", 1, 0, grace, store.RefreshReplayed},
		// Another replica's clock may run behind the rotation's.
		{"previous before the rotation", 1, 0, -time.Second, store.RefreshReplayed},
		{"previous after grace", 1, 0, grace + time.Microsecond, store.RefreshReused},
		{"previous much later", 1, 0, 24 * time.Hour, store.RefreshReused},
		{"older within grace", 2, 0, time.Second, store.RefreshReused},
		{"older after grace", 3, 1, time.Hour, store.RefreshReused},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			before, hashes := refreshGrant(t, s, tc.rotations)
			last := oauthT0.Add(time.Duration(tc.rotations) * time.Hour)
			now := last.Add(tc.after)
			next := randomHash(t)
			v0 := keysVersion(t, s)
			got, outcome, err := s.RotateRefresh(ctx, hashes[tc.present], next, now, grace)
			if err != nil || outcome != tc.want {
				t.Fatalf("RotateRefresh: got %v, %v; want %v, nil", outcome, err, tc.want)
			}
			checkGrant(t, getGrant(t, s, before.ID), got)
			_, nextGen, nextErr := s.GrantByRefresh(ctx, next)
			want := before
			switch tc.want {
			case store.RefreshRotated:
				want.Generation, want.RotatedAt = before.Generation+1, now
				checkVersion(t, s, v0, false, "a rotation")
				if nextErr != nil || nextGen != want.Generation {
					t.Errorf("GrantByRefresh of the new token: got generation %d, %v; want %d", nextGen, nextErr, want.Generation)
				}
			case store.RefreshReplayed:
				checkVersion(t, s, v0, false, "a replay")
				if !errors.Is(nextErr, store.ErrNotFound) {
					t.Errorf("GrantByRefresh of a replay's new token: got %v, want ErrNotFound", nextErr)
				}
			case store.RefreshReused:
				want.RevokedAt, want.RevokeReason = now, "refresh token reused"
				checkVersion(t, s, v0, true, "a reuse")
				if !errors.Is(nextErr, store.ErrNotFound) {
					t.Errorf("GrantByRefresh of a reuse's new token: got %v, want ErrNotFound", nextErr)
				}
				// The live token died with the grant.
				live := hashes[len(hashes)-1]
				if _, _, err := s.RotateRefresh(ctx, live, randomHash(t), now, grace); !errors.Is(err, store.ErrRevoked) {
					t.Errorf("RotateRefresh of the live token after a reuse: got %v, want ErrRevoked", err)
				}
			}
			checkGrant(t, got, want)
		})
	}
}

func testOAuthRotateRefreshErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	revoked, rh := refreshGrant(t, s, 1)
	if err := s.RevokeGrant(ctx, revoked.ID, "revoked by client", oauthT0.Add(2*time.Hour)); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	expiring := newGrant(t, "cli_a", oauthT0)
	expiring.ExpiresAt = oauthT0.Add(time.Hour)
	createGrant(t, s, expiring)
	eh := randomHash(t)
	if err := s.AddRefresh(ctx, expiring.ID, 1, eh, oauthT0); err != nil {
		t.Fatalf("AddRefresh: %v", err)
	}
	_, live := refreshGrant(t, s, 0)
	tests := []struct {
		name      string
		presented []byte
		next      []byte
		now       time.Time
		want      error
	}{
		{"unknown", randomHash(t), randomHash(t), oauthT0, store.ErrNotFound},
		{"revoked grant, live token", rh[1], randomHash(t), oauthT0.Add(3 * time.Hour), store.ErrRevoked},
		{"revoked grant, previous token", rh[0], randomHash(t), oauthT0.Add(time.Hour), store.ErrRevoked},
		{"expired grant", eh, randomHash(t), expiring.ExpiresAt, store.ErrRevoked},
		{"no next hash", live[0], nil, oauthT0, store.ErrInvalid},
		{"next hash taken", live[0], rh[0], oauthT0.Add(time.Hour), store.ErrExists},
	}
	for _, tc := range tests {
		v0 := keysVersion(t, s)
		if _, _, err := s.RotateRefresh(ctx, tc.presented, tc.next, tc.now, time.Minute); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
		checkVersion(t, s, v0, false, tc.name)
	}
	// Refusals changed nothing: the revoked grant keeps its revocation, and
	// the other tokens still rotate.
	checkRevoked(t, s, revoked.ID, oauthT0.Add(2*time.Hour), "revoked by client")
	for _, tc := range []struct {
		name string
		hash []byte
		now  time.Time
	}{
		{"expiring grant just before expiry", eh, expiring.ExpiresAt.Add(-time.Microsecond)},
		{"live grant", live[0], oauthT0.Add(time.Hour)},
	} {
		if _, outcome, err := s.RotateRefresh(ctx, tc.hash, randomHash(t), tc.now, time.Minute); err != nil || outcome != store.RefreshRotated {
			t.Errorf("%s: got %v, %v; want RefreshRotated", tc.name, outcome, err)
		}
	}
}

// testOAuthRotateRefreshConcurrent races rotations of the live token at
// one time: exactly one rotates it, and the others, within grace of that
// rotation, are replays.
func testOAuthRotateRefreshConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	g, hashes := refreshGrant(t, s, 0)
	const n = 16
	nexts := make([][]byte, n)
	for i := range nexts {
		nexts[i] = randomHash(t)
	}
	outcomes := make([]store.RefreshOutcome, n)
	errs := make([]error, n)
	now := oauthT0.Add(time.Hour)
	race(n, func(i int) {
		_, outcomes[i], errs[i] = s.RotateRefresh(ctx, hashes[0], nexts[i], now, time.Minute)
	})
	count := map[store.RefreshOutcome]int{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("RotateRefresh %d: %v", i, errs[i])
			continue
		}
		count[outcomes[i]]++
		_, gen, err := s.GrantByRefresh(ctx, nexts[i])
		switch outcomes[i] {
		case store.RefreshRotated:
			if err != nil || gen != 2 {
				t.Errorf("GrantByRefresh of the winner's token: got generation %d, %v; want 2", gen, err)
			}
		default:
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("GrantByRefresh of loser %d's token: got %v, want ErrNotFound", i, err)
			}
		}
	}
	if count[store.RefreshRotated] != 1 || count[store.RefreshReplayed] != n-1 {
		t.Errorf("outcomes: got %s; want 1 rotated, %d replayed", fmt.Sprint(count), n-1)
	}
	got := getGrant(t, s, g.ID)
	if got.Generation != 2 || !got.RevokedAt.IsZero() {
		t.Errorf("grant after racing rotations: generation %d, revoked at %v; want 2, live", got.Generation, got.RevokedAt)
	}
}
