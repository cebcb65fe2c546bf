package storetest

import (
	"bytes"
	"crypto/rand"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func newSigningKey(t testing.TB, created time.Time) store.SigningKey {
	t.Helper()
	der := make([]byte, 138) // the size of a PKCS #8 P-256 key
	if _, err := rand.Read(der); err != nil {
		t.Fatalf("rand: %v", err)
	}
	return store.SigningKey{ID: randomHex(t, 21), Algorithm: "ES256", PrivateKey: der, CreatedAt: created}
}

func checkSigningKeys(t *testing.T, s store.OAuth, now time.Time, want ...store.SigningKey) {
	t.Helper()
	got, err := s.SigningKeys(t.Context(), now)
	if err != nil {
		t.Fatalf("SigningKeys at %v: %v", now, err)
	}
	for i := range want {
		k := &want[i]
		k.CreatedAt, k.RetiresAt, k.ExpiresAt = micro(k.CreatedAt), micro(k.RetiresAt), micro(k.ExpiresAt)
	}
	if len(want) == 0 {
		want = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SigningKeys at %v:\n got %+v\nwant %+v", now, got, want)
	}
}

// testOAuthSigningKeys rotates signing keys as replicas do: each asks to
// add a key unless one was made since notBefore (the rotation period ago);
// older keys stop signing and stay published for keepPublished.
func testOAuthSigningKeys(t *testing.T, s store.Store) {
	ctx := t.Context()
	const period, keep = 24 * time.Hour, 2 * time.Hour
	checkSigningKeys(t, s, oauthT0)
	add := func(k store.SigningKey, notBefore time.Time, want bool) {
		t.Helper()
		added, err := s.AddSigningKey(ctx, k, notBefore, keep)
		if err != nil || added != want {
			t.Fatalf("AddSigningKey %s: got %v, %v; want %v, nil", k.ID, added, err, want)
		}
	}

	// The first key: none exists at all.
	first := newSigningKey(t, oauthT0.Add(1234*time.Nanosecond))
	add(first, time.Time{}, true)
	add(newSigningKey(t, oauthT0.Add(time.Second)), time.Time{}, false)
	checkSigningKeys(t, s, oauthT0, first)

	// A period later, two replicas rotate; the second finds the first's key.
	t1 := oauthT0.Add(period + time.Minute)
	second := newSigningKey(t, t1)
	add(second, t1.Add(-period), true)
	add(newSigningKey(t, t1.Add(time.Second)), t1.Add(time.Second-period), false)
	retired := first
	retired.RetiresAt, retired.ExpiresAt = t1, t1.Add(keep)
	checkSigningKeys(t, s, t1, second, retired)
	checkSigningKeys(t, s, t1.Add(keep-time.Microsecond), second, retired)
	checkSigningKeys(t, s, t1.Add(keep), second)

	// A third rotation retires the second key only: the first is retired
	// already and keeps its times.
	t2 := t1.Add(period)
	third := newSigningKey(t, t2)
	third.ExpiresAt = t2.Add(100 * period) // stored as given
	add(third, t2.Add(-period), true)
	second.RetiresAt, second.ExpiresAt = t2, t2.Add(keep)
	checkSigningKeys(t, s, t2, third, second)
	checkSigningKeys(t, s, t1, third, second, retired)

	for _, tc := range []struct {
		name string
		edit func(k *store.SigningKey)
		want error
	}{
		{"taken id", func(k *store.SigningKey) { k.ID = third.ID }, store.ErrExists},
		{"empty id", func(k *store.SigningKey) { k.ID = "" }, store.ErrInvalid},
		{"no algorithm", func(k *store.SigningKey) { k.Algorithm = "" }, store.ErrInvalid},
		{"no private key", func(k *store.SigningKey) { k.PrivateKey = nil }, store.ErrInvalid},
		{"zero created", func(k *store.SigningKey) { k.CreatedAt = time.Time{} }, store.ErrInvalid},
	} {
		k := newSigningKey(t, t2.Add(period))
		tc.edit(&k)
		if added, err := s.AddSigningKey(ctx, k, t2.Add(time.Hour), keep); !errors.Is(err, tc.want) || added {
			t.Errorf("AddSigningKey %s: got %v, %v; want false, %v", tc.name, added, err, tc.want)
		}
	}
	// The refused keys retired nothing.
	checkSigningKeys(t, s, t2, third, second)
}

// testOAuthServerSecret races first uses of a server secret, each caller
// with a generator of its own: all get the same bytes, one generator's.
func testOAuthServerSecret(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 16
	made := make([][]byte, n)
	for i := range made {
		made[i] = []byte(randomHex(t, 32))
	}
	got := make([][]byte, n)
	errs := make([]error, n)
	race(n, func(i int) {
		got[i], errs[i] = s.ServerSecret(ctx, "csrf", func() ([]byte, error) { return made[i], nil })
	})
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("ServerSecret %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Errorf("ServerSecret %d: got %q, want %q like caller 0", i, got[i], got[0])
		}
	}
	found := false
	for _, m := range made {
		found = found || bytes.Equal(m, got[0])
	}
	if !found {
		t.Errorf("ServerSecret: got %q, none of the generated secrets", got[0])
	}

	// Once made, the secret is returned without generating.
	failing := errors.New("generator called")
	if again, err := s.ServerSecret(ctx, "csrf", func() ([]byte, error) { return nil, failing }); err != nil || !bytes.Equal(again, got[0]) {
		t.Errorf("ServerSecret again: got %q, %v; want %q", again, err, got[0])
	}
	// A generator's error reaches the caller and stores nothing.
	if _, err := s.ServerSecret(ctx, "other", func() ([]byte, error) { return nil, failing }); !errors.Is(err, failing) {
		t.Errorf("ServerSecret with a failing generator: got %v, want its error", err)
	}
	other, err := s.ServerSecret(ctx, "other", func() ([]byte, error) { return []byte("other secret"), nil })
	if err != nil || string(other) != "other secret" {
		t.Errorf("ServerSecret of another name: got %q, %v; want %q", other, err, "other secret")
	}
}
