package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/internal/pgtest"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/postgres"
)

// migrationCount is how many migrations the binary embeds, counted from
// the files they are embedded from.
func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations found: %v", err)
	}
	return len(files)
}

// connect opens a plain connection to dsn, closed when t ends.
func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestOpenConcurrentMigrates starts several replicas at once on an empty
// schema: every Open succeeds, and each migration is applied and recorded
// exactly once.
func TestOpenConcurrentMigrates(t *testing.T) {
	const replicas = 8
	dsn := pgtest.Schema(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		dbs  []*postgres.DB
		errs []error
	)
	start := make(chan struct{})
	for i := range replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			db, err := postgres.Open(ctx, dsn)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, fmt.Errorf("replica %d: %w", i, err))
				return
			}
			dbs = append(dbs, db)
		}()
	}
	close(start)
	wg.Wait()
	for _, db := range dbs {
		t.Cleanup(func() { db.Close() })
	}
	for _, err := range errs {
		t.Errorf("Open: %v", err)
	}
	if len(dbs) != replicas {
		t.Fatalf("%d of %d concurrent Opens succeeded", len(dbs), replicas)
	}

	rows, err := connect(t, dsn).Query(ctx,
		`SELECT version, count(*) FROM schema_migrations GROUP BY version ORDER BY version`)
	if err != nil {
		t.Fatalf("query schema_migrations: %v", err)
	}
	type count struct {
		version int
		n       int64
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (count, error) {
		var c count
		err := r.Scan(&c.version, &c.n)
		return c, err
	})
	if err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	want := migrationCount(t)
	if len(got) != want {
		t.Errorf("schema_migrations holds %d versions, want %d: %v", len(got), want, got)
	}
	for i, c := range got {
		if c.version != i+1 || c.n != 1 {
			t.Errorf("schema_migrations: version %d recorded %d times, want version %d once", c.version, c.n, i+1)
		}
	}
	// Every replica works on the schema they migrated together.
	for i, db := range dbs {
		if err := db.Ping(ctx); err != nil {
			t.Errorf("replica %d: Ping: %v", i, err)
		}
	}
}

