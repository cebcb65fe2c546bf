package audit_test

import (
	"log/slog"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/skillgate/skillgate/audit"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/sqlite"
)

// TestLogSQLite writes through a Log into the real store: several batches,
// all stored, in order, with the IDs the store assigns.
func TestLogSQLite(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "skillgate.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })

	const n = 600
	l := audit.NewLog(db, slog.New(slog.DiscardHandler))
	start := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	for i := range n {
		l.Record(t.Context(), store.AuditEvent{
			Time:   start.Add(time.Duration(i) * time.Second),
			Action: "tool.call", Result: store.ResultOK, Detail: strconv.Itoa(i),
		})
	}
	if err := l.Close(t.Context()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if st := l.Stats(); st.Written != n || st.Dropped != 0 {
		t.Errorf("Stats() = %+v, want Written %d, Dropped 0", st, n)
	}

	got, err := db.ListAudit(t.Context(), store.AuditFilter{})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if len(got) != n {
		t.Fatalf("got %d events stored, want %d", len(got), n)
	}
	// ListAudit is newest first.
	for i, e := range got {
		want := n - 1 - i
		if e.Detail != strconv.Itoa(want) || !e.Time.Equal(start.Add(time.Duration(want)*time.Second)) {
			t.Fatalf("event %d: got Detail %q at %v, want %d at %v", i, e.Detail, e.Time, want, start.Add(time.Duration(want)*time.Second))
		}
		if i > 0 && e.ID >= got[i-1].ID {
			t.Fatalf("event %d: ID %d not below the previous %d", i, e.ID, got[i-1].ID)
		}
	}
}
