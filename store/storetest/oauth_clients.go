package storetest

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// storedClient returns c as a backend returns it: times in UTC to the
// microsecond, empty lists and byte slices as nil.
func storedClient(c store.OAuthClient) store.OAuthClient {
	for _, p := range []*time.Time{&c.CreatedAt, &c.UpdatedAt, &c.LastUsedAt} {
		*p = micro(*p)
	}
	c.SecretHash, c.RegistrationTokenHash = nilIfEmpty(c.SecretHash), nilIfEmpty(c.RegistrationTokenHash)
	c.Metadata = nilIfEmpty(c.Metadata)
	c.RedirectURIs, c.GrantTypes = nilIfEmpty(c.RedirectURIs), nilIfEmpty(c.GrantTypes)
	c.ResponseTypes = nilIfEmpty(c.ResponseTypes)
	return c
}

func checkClient(t *testing.T, got, want store.OAuthClient) {
	t.Helper()
	if w := storedClient(want); !reflect.DeepEqual(got, w) {
		t.Errorf("client %s:\n got %#v\nwant %#v", want.ID, got, w)
	}
}

func testOAuthClientRoundTrip(t *testing.T, s store.Store) {
	ctx := t.Context()
	paris := time.FixedZone("CEST", 2*60*60)
	tests := []struct {
		name string
		edit func(c *store.OAuthClient)
	}{
		{"every field", func(c *store.OAuthClient) {
			c.SecretHash = randomHash(t)
			c.RegistrationTokenHash = randomHash(t)
			c.Name = `Quote " backslash \ 🔑`
			c.RedirectURIs = []string{"https://a.example/cb", "http://127.0.0.1:33418/cb"}
			c.GrantTypes = []string{"authorization_code", "refresh_token", "client_credentials"}
			c.ResponseTypes = []string{"code"}
			c.TokenEndpointAuthMethod = "client_secret_basic"
			c.Scope = "skills:read skills:write"
			c.Metadata = []byte(`{"client_uri":"https://a.example","contacts":["ops@a.example"]}`)
			// Not UTC and with nanoseconds: stored as UTC, to the microsecond.
			c.CreatedAt = time.Date(2025, 3, 30, 2, 30, 0, 123456789, paris)
			c.UpdatedAt = time.Date(2025, 4, 1, 0, 0, 0, 999, paris)
			c.LastUsedAt = time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
			c.RegisteredFrom = "203.0.113.7:52811"
		}},
		{"optional fields zero", func(c *store.OAuthClient) {
			c.Name, c.RedirectURIs, c.GrantTypes, c.ResponseTypes = "", nil, nil, nil
			c.TokenEndpointAuthMethod = ""
		}},
		{"empty lists and bytes read as nil", func(c *store.OAuthClient) {
			c.SecretHash, c.RegistrationTokenHash, c.Metadata = []byte{}, []byte{}, []byte{}
			c.RedirectURIs, c.GrantTypes, c.ResponseTypes = []string{}, []string{}, []string{}
		}},
		{"from config", func(c *store.OAuthClient) {
			c.ID = "platform-cli"
			c.SecretHash = randomHash(t)
			c.RegisteredFrom = "config"
		}},
	}
	var want []store.OAuthClient
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newClient(t, oauthT0.Add(time.Duration(i)*time.Hour))
			tc.edit(&c)
			createClient(t, s, c)
			got, err := s.Client(ctx, c.ID)
			if err != nil {
				t.Fatalf("Client: %v", err)
			}
			checkClient(t, got, c)
			want = append(want, storedClient(c))
		})
	}
	all, err := s.ListClients(ctx)
	if err != nil {
		t.Fatalf("ListClients: %v", err)
	}
	// "every field" was created earliest, though in another zone.
	if !reflect.DeepEqual(all, want) {
		t.Errorf("ListClients:\n got %#v\nwant %#v", all, want)
	}
}

