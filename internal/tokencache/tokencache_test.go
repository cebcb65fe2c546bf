package tokencache

import (
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth"
)

func TestCache(t *testing.T) {
	now := time.Now()
	p := auth.Principal{Subject: "alice", ExpiresAt: now.Add(time.Minute)}
	k := Key("token")
	tests := []struct {
		name    string
		put     auth.Principal
		version uint64
		at      time.Time
		ok      bool
	}{
		{"same version, before expiry", p, 7, now, true},
		{"another version", p, 8, now, false},
		{"at expiry", p, 7, p.ExpiresAt, false},
		{"no expiry is not cached", auth.Principal{Subject: "bob"}, 7, now, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(0)
			c.Put(k, 7, tc.put)
			got, ok := c.Get(k, tc.version, tc.at)
			if ok != tc.ok || (ok && got.Subject != tc.put.Subject) {
				t.Fatalf("Get = %+v, %v; want ok=%v", got, ok, tc.ok)
			}
		})
	}
}

func TestCacheBounded(t *testing.T) {
	c := New(2)
	p := auth.Principal{ExpiresAt: time.Now().Add(time.Minute)}
	for _, tok := range []string{"a", "b", "c"} {
		c.Put(Key(tok), 1, p)
	}
	if len(c.entries) > 2 {
		t.Fatalf("%d entries, want at most 2", len(c.entries))
	}
	if _, ok := c.Get(Key("c"), 1, time.Now()); !ok {
		t.Fatal("the newest token is not cached")
	}
}

func TestCacheKeepsNewerVersion(t *testing.T) {
	c := New(0)
	p := auth.Principal{ExpiresAt: time.Now().Add(time.Minute)}
	c.Put(Key("a"), 5, p)
	c.Put(Key("a"), 4, p)
	if _, ok := c.Get(Key("a"), 5, time.Now()); !ok {
		t.Fatal("an older verification replaced a newer one")
	}
}
