package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/skillgate/skillgate/internal/pgtest"
	"github.com/skillgate/skillgate/store/postgres"
	"github.com/skillgate/skillgate/store/storetest"
)

// TestKeysVersionAcrossReplicas revokes a key through one replica and
// checks when the other sees the keys version change: by notification,
// long before the max age; and, with its listener connection killed, still
// within the max age, because a version older than that is never served.
func TestKeysVersionAcrossReplicas(t *testing.T) {
	const maxAge = time.Second
	dbs := openReplicas(t, 2, postgres.WithVersionMaxAge(maxAge))
	a, b := dbs[0], dbs[1]
	ctx := t.Context()

	revokeAndWatch := func(t *testing.T) time.Duration {
		t.Helper()
		k, s := storetest.NewKey(t)
		if err := a.CreateKey(ctx, k, s, nil); err != nil {
			t.Fatal(err)
		}
		before, err := b.KeysVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.RevokeKey(ctx, k.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		committed := time.Now()
		// Bounded: 5× the max age, polling every millisecond.
		for time.Since(committed) < 5*maxAge {
			v, err := b.KeysVersion(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if v != before {
				return time.Since(committed)
			}
			time.Sleep(time.Millisecond)
		}
		t.Fatalf("replica b still serves version %d %v after the revocation", before, 5*maxAge)
		return 0
	}

	t.Run("notified", func(t *testing.T) {
		seen := revokeAndWatch(t)
		t.Logf("replica b saw the revocation after %v", seen)
	})
	t.Run("listener lost", func(t *testing.T) {
		// Kill every listener connection of the schema's replicas, as a
		// network cut would, then change the version before they are back.
		killListeners(t)
		_ = revokeAndWatch(t)
		// What a request sees after the max age is the contract: the
		// version read after it is the new one.
		k, s := storetest.NewKey(t)
		if err := a.CreateKey(ctx, k, s, nil); err != nil {
			t.Fatal(err)
		}
		killListeners(t)
		if _, err := a.RevokeKey(ctx, k.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		want, err := a.KeysVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(maxAge)
		if got, err := b.KeysVersion(ctx); err != nil || got < want {
			t.Fatalf("one max age after the revocation, replica b serves version %d (err %v), want ≥ %d", got, err, want)
		}
	})
}

// killListeners terminates every backend of the test server that is
// LISTENing, as a lost connection would.
func killListeners(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, pgtest.ServerDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE query LIKE 'LISTEN%' OR query LIKE 'SELECT version FROM key_state%'`); err != nil {
		t.Fatal(err)
	}
}
