package postgres_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/pgtest"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/postgres"
)

// TestCountAuditByDaySessionTimeZone counts days in UTC on a connection
// whose TimeZone is not UTC: date_trunc of a timestamptz alone would cut
// days in the session's zone, which the conformance suite, on a server
// set to UTC, cannot see.
func TestCountAuditByDaySessionTimeZone(t *testing.T) {
	ctx := t.Context()
	for _, zone := range []string{"Pacific/Kiritimati", "Pacific/Pago_Pago"} { // UTC+14, UTC-11
		t.Run(zone, func(t *testing.T) {
			db, err := postgres.Open(ctx, pgtest.Schema(t)+"&timezone="+zone)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			t.Cleanup(func() { db.Close() })
			day := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
			events := []store.AuditEvent{
				{Time: day.Add(time.Hour), Action: "tool.call"},
				{Time: day.Add(23 * time.Hour), Action: "tool.call"},
			}
			if err := db.AppendAudit(ctx, events); err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
			got, err := db.CountAuditByDay(ctx, store.AuditFilter{})
			if err != nil {
				t.Fatalf("CountAuditByDay: %v", err)
			}
			if want := []store.DayCount{{Day: day, Count: 2}}; !reflect.DeepEqual(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}
