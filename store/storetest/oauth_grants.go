package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func createCode(t *testing.T, s store.OAuth, c store.OAuthCode, g store.OAuthGrant) {
	t.Helper()
	if err := s.CreateCode(t.Context(), c, g); err != nil {
		t.Fatalf("CreateCode: %v", err)
	}
}

func storedCode(c store.OAuthCode) store.OAuthCode {
	c.ExpiresAt, c.RedeemedAt = micro(c.ExpiresAt), micro(c.RedeemedAt)
	c.Scopes = nilIfEmpty(c.Scopes)
	return c
}

func testOAuthGrantRoundTrip(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		edit func(g *store.OAuthGrant)
	}{
		{"every field", func(g *store.OAuthGrant) {
			g.Identity = store.OAuthIdentity{
				Source: "oidc", CredentialID: "", SecretID: "",
				Subject: "sub", Issuer: "https://idp.example", User: "alice",
				Org: "acme", Teams: []string{"a", `b"c`}, Roles: []string{"admin"},
			}
			g.Scopes = []string{"skills:read", "skills:write"}
			g.CreatedAt = time.Date(2025, 7, 1, 12, 0, 0, 123456789, time.FixedZone("X", 3600))
			g.RevokedAt = oauthT0.Add(time.Hour)
			g.RevokeReason = "revoked by client"
			g.Generation = 3
			g.RotatedAt = oauthT0.Add(time.Minute)
			g.ExpiresAt = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
		}},
		{"optional fields zero", func(g *store.OAuthGrant) {
			g.ClientID, g.Resource, g.Scopes, g.Identity = "", "", nil, store.OAuthIdentity{}
		}},
		{"empty lists read as nil", func(g *store.OAuthGrant) {
			g.Scopes, g.Identity.Teams, g.Identity.Roles = []string{}, []string{}, []string{}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := newGrant(t, "cli_a", oauthT0)
			tc.edit(&g)
			createGrant(t, s, g)
			checkGrant(t, getGrant(t, s, g.ID), g)
		})
	}
}

func testOAuthGrantErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	createGrant(t, s, g)
	taken := newGrant(t, "cli_a", oauthT0)
	taken.ID = g.ID
	noID := newGrant(t, "cli_a", oauthT0)
	noID.ID = ""
	noTime := newGrant(t, "cli_a", time.Time{})
	fresh := newGrant(t, "cli_a", oauthT0)
	code := newCode(t, fresh, oauthT0.Add(time.Minute))
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"create taken id", func() error { return s.CreateGrant(ctx, taken) }, store.ErrExists},
		{"create empty id", func() error { return s.CreateGrant(ctx, noID) }, store.ErrInvalid},
		{"create zero created", func() error { return s.CreateGrant(ctx, noTime) }, store.ErrInvalid},
		{"unknown", func() error { _, err := s.Grant(ctx, "grt_unknown"); return err }, store.ErrNotFound},
		{"revoke unknown", func() error { return s.RevokeGrant(ctx, "grt_unknown", "x", oauthT0) }, store.ErrNotFound},
		{"code with taken grant id", func() error {
			return s.CreateCode(ctx, newCode(t, taken, oauthT0.Add(time.Minute)), taken)
		}, store.ErrExists},
		{"code for another grant", func() error {
			c := newCode(t, fresh, oauthT0.Add(time.Minute))
			c.GrantID = g.ID
			return s.CreateCode(ctx, c, fresh)
		}, store.ErrInvalid},
		{"code without hash", func() error {
			c := newCode(t, fresh, oauthT0.Add(time.Minute))
			c.Hash = nil
			return s.CreateCode(ctx, c, fresh)
		}, store.ErrInvalid},
		{"code without expiry", func() error {
			return s.CreateCode(ctx, newCode(t, fresh, time.Time{}), fresh)
		}, store.ErrInvalid},
		{"first code", func() error { return s.CreateCode(ctx, code, fresh) }, nil},
		{"code with taken hash", func() error {
			other := newGrant(t, "cli_a", oauthT0)
			c := newCode(t, other, oauthT0.Add(time.Minute))
			c.Hash = code.Hash
			if err := s.CreateCode(ctx, c, other); err != nil {
				// Nothing of a refused code is stored, the grant included.
				if _, gerr := s.Grant(ctx, other.ID); !errors.Is(gerr, store.ErrNotFound) {
					t.Errorf("Grant of refused code: got %v, want ErrNotFound", gerr)
				}
				return err
			}
			return nil
		}, store.ErrExists},
	}
	for _, tc := range tests {
		if err := tc.do(); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := s.Grant(ctx, noTime.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Grant of refused grant: got %v, want ErrNotFound", err)
	}
}

func testOAuthCodeRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	c := newCode(t, g, oauthT0.Add(10*time.Minute))
	createCode(t, s, c, g)
	checkGrant(t, getGrant(t, s, g.ID), g)

	now := oauthT0.Add(time.Minute + 999*time.Nanosecond)
	v0 := keysVersion(t, s)
	gotCode, gotGrant, err := s.RedeemCode(ctx, c.Hash, now)
	if err != nil {
		t.Fatalf("RedeemCode: %v", err)
	}
	want := c
	want.RedeemedAt = now
	if w := storedCode(want); !reflect.DeepEqual(gotCode, w) {
		t.Errorf("RedeemCode code:\n got %#v\nwant %#v", gotCode, w)
	}
	checkGrant(t, gotGrant, g)
	checkVersion(t, s, v0, false, "RedeemCode")
}

