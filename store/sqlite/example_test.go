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
	created, err := db.CreateBootstrapKey(ctx, store.APIKey{
		ID:        "key_00000000000000000001",
		Hash:      sha256.Sum256([]byte(plain)),
		Prefix:    plain[:12],
		Name:      "bootstrap",
		Roles:     []string{"admin"},
		CreatedAt: time.Now(),
	})
	if err != nil {
		log.Fatal(err)
	}
	k, err := db.KeyByHash(ctx, sha256.Sum256([]byte(plain)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(created, k.ID, k.Prefix, k.Roles)
	// Output: true key_00000000000000000001 sk_live_0123 [admin]
}