func testOAuthListClientsOrder(t *testing.T, s store.Store) {
	var want []string
	for _, h := range []int{2, 0, 1} {
		c := newClient(t, oauthT0.Add(time.Duration(h)*time.Hour))
		createClient(t, s, c)
		want = append(want, c.ID)
	}
	want = []string{want[1], want[2], want[0]}
	got, err := s.ListClients(t.Context())
	if err != nil {
		t.Fatalf("ListClients: %v", err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("ListClients: got %q, want %q (oldest first)", ids, want)
	}
}

func testOAuthClientErrors(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(t, oauthT0)
	createClient(t, s, c)
	other := newClient(t, oauthT0)
	tests := []struct {
		name string
		do   func() error
		want error
	}{
		{"create taken id", func() error { return s.CreateClient(ctx, newClientWithID(t, c.ID)) }, store.ErrExists},
		{"unknown", func() error { _, err := s.Client(ctx, other.ID); return err }, store.ErrNotFound},
		{"update unknown", func() error { return s.UpdateClient(ctx, other) }, store.ErrNotFound},
		{"delete unknown", func() error { return s.DeleteClient(ctx, other.ID, oauthT0) }, store.ErrNotFound},
		{"create empty id", func() error { return s.CreateClient(ctx, newClientWithID(t, "")) }, store.ErrInvalid},
		{"create zero created", func() error {
			c := newClient(t, time.Time{})
			return s.CreateClient(ctx, c)
		}, store.ErrInvalid},
		{"create metadata not an object", func() error {
			c := newClient(t, oauthT0)
			c.Metadata = []byte(`["a"]`)
			return s.CreateClient(ctx, c)
		}, store.ErrInvalid},
		{"create short secret hash", func() error {
			c := newClient(t, oauthT0)
			c.SecretHash = []byte("short")
			return s.CreateClient(ctx, c)
		}, store.ErrInvalid},
		{"update metadata not JSON", func() error {
			u := c
			u.Metadata = []byte(`{"a":`)
			return s.UpdateClient(ctx, u)
		}, store.ErrInvalid},
	}
	for _, tc := range tests {
		if err := tc.do(); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	// Nothing above changed the stored client.
	got, err := s.Client(ctx, c.ID)
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	checkClient(t, got, c)
	if _, err := s.Client(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Client of never-stored client: got %v, want ErrNotFound", err)
	}
}

func newClientWithID(t *testing.T, id string) store.OAuthClient {
	c := newClient(t, oauthT0)
	c.ID = id
	return c
}

func testOAuthUpdateClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(t, oauthT0)
	c.SecretHash = randomHash(t)
	c.RegistrationTokenHash = randomHash(t)
	c.LastUsedAt = oauthT0.Add(time.Minute)
	c.RegisteredFrom = "198.51.100.1:4000"
	createClient(t, s, c)

	u := store.OAuthClient{
		ID:                      c.ID,
		SecretHash:              nil, // now a public client
		RegistrationTokenHash:   randomHash(t),
		Name:                    "Renamed",
		RedirectURIs:            []string{"https://b.example/cb"},
		GrantTypes:              []string{"authorization_code"},
		ResponseTypes:           []string{"code"},
		TokenEndpointAuthMethod: "none",
		Scope:                   "skills:read",
		Metadata:                []byte(`{"logo_uri":"https://b.example/logo.png"}`),
		CreatedAt:               oauthT0.Add(time.Hour),
		UpdatedAt:               oauthT0.Add(2 * time.Hour),
		LastUsedAt:              oauthT0.Add(3 * time.Hour),
		RegisteredFrom:          "elsewhere",
	}
	if err := s.UpdateClient(ctx, u); err != nil {
		t.Fatalf("UpdateClient: %v", err)
	}
	got, err := s.Client(ctx, c.ID)
	if err != nil {
		t.Fatalf("Client: %v", err)
	}
	want := u
	want.CreatedAt, want.RegistrationTokenHash = c.CreatedAt, c.RegistrationTokenHash
	want.LastUsedAt, want.RegisteredFrom = c.LastUsedAt, c.RegisteredFrom
	checkClient(t, got, want)
}

// testOAuthDeleteClient checks that deleting a client revokes its live
// grants, keeps earlier revocations as they were, leaves other clients'
// grants alone, and changes KeysVersion.
func testOAuthDeleteClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(t, oauthT0)
	createClient(t, s, c)
	other := newClient(t, oauthT0)
	createClient(t, s, other)
	live := newGrant(t, c.ID, oauthT0)
	createGrant(t, s, live)
	early := oauthT0.Add(time.Minute)
	old := newGrant(t, c.ID, oauthT0)
	old.RevokedAt, old.RevokeReason = early, "revoked by client"
	createGrant(t, s, old)
	others := newGrant(t, other.ID, oauthT0)
	createGrant(t, s, others)

	v0 := keysVersion(t, s)
	at := oauthT0.Add(time.Hour + 1234*time.Nanosecond)
	if err := s.DeleteClient(ctx, c.ID, at); err != nil {
		t.Fatalf("DeleteClient: %v", err)
	}
	checkVersion(t, s, v0, true, "DeleteClient")
	if _, err := s.Client(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Client after DeleteClient: got %v, want ErrNotFound", err)
	}
	checkRevoked(t, s, live.ID, at, "client deleted")
	checkRevoked(t, s, old.ID, early, "revoked by client")
	checkLive(t, s, others.ID)
	if _, err := s.Client(ctx, other.ID); err != nil {
		t.Errorf("Client of the other client: %v", err)
	}
	if err := s.DeleteClient(ctx, c.ID, at); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteClient again: got %v, want ErrNotFound", err)
	}
}

func testOAuthTouchClient(t *testing.T, s store.Store) {
	ctx := t.Context()
	c := newClient(t, oauthT0)
	createClient(t, s, c)
	v0 := keysVersion(t, s)
	for _, tc := range []struct {
		name string
		at   time.Time
		want time.Time
	}{
		{"first use", oauthT0, oauthT0},
		// Within a minute the write may be skipped; the value stays.
		{"soon after", oauthT0.Add(30 * time.Second), oauthT0},
		{"a minute later", oauthT0.Add(time.Minute), oauthT0.Add(time.Minute)},
	} {
		if err := s.TouchClient(ctx, c.ID, tc.at); err != nil {
			t.Fatalf("%s: TouchClient: %v", tc.name, err)
		}
		got, err := s.Client(ctx, c.ID)
		if err != nil {
			t.Fatalf("Client: %v", err)
		}
		if !got.LastUsedAt.Equal(tc.want) && !got.LastUsedAt.Equal(tc.at) {
			t.Errorf("%s: LastUsedAt %v, want %v", tc.name, got.LastUsedAt, tc.want)
		}
	}
	checkVersion(t, s, v0, false, "TouchClient")
}
