package sqlite

import (
	"crypto/sha256"
	"database/sql"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/internal/migration"
	"github.com/skillgate/skillgate/store/storetest"
)

// openAtVersion creates a database at path with only the first n
// migrations applied, recorded as migrate records them: the state a
// previous release left behind.
func openAtVersion(t *testing.T, path string, n int) *sql.DB {
	t.Helper()
	ms, err := migration.Load(migrationFS)
	if err != nil {
		t.Fatalf("migration.Load: %v", err)
	}
	raw, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { raw.Close() })
	if _, err := raw.ExecContext(t.Context(), `CREATE TABLE schema_migrations (
		version    INTEGER NOT NULL PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		t.Fatalf("create schema_migrations: %v", err)
	}
	for _, m := range ms[:n] {
		if _, err := raw.ExecContext(t.Context(), m.SQL); err != nil {
			t.Fatalf("apply %s: %v", m.Name, err)
		}
		if _, err := raw.ExecContext(t.Context(),
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)`,
			m.Version, m.Name); err != nil {
			t.Fatalf("record %s: %v", m.Name, err)
		}
	}
	return raw
}

// TestMigrateFromV1 upgrades a database of the first release, holding
// keys in its single-table layout, and finds them by their old hashes.
func TestMigrateFromV1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	raw := openAtVersion(t, path, 1)
	created := time.Date(2025, 3, 1, 10, 0, 0, 123000, time.UTC)
	expires := created.Add(24 * time.Hour)
	type oldKey struct {
		id, plain, scopes string
		wantScopes        []string
	}
	old := []oldKey{
		// '[]' meant "whatever the roles allow", which is nil now.
		{"key_v1_noscopes", "sk_live_v1first", `[]`, nil},
		{"key_v1_scopes", "sk_live_v1second", `["skills:read"]`, []string{"skills:read"}},
	}
	for _, k := range old {
		hash := sha256.Sum256([]byte(k.plain))
		if _, err := raw.ExecContext(ctx, `INSERT INTO api_keys (id, hash, prefix,
			name, user_id, teams, roles, scopes, created_at, expires_at, disabled)
			VALUES (?, ?, ?, 'old', 'alice', '["t"]', '["admin"]', ?, ?, ?, 1)`,
			k.id, hash[:], k.plain[:12], k.scopes, created.UnixMicro(), expires.UnixMicro()); err != nil {
			t.Fatalf("insert v1 key: %v", err)
		}
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO bootstrap (id, key_id, created_at)
		VALUES (1, ?, ?)`, old[0].id, created.UnixMicro()); err != nil {
		t.Fatalf("insert v1 bootstrap marker: %v", err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	db := openTest(t, path)
	for _, k := range old {
		got, sec, err := db.KeyBySecret(ctx, sha256.Sum256([]byte(k.plain)))
		if err != nil {
			t.Fatalf("KeyBySecret of v1 key %s: %v", k.id, err)
		}
		want := store.APIKey{
			ID: k.id, Name: "old", User: "alice", Teams: []string{"t"},
			Roles: []string{"admin"}, Scopes: k.wantScopes,
			CreatedAt: created, ExpiresAt: expires, Disabled: true,
		}
		if got.ID != want.ID || got.Name != want.Name || got.User != want.User ||
			!slices.Equal(got.Teams, want.Teams) || !slices.Equal(got.Roles, want.Roles) ||
			!got.CreatedAt.Equal(created) || !got.ExpiresAt.Equal(expires) || !got.Disabled ||
			got.ParentID != "" || got.Claims != nil || got.AllowedSkillIDs != nil {
			t.Errorf("v1 key %s:\n got %+v\nwant %+v", k.id, got, want)
		}
		if (got.Scopes == nil) != (k.wantScopes == nil) || !slices.Equal(got.Scopes, k.wantScopes) {
			t.Errorf("v1 key %s: Scopes %#v, want %#v", k.id, got.Scopes, k.wantScopes)
		}
		if sec.KeyID != k.id || sec.Prefix != k.plain[:12] || !sec.CreatedAt.Equal(created) || !sec.ExpiresAt.IsZero() {
			t.Errorf("v1 key %s: secret %+v, want current, prefix %q", k.id, sec, k.plain[:12])
		}
	}
	// The migrated key works with the new operations.
	if _, err := db.SpendExecution(ctx, old[0].id, 202503); err != nil {
		t.Errorf("SpendExecution of v1 key: %v", err)
	}
	if _, err := db.RevokeKey(ctx, old[1].id, time.Now()); err != nil {
		t.Errorf("RevokeKey of v1 key: %v", err)
	}
	// A bootstrap made by v1 is still remembered: its table is kept as is.
	k, sec := storetest.NewKey(t)
	if created, err := db.CreateBootstrapKey(ctx, k, sec); err != nil || created {
		t.Errorf("CreateBootstrapKey after a v1 bootstrap: got %v, %v; want false, nil", created, err)
	}
	if got, want := migrationCount(t, db), len(mustLoadMigrations(t)); got != want {
		t.Errorf("got %d migrations recorded, want %d", got, want)
	}
}

func mustLoadMigrations(t *testing.T) []migration.Migration {
	t.Helper()
	ms, err := migration.Load(migrationFS)
	if err != nil {
		t.Fatalf("migration.Load: %v", err)
	}
	return ms
}

// TestMigrateFromV2 upgrades a database of the release before OAuth: its
// keys keep working, the keys version carries on from where it was, and
// the OAuth tables are there.
func TestMigrateFromV2(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	raw := openAtVersion(t, path, 2)
	created := time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC)
	hash := sha256.Sum256([]byte("sk_live_v2key"))
	if _, err := raw.ExecContext(ctx, `INSERT INTO api_keys (id, name, created_at)
		VALUES ('key_v2', 'old', ?)`, created.UnixMicro()); err != nil {
		t.Fatalf("insert v2 key: %v", err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO api_key_secrets (hash, key_id, prefix, created_at)
		VALUES (?, 'key_v2', 'sk_live_v2ke', ?)`, hash[:], created.UnixMicro()); err != nil {
		t.Fatalf("insert v2 secret: %v", err)
	}
	if _, err := raw.ExecContext(ctx, `UPDATE key_state SET version = 41`); err != nil {
		t.Fatalf("set v2 keys version: %v", err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	db := openTest(t, path)
	if k, _, err := db.KeyBySecret(ctx, hash); err != nil || k.ID != "key_v2" {
		t.Fatalf("KeyBySecret of v2 key: got %q, %v; want key_v2", k.ID, err)
	}
	if v, err := db.KeysVersion(ctx); err != nil || v != 41 {
		t.Errorf("KeysVersion after migrating: got %d, %v; want 41", v, err)
	}
	g := store.OAuthGrant{ID: "grt_v3", ClientID: "c", CreatedAt: created}
	if err := db.CreateGrant(ctx, g); err != nil {
		t.Fatalf("CreateGrant after migrating: %v", err)
	}
	if err := db.RevokeGrant(ctx, g.ID, "test", created.Add(time.Hour)); err != nil {
		t.Fatalf("RevokeGrant after migrating: %v", err)
	}
	if v, err := db.KeysVersion(ctx); err != nil || v != 42 {
		t.Errorf("KeysVersion after RevokeGrant: got %d, %v; want 42", v, err)
	}
	if got, want := migrationCount(t, db), len(mustLoadMigrations(t)); got != want {
		t.Errorf("got %d migrations recorded, want %d", got, want)
	}
}

// TestMigrateFromV4 upgrades a database of the release before the counts
// per day (migration 0005), holding events: they are counted on their UTC
// days, appends after the migration add to those counts, and the index the
// counts replace is gone.
func TestMigrateFromV4(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "skillgate.db")
	raw := openAtVersion(t, path, 4)
	day := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
	next, before1970 := day.AddDate(0, 0, 1), time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, e := range []store.AuditEvent{
		{Time: time.Time{}, KeyID: "key_a", Action: "tool.call", Result: "ok"},
		{Time: before1970.Add(24*time.Hour - time.Microsecond), KeyID: "key_a", Action: "tool.call", Result: "ok"},
		{Time: day, KeyID: "key_a", Action: "tool.call", Result: "ok"},
		{Time: day.Add(24*time.Hour - time.Millisecond), KeyID: "key_a", Action: "tool.call", Result: "ok"},
		{Time: day.Add(21 * time.Hour), KeyID: "key_a", Action: "tool.call", Result: "denied"},
		{Time: day.Add(19 * time.Hour), Action: "auth.failure", Result: "denied"},
		{Time: next, KeyID: "key_a", Action: "tool.call", Result: "ok"},
	} {
		if _, err := raw.ExecContext(ctx, `INSERT INTO audit_events (time, key_id, action, result)
			VALUES (?, ?, ?, ?)`, e.Time.UnixMicro(), e.KeyID, e.Action, e.Result); err != nil {
			t.Fatalf("insert v4 event: %v", err)
		}
	}
	// No release stored a NULL time; were there one, it counts on the zero
	// time's day.
	if _, err := raw.ExecContext(ctx, `INSERT INTO audit_events (time, key_id, action, result)
		VALUES (NULL, 'key_a', 'tool.call', 'ok')`); err != nil {
		t.Fatalf("insert v4 event without a time: %v", err)
	}
	if err := raw.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}

	db := openTest(t, path)
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
		{"all", store.DayFilter{}, []store.DayCount{{Day: time.Time{}, Count: 2},
			{Day: before1970, Count: 1}, {Day: day, Count: 5}, {Day: next, Count: 1}}},
		{"key, action and result", store.DayFilter{KeyID: "key_a", Action: "tool.call", Result: "ok", From: day}, []store.DayCount{
			{Day: day, Count: 3}, {Day: next, Count: 1}}},
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
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema
		WHERE type = 'index' AND name = 'audit_events_key_id_action_time'`).Scan(&indexes); err != nil {
		t.Fatalf("look for the index: %v", err)
	}
	if indexes != 0 {
		t.Errorf("index audit_events_key_id_action_time still there after migrating")
	}
	if got, want := migrationCount(t, db), len(mustLoadMigrations(t)); got != want {
		t.Errorf("got %d migrations recorded, want %d", got, want)
	}
}
