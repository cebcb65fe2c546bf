// Package pgtest gives tests a PostgreSQL schema of their own. The server
// comes from the SKILLGATE_TEST_POSTGRES_DSN environment variable, which
// .ci/run sets; without it a test that needs PostgreSQL fails, saying how to
// provide one, rather than passing without having run.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the environment variable that names the test server.
const EnvDSN = "SKILLGATE_TEST_POSTGRES_DSN"

// cleanupTimeout bounds dropping a test's schema.
const cleanupTimeout = 30 * time.Second

// ServerDSN returns the DSN of the test server, failing t when none is
// configured.
func ServerDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		t.Fatalf("this test needs PostgreSQL: set %s to a server it may create schemas on, "+
			"e.g. %s='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable' "+
			"(.ci/run starts one and sets it)", EnvDSN, EnvDSN)
	}
	return dsn
}

// Schema creates an empty schema on the test server, drops it (with
// everything in it) when t ends, and returns a DSN whose search_path is
// that schema: a store opened with it sees nothing of other tests.
func Schema(t testing.TB) string {
	t.Helper()
	dsn := ServerDSN(t)
	name := "sg_" + randomHex(t, 8)
	exec(t, dsn, "CREATE SCHEMA "+name)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	return WithSearchPath(t, dsn, name)
}

// WithSearchPath returns dsn with its search_path set to schema.
func WithSearchPath(t testing.TB, dsn, schema string) string {
	t.Helper()
	if strings.Contains(dsn, "://") {
		u, err := url.Parse(dsn)
		if err != nil {
			t.Fatalf("pgtest: %s is not a URL: %v", EnvDSN, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}

func exec(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("pgtest: connect to %s: %v", EnvDSN, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("pgtest: %s: %v", sql, err)
	}
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
