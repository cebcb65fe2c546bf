package apikey

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// BenchmarkStaticVerify measures a static-key check, which hashes the token
// and compares it with every configured key.
func BenchmarkStaticVerify(b *testing.B) {
	for _, n := range []int{3, 100} {
		keys := make([]StaticKey, n)
		for i := range keys {
			keys[i] = StaticKey{Key: Generate(), Name: fmt.Sprint("k", i), Roles: []string{"admin"}}
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

// BenchmarkManagedVerify measures a managed-key check against a real SQLite
// file: the uncached baseline a later key cache is compared with.
func BenchmarkManagedVerify(b *testing.B) {
	db := openDB(b)
	plain := Generate()
	if err := db.CreateKey(context.Background(), store.APIKey{
		ID: NewID(), Hash: Hash(plain), Prefix: DisplayPrefix(plain), Name: "bench",
		Roles: []string{"admin"}, CreatedAt: time.Now(),
	}); err != nil {
		b.Fatal(err)
	}
	m := &Managed{Store: db}
	for b.Loop() {
		if _, err := m.Verify(context.Background(), plain); err != nil {
			b.Fatal(err)
		}
	}
}
