package sqlite

import (
	"bytes"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/internal/migration"
	"github.com/skillgate/skillgate/store/storetest"
)

func openTest(t *testing.T, path string, opts ...Option) *DB {
	t.Helper()
	db, err := Open(t.Context(), path, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestReopenKeepsData(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	k, sec := storetest.NewKey(t)
	if created, err := db.CreateBootstrapKey(ctx, k, sec); err != nil || !created {
		t.Fatalf("CreateBootstrapKey: got %v, %v; want true, nil", created, err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db = openTest(t, path)
	got, _, err := db.KeyBySecret(ctx, sec.Hash)
	if err != nil {
		t.Fatalf("KeyBySecret after reopen: %v", err)
	}
	if got.ID != k.ID {
		t.Errorf("KeyBySecret after reopen: got id %q, want %q", got.ID, k.ID)
	}
	k2, sec2 := storetest.NewKey(t)
	if created, err := db.CreateBootstrapKey(ctx, k2, sec2); err != nil || created {
		t.Errorf("CreateBootstrapKey after reopen: got %v, %v; want false, nil", created, err)
	}
}

func TestFiles(t *testing.T) {
	tests := []struct {
		name string
		file string
	}{
		{"plain", "skillgate.db"},
		// Guards the DSN: '?' and '#' would otherwise start the query or
		// fragment and open a different file.
		{"uri characters", "we?ird#na%20me.db"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data", "nested")
			path := filepath.Join(dir, tc.file)
			db := openTest(t, path)
			k, sec := storetest.NewKey(t)
			if err := db.CreateKey(t.Context(), k, sec, nil); err != nil {
				t.Fatalf("CreateKey: %v", err)
			}
			for _, f := range []struct {
				path string
				mode os.FileMode
			}{
				{dir, dirMode | os.ModeDir},
				{path, fileMode},
				{path + "-wal", fileMode},
			} {
				fi, err := os.Stat(f.path)
				if err != nil {
					t.Errorf("stat: %v", err)
					continue
				}
				if fi.Mode() != f.mode {
					t.Errorf("%s: got mode %v, want %v", f.path, fi.Mode(), f.mode)
				}
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 3 {
				t.Errorf("got %d files in %s, want the database, -wal and -shm", len(entries), dir)
			}
		})
	}
}

func TestPragmas(t *testing.T) {
	db := openTest(t, filepath.Join(t.TempDir(), "skillgate.db"))
	tests := []struct {
		pool   string
		pragma string
		want   string
	}{
		{"write", "journal_mode", "wal"},
		{"write", "synchronous", "2"}, // FULL
		{"write", "foreign_keys", "1"},
		{"write", "busy_timeout", "5000"},
		{"write", "query_only", "0"},
		{"read", "journal_mode", "wal"},
		{"read", "foreign_keys", "1"},
		{"read", "busy_timeout", "5000"},
		{"read", "query_only", "1"},
	}
	for _, tc := range tests {
		t.Run(tc.pool+"/"+tc.pragma, func(t *testing.T) {
			pool := db.write
			if tc.pool == "read" {
				pool = db.read
			}
			var got string
			if err := pool.QueryRowContext(t.Context(), "PRAGMA "+tc.pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", tc.pragma, err)
			}
			if got != tc.want {
				t.Errorf("PRAGMA %s: got %q, want %q", tc.pragma, got, tc.want)
			}
		})
	}
	if _, err := db.read.ExecContext(t.Context(), "DELETE FROM api_keys"); err == nil {
		t.Errorf("write through the read pool: got nil error, want query_only to refuse it")
	}
}

// TestTxLockImmediate checks that _txlock=immediate takes effect: a writer
// transaction holds SQLite's write lock from BEGIN, before any statement.
func TestTxLockImmediate(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	db := openTest(t, path)
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatalf("BeginTx: %v", err)
	}
	defer tx.Rollback()

	other, err := sql.Open("sqlite", dsn(path, pragma("busy_timeout", "0")))
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	defer other.Close()
	_, err = other.ExecContext(ctx, "BEGIN IMMEDIATE")
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_BUSY {
		t.Fatalf("BEGIN IMMEDIATE beside an open writer transaction: got %v, want SQLITE_BUSY", err)
	}
}

func migrationCount(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.read.QueryRowContext(t.Context(),
		"SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatalf("count migrations: %v", err)
	}
	return n
}

func TestMigrateIdempotent(t *testing.T) {
	ms, err := migration.Load(migrationFS)
	if err != nil {
		t.Fatalf("migration.Load: %v", err)
	}
	path := filepath.Join(t.TempDir(), "skillgate.db")
	db, err := Open(t.Context(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := migrationCount(t, db); got != len(ms) {
		t.Errorf("after Open: got %d migrations recorded, want %d", got, len(ms))
	}
	if err := db.migrate(t.Context()); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if got := migrationCount(t, db); got != len(ms) {
		t.Errorf("after migrating again: got %d migrations recorded, want %d", got, len(ms))
	}
	db.Close()

	db = openTest(t, path)
	if got := migrationCount(t, db); got != len(ms) {
		t.Errorf("after reopen: got %d migrations recorded, want %d", got, len(ms))
	}
}

func TestSchemaTooNew(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := db.write.ExecContext(ctx,
		"INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', 0)"); err != nil {
		t.Fatalf("insert future version: %v", err)
	}
	db.Close()

	db, err = Open(ctx, path)
	if !errors.Is(err, store.ErrSchemaTooNew) {
		if db != nil {
			db.Close()
		}
		t.Fatalf("Open of newer schema: got %v, want ErrSchemaTooNew", err)
	}
}

// TestTwoHandles opens the file twice, as two processes would, and checks
// that the handles' writes are serialised by SQLite's lock rather than
// failing with SQLITE_BUSY.
func TestTwoHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "skillgate.db")

	// Both migrate a new file at once.
	var a, b *DB
	var errA, errB error
	var wg sync.WaitGroup
	wg.Go(func() { a, errA = Open(t.Context(), path) })
	wg.Go(func() { b, errB = Open(t.Context(), path) })
	wg.Wait()
	for _, db := range []*DB{a, b} {
		if db != nil {
			t.Cleanup(func() { db.Close() })
		}
	}
	if errA != nil || errB != nil {
		t.Fatalf("concurrent Open: %v, %v", errA, errB)
	}

	t.Run("bootstrap", func(t *testing.T) {
		storetest.RaceBootstrap(t, a, b, 16)
	})
	t.Run("server secret", func(t *testing.T) {
		const n = 16
		got := make([][]byte, n)
		errs := make([]error, n)
		for i := range n {
			db := a
			if i%2 == 1 {
				db = b
			}
			secret := []byte{byte(i + 1)}
			wg.Go(func() {
				got[i], errs[i] = db.ServerSecret(t.Context(), "shared", func() ([]byte, error) { return secret, nil })
			})
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil || !bytes.Equal(got[i], got[0]) {
				t.Errorf("ServerSecret %d: got %x, %v; want %x like caller 0", i, got[i], errs[i], got[0])
			}
		}
	})
	t.Run("create keys", func(t *testing.T) {
		ctx := t.Context()
		const n = 40
		errs := make([]error, n)
		for i := range n {
			db := a
			k, sec := storetest.NewKey(t)
			if i%2 == 1 {
				db = b
			}
			wg.Go(func() { errs[i] = db.CreateKey(ctx, k, sec, nil) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("CreateKey %d: %v", i, err)
			}
		}
	})
}