// TestOpenSchemaTooNew refuses a database migrated by a newer binary, and
// leaves it as it was.
func TestOpenSchemaTooNew(t *testing.T) {
	dsn := pgtest.Schema(t)
	ctx := t.Context()
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("first Open: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	future := migrationCount(t) + 1
	conn := connect(t, dsn)
	if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name)
		VALUES ($1, 'from_the_future.sql')`, future); err != nil {
		t.Fatalf("insert future migration: %v", err)
	}

	db, err = postgres.Open(ctx, dsn)
	if err == nil {
		db.Close()
		t.Fatal("Open of a database from a newer binary succeeded")
	}
	if !errors.Is(err, store.ErrSchemaTooNew) {
		t.Errorf("Open: got %v, want store.ErrSchemaTooNew", err)
	}
	var max int
	if err := conn.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&max); err != nil {
		t.Fatalf("read schema_migrations: %v", err)
	}
	if max != future {
		t.Errorf("after the refused Open, schema_migrations is at %d, want %d", max, future)
	}
}

// TestOpenErrors checks that Open fails cleanly, within the deadline of its
// context and without repeating a password, for DSNs it cannot use.
func TestOpenErrors(t *testing.T) {
	const password = "hunter2"
	server := pgtest.ServerDSN(t)

	// A port nothing listens on: one that was free a moment ago.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	refused := l.Addr().(*net.TCPAddr).Port
	l.Close()

	// A server that accepts connections and never answers: the kernel
	// completes the handshake for a listener that never calls Accept.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { silent.Close() })
	silentPort := silent.Addr().(*net.TCPAddr).Port

	tests := []struct {
		name    string
		dsn     string
		timeout time.Duration
		// wantText, if set, must appear in the error.
		wantText string
	}{
		{
			name:    "malformed URL with password",
			dsn:     "postgres://u:" + password + "@127.0.0.1:5432/x?sslmode=bogus",
			timeout: 5 * time.Second,
		},
		{
			name:    "malformed key=value with password",
			dsn:     "host=127.0.0.1 port=notaport password=" + password,
			timeout: 5 * time.Second,
		},
		{
			name:    "unparsable URL with password",
			dsn:     "postgres://u:" + password + "@127.0.0.1:99999999/x",
			timeout: 5 * time.Second,
		},
		{
			name:     "search_path names no schema",
			dsn:      pgtest.WithSearchPath(t, server, "sg_missing_"+strings.ReplaceAll(t.Name(), "/", "_")),
			timeout:  5 * time.Second,
			wantText: "search_path",
		},
		{
			name:    "connection refused",
			dsn:     fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", refused),
			timeout: 5 * time.Second,
		},
		{
			name:    "connection refused, password in URL",
			dsn:     fmt.Sprintf("postgres://u:%s@127.0.0.1:%d/x?sslmode=disable", password, refused),
			timeout: 5 * time.Second,
		},
		{
			name:    "connection refused, password in key=value",
			dsn:     fmt.Sprintf("host=127.0.0.1 port=%d user=u password=%s dbname=x sslmode=disable", refused, password),
			timeout: 5 * time.Second,
		},
		{
			name:    "server never answers",
			dsn:     fmt.Sprintf("postgres://u:%s@127.0.0.1:%d/x?sslmode=disable", password, silentPort),
			timeout: 2 * time.Second,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), tc.timeout)
			defer cancel()
			began := time.Now()
			db, err := postgres.Open(ctx, tc.dsn)
			took := time.Since(began)
			if err == nil {
				db.Close()
				t.Fatal("Open succeeded")
			}
			t.Logf("Open: %v (after %v)", err, took.Round(time.Millisecond))
			// A little slack for the work after the deadline fires.
			if took > tc.timeout+time.Second {
				t.Errorf("Open took %v, past its context's %v deadline", took, tc.timeout)
			}
			if strings.Contains(err.Error(), password) {
				t.Errorf("error repeats the password: %v", err)
			}
			if tc.wantText != "" && !strings.Contains(err.Error(), tc.wantText) {
				t.Errorf("error %q does not mention %q", err, tc.wantText)
			}
			if errors.Is(err, store.ErrSchemaTooNew) {
				t.Errorf("error %v wraps store.ErrSchemaTooNew", err)
			}
		})
	}
}

// migrateTo applies the first n migrations to the schema dsn names and
// records them as Open does: the state an older release left behind.
func migrateTo(t *testing.T, dsn string, n int) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.sql")) // sorted: NNNN_…
	if err != nil || len(files) < n {
		t.Fatalf("want %d migrations, found %d: %v", n, len(files), err)
	}
	ctx := t.Context()
	conn := connect(t, dsn)
	if _, err := conn.Exec(ctx, `CREATE TABLE schema_migrations (
		version    integer     NOT NULL PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		t.Fatalf("create schema_migrations: %v", err)
	}
	for i, file := range files[:n] {
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("read %s: %v", file, err)
		}
		if _, err := conn.Exec(ctx, string(body)); err != nil {
			t.Fatalf("apply %s: %v", file, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`,
			i+1, filepath.Base(file)); err != nil {
			t.Fatalf("record %s: %v", file, err)
		}
	}
}

// TestMigrateCountsAuditDays upgrades a schema of the release before the
// counts per day (migration 0003), holding events, on connections in
// zones far from UTC: the events so far are counted on their UTC days,
// appends after the migration add to those counts, and the index the
// counts replace is gone.
func TestMigrateCountsAuditDays(t *testing.T) {
	ctx := t.Context()
	day := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
	next := day.AddDate(0, 0, 1)
	for _, zone := range []string{"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"} { // UTC+14, UTC-11
		t.Run(zone, func(t *testing.T) {
			dsn := pgtest.Schema(t)
			migrateTo(t, dsn, 2)
			// Times as literals, some in other zones, so that the session's
			// zone plays no part in what is stored.
			if _, err := connect(t, dsn).Exec(ctx, `INSERT INTO audit_events (time, key_id, action, result) VALUES
				(NULL,                              'key_a', 'tool.call',    'ok'),
				('2025-03-30 00:00:00+00',          'key_a', 'tool.call',    'ok'),
				('2025-03-30 23:59:59.999+00',      'key_a', 'tool.call',    'ok'),
				('2025-03-30 10:00:00-11',          'key_a', 'tool.call',    'denied'),
				('2025-03-31 09:00:00+14',          '',      'auth.failure', 'denied'),
				('2025-03-31 00:00:00+00',          'key_a', 'tool.call',    'ok')`); err != nil {
				t.Fatalf("insert events: %v", err)
			}

			db, err := postgres.Open(ctx, dsn+"&timezone="+zone)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			// One more of key_a's successful calls on March 30, a day the
			// migration counted.
			if err := db.AppendAudit(ctx, []store.AuditEvent{
				{Time: day.Add(12 * time.Hour), KeyID: "key_a", Action: "tool.call", Result: "ok"},
			}); err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
			tests := []struct {
				name string
				f    store.DayFilter
				want []store.DayCount
			}{
				{"all", store.DayFilter{},
					[]store.DayCount{{Day: time.Time{}, Count: 1}, {Day: day, Count: 5}, {Day: next, Count: 1}}},
				{"key, action and result", store.DayFilter{KeyID: "key_a", Action: "tool.call", Result: "ok"},
					[]store.DayCount{{Day: time.Time{}, Count: 1}, {Day: day, Count: 3}, {Day: next, Count: 1}}},
				{"without a key", store.DayFilter{Action: "auth.failure"}, []store.DayCount{{Day: day, Count: 1}}},
			}
			for _, tc := range tests {
				got, err := db.CountAuditByDay(ctx, tc.f)
				if err != nil {
					t.Fatalf("CountAuditByDay of %s: %v", tc.name, err)
				}
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
				}
			}
			var indexes int
			if err := connect(t, dsn).QueryRow(ctx, `SELECT count(*) FROM pg_indexes
				WHERE schemaname = current_schema() AND indexname = 'audit_events_key_id_action_time'`).Scan(&indexes); err != nil {
				t.Fatalf("look for the index: %v", err)
			}
			if indexes != 0 {
				t.Errorf("index audit_events_key_id_action_time still there after migrating")
			}
		})
	}
}
