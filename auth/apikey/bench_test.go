package apikey

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"

	_ "modernc.org/sqlite"
)

// BenchmarkStaticVerify measures a static-key check, which hashes the token
// and compares it with every configured key.
func BenchmarkStaticVerify(b *testing.B) {
	for _, n := range []int{3, 100} {
		keys := make([]StaticKey, n)
		for i := range keys {
			keys[i] = StaticKey{Key: Generate(DefaultPrefix), Name: fmt.Sprint("k", i), Roles: []string{"admin"}}
		}
		s, err := NewStatic(keys)
		if err != nil {
			b.Fatal(err)
		}
		token := keys[n-1].Key
		b.Run(fmt.Sprint("keys=", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Verify(context.Background(), token); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkManagedVerify measures managed-key verification against a real
// SQLite file holding 1k or 1M keys: a valid key (cached, and with the
// cache off), an unknown key (always a database read) and a revoked key.
// Every cached check still asks the store whether anything was revoked.
func BenchmarkManagedVerify(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		if n > 1_000 && testing.Short() {
			continue
		}
		path := filepath.Join(b.TempDir(), "keys.db")
		db := openDBAt(b, path)
		fill(b, path, n)
		now := time.Now()
		valid, revoked := Generate(DefaultPrefix), Generate(DefaultPrefix)
		for _, plain := range []string{valid, revoked} {
			k := store.APIKey{ID: NewID(), Name: "bench", User: "bench", Roles: []string{"admin"}, CreatedAt: now}
			sec := store.Secret{Hash: Hash(plain), KeyID: k.ID, Prefix: DisplayPrefix(plain, DefaultPrefix), CreatedAt: now}
			if err := db.CreateKey(context.Background(), k, sec, nil); err != nil {
				b.Fatal(err)
			}
			if plain == revoked {
				if _, err := db.RevokeKey(context.Background(), k.ID, now); err != nil {
					b.Fatal(err)
				}
			}
		}
		cached := NewManaged(db, ManagedOptions{})
		uncached := NewManaged(db, ManagedOptions{CacheSize: -1})
		unknown := Generate(DefaultPrefix)
		cases := []struct {
			name  string
			m     *Managed
			token string
			ok    bool
		}{
			{"valid/cached", cached, valid, true},
			{"valid/uncached", uncached, valid, true},
			{"unknown", cached, unknown, false},
			{"revoked/cached", cached, revoked, false},
		}
		for _, c := range cases {
			b.Run(fmt.Sprintf("keys=%d/%s", n, c.name), func(b *testing.B) {
				for b.Loop() {
					_, err := c.m.Verify(context.Background(), c.token)
					if (err == nil) != c.ok {
						b.Fatalf("Verify = %v", err)
					}
				}
			})
		}
	}
}

// fill inserts n keys with one secret each straight through SQL in one
// transaction: creating a million keys one by one, each durably, would take
// far longer than the benchmark.
func fill(b *testing.B, path string, n int) {
	b.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	stmts := []string{
		`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
		 INSERT INTO api_keys (id, name, user_id, roles, created_at) SELECT 'key_fill' || i, 'fill', 'u', '["agent"]', 1 FROM n`,
		`INSERT INTO api_key_secrets (hash, key_id, prefix, created_at) SELECT randomblob(32), id, 'sk_live_xxxx', 1 FROM api_keys WHERE id LIKE 'key_fill%'`,
	}
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := tx.Exec(stmts[0], n); err != nil {
		b.Fatalf("fill keys: %v", err)
	}
	if _, err := tx.Exec(stmts[1]); err != nil {
		b.Fatalf("fill secrets: %v", err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}
