package sqlite_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "skillgate")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sqlite.Open(ctx, filepath.Join(dir, "data", "skillgate.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	plain := "sk_live_0123456789abcdef" // shown to the user once, never stored
	now := time.Now()
	k := store.APIKey{
		ID:        "key_00000000000000000001",
		Name:      "bootstrap",
		Roles:     []string{"admin"},
		CreatedAt: now,
	}
	created, err := db.CreateBootstrapKey(ctx, k, store.Secret{
		Hash:      sha256.Sum256([]byte(plain)),
		KeyID:     k.ID,
		Prefix:    plain[:12],
		CreatedAt: now,
	})
	if err != nil {
		log.Fatal(err)
	}
	got, secret, err := db.KeyBySecret(ctx, sha256.Sum256([]byte(plain)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created, got.ID, secret.Prefix, got.Roles)
	// Output: true key_00000000000000000001 sk_live_0123 [admin]
}
