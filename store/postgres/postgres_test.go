package postgres_test

import (
	"testing"

	"github.com/skillgate/skillgate/internal/pgtest"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/postgres"
	"github.com/skillgate/skillgate/store/storetest"
)

// TestConformance runs the shared store suite, each subtest on a schema of
// its own on the test server.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := postgres.Open(t.Context(), pgtest.Schema(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
