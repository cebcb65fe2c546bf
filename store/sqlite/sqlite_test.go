package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
	"github.com/skillgate/skillgate/store/storetest"
)

// TestConformance runs the shared store suite on a real file, not
// :memory:, so that WAL and file locking are exercised.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "skillgate.db"))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}