// testOAuthRedeemTwice checks that a replayed code is refused and revokes
// its grant, whoever replays it and however often.
func testOAuthRedeemTwice(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	c := newCode(t, g, oauthT0.Add(10*time.Minute))
	createCode(t, s, c, g)
	if _, _, err := s.RedeemCode(ctx, c.Hash, oauthT0.Add(time.Second)); err != nil {
		t.Fatalf("first RedeemCode: %v", err)
	}
	checkLive(t, s, g.ID)
	v0 := keysVersion(t, s)
	replayed := oauthT0.Add(2 * time.Second)
	if _, _, err := s.RedeemCode(ctx, c.Hash, replayed); !errors.Is(err, store.ErrRedeemed) {
		t.Fatalf("second RedeemCode: got %v, want ErrRedeemed", err)
	}
	checkRevoked(t, s, g.ID, replayed, "authorization code replayed")
	checkVersion(t, s, v0, true, "a replayed code")
	if _, _, err := s.RedeemCode(ctx, c.Hash, replayed.Add(time.Second)); !errors.Is(err, store.ErrRedeemed) {
		t.Errorf("third RedeemCode: got %v, want ErrRedeemed", err)
	}
	checkRevoked(t, s, g.ID, replayed, "authorization code replayed")
}

func testOAuthRedeemNotFound(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	c := newCode(t, g, oauthT0.Add(10*time.Minute))
	createCode(t, s, c, g)
	for _, tc := range []struct {
		name string
		hash []byte
		now  time.Time
	}{
		{"unknown", randomHash(t), oauthT0},
		{"nil hash", nil, oauthT0},
		{"at expiry", c.Hash, c.ExpiresAt},
		{"after expiry", c.Hash, c.ExpiresAt.Add(time.Hour)},
	} {
		if _, _, err := s.RedeemCode(ctx, tc.hash, tc.now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("RedeemCode %s: got %v, want ErrNotFound", tc.name, err)
		}
	}
	// Refusing an expired code is not a replay: the grant lives, and the
	// code was never redeemed.
	checkLive(t, s, g.ID)
	if _, _, err := s.RedeemCode(ctx, c.Hash, c.ExpiresAt.Add(-time.Microsecond)); err != nil {
		t.Errorf("RedeemCode just before expiry: %v", err)
	}
}

// testOAuthRedeemConcurrent races redemptions of one code: exactly one
// gets it, and the others, being replays, revoke the grant.
func testOAuthRedeemConcurrent(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	c := newCode(t, g, oauthT0.Add(10*time.Minute))
	createCode(t, s, c, g)
	const n = 16
	errs := make([]error, n)
	race(n, func(i int) {
		_, _, errs[i] = s.RedeemCode(ctx, c.Hash, oauthT0.Add(time.Second))
	})
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrRedeemed):
			t.Errorf("RedeemCode %d: got %v, want nil or ErrRedeemed", i, err)
		}
	}
	if won != 1 {
		t.Errorf("got %d successful redemptions, want exactly 1", won)
	}
	checkRevoked(t, s, g.ID, oauthT0.Add(time.Second), "authorization code replayed")
}

func testOAuthRevokeGrant(t *testing.T, s store.Store) {
	ctx := t.Context()
	g := newGrant(t, "cli_a", oauthT0)
	createGrant(t, s, g)
	other := newGrant(t, "cli_a", oauthT0)
	createGrant(t, s, other)
	v0 := keysVersion(t, s)
	at := oauthT0.Add(time.Hour + 1234*time.Nanosecond)
	if err := s.RevokeGrant(ctx, g.ID, "revoked by client", at); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	checkVersion(t, s, v0, true, "RevokeGrant")
	checkRevoked(t, s, g.ID, at, "revoked by client")
	checkLive(t, s, other.ID)
	// Revoking again is not an error and keeps the first revocation.
	if err := s.RevokeGrant(ctx, g.ID, "again", at.Add(time.Hour)); err != nil {
		t.Errorf("RevokeGrant again: %v", err)
	}
	checkRevoked(t, s, g.ID, at, "revoked by client")
}

func testOAuthRevokeClientGrants(t *testing.T, s store.Store) {
	ctx := t.Context()
	var mine []store.OAuthGrant
	for range 3 {
		g := newGrant(t, "cli_a", oauthT0)
		createGrant(t, s, g)
		mine = append(mine, g)
	}
	early := oauthT0.Add(time.Minute)
	if err := s.RevokeGrant(ctx, mine[0].ID, "revoked by client", early); err != nil {
		t.Fatalf("RevokeGrant: %v", err)
	}
	others := newGrant(t, "cli_b", oauthT0)
	createGrant(t, s, others)

	at := oauthT0.Add(time.Hour)
	for _, tc := range []struct {
		name, client string
		want         int
		changed      bool
	}{
		{"live grants", "cli_a", 2, true},
		{"again", "cli_a", 0, false},
		{"client with none", "cli_none", 0, false},
	} {
		v0 := keysVersion(t, s)
		n, err := s.RevokeClientGrants(ctx, tc.client, "client disabled", at)
		if err != nil || n != tc.want {
			t.Errorf("RevokeClientGrants %s: got %d, %v; want %d, nil", tc.name, n, err, tc.want)
		}
		if tc.changed {
			checkVersion(t, s, v0, true, "RevokeClientGrants "+tc.name)
		}
	}
	checkRevoked(t, s, mine[0].ID, early, "revoked by client")
	checkRevoked(t, s, mine[1].ID, at, "client disabled")
	checkRevoked(t, s, mine[2].ID, at, "client disabled")
	checkLive(t, s, others.ID)
}
