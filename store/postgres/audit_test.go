package postgres_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/pgtest"
	"github.com/skillgate/skillgate/store"
	"github.com/skillgate/skillgate/store/postgres"
)

// TestCountAuditByDaySessionTimeZone appends and counts events on
// connections whose TimeZone is far from UTC: the days are still UTC days,
// in what is stored and in what is selected. The conformance suite, on a
// server set to UTC, cannot see a day cut or bound in the session's zone.
// (TestMigrateCountsAuditDays does the same for the counts of migration
// 0003.)
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
				{Time: day.Add(-time.Millisecond), Action: "tool.call"},
				{Time: day, Action: "tool.call"},
				{Time: day.Add(time.Hour), Action: "tool.call"},
				{Time: day.Add(24*time.Hour - time.Millisecond), Action: "tool.call"},
				{Time: day.Add(24 * time.Hour), Action: "tool.call"},
			}
			if err := db.AppendAudit(ctx, events); err != nil {
				t.Fatalf("AppendAudit: %v", err)
			}
			tests := []struct {
				name string
				f    store.DayFilter
				want []store.DayCount
			}{
				{"all", store.DayFilter{},
					[]store.DayCount{{Day: day.AddDate(0, 0, -1), Count: 1}, {Day: day, Count: 3}, {Day: day.AddDate(0, 0, 1), Count: 1}}},
				{"one day", store.DayFilter{From: day, To: day}, []store.DayCount{{Day: day, Count: 3}}},
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
		})
	}
}
