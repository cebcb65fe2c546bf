package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func TestUTCDay(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"midnight", time.Date(2025, 3, 30, 0, 0, 0, 0, utc), time.Date(2025, 3, 30, 0, 0, 0, 0, utc)},
		{"last nanosecond", time.Date(2025, 3, 30, 23, 59, 59, 999999999, utc), time.Date(2025, 3, 30, 0, 0, 0, 0, utc)},
		// 14:00 on March 31 east of UTC is midnight of March 31 in UTC.
		{"other zone, east", time.Date(2025, 3, 31, 13, 0, 0, 0, time.FixedZone("UTC+14", 14*3600)),
			time.Date(2025, 3, 30, 0, 0, 0, 0, utc)},
		{"other zone, west", time.Date(2025, 4, 1, 22, 0, 0, 0, time.FixedZone("UTC-5", -5*3600)),
			time.Date(2025, 4, 2, 0, 0, 0, 0, utc)},
		// Rounds down, not toward 1970.
		{"before 1970", time.Date(1969, 12, 31, 23, 59, 59, 0, utc), time.Date(1969, 12, 31, 0, 0, 0, 0, utc)},
		{"zero", time.Time{}, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// DeepEqual, not Equal: the backends and their callers compare
			// days with == and reflect.DeepEqual.
			if got := store.UTCDay(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("UTCDay(%v) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
	// time.Now has a monotonic reading, which == would compare.
	now := time.Now()
	if got, want := store.UTCDay(now), store.UTCDay(now.Round(0)); got != want {
		t.Errorf("UTCDay of a time with a monotonic reading: got %#v, want %#v", got, want)
	}
}

func TestDayTotals(t *testing.T) {
	day := time.Date(2025, 3, 30, 0, 0, 0, 0, time.UTC)
	next := day.AddDate(0, 0, 1)
	ev := func(key, action, result string, at time.Time) store.AuditEvent {
		return store.AuditEvent{KeyID: key, Action: action, Result: result, Time: at, Target: "ignored"}
	}
	total := func(key, action, result string, day time.Time, n int64) store.DayTotal {
		return store.DayTotal{KeyID: key, Action: action, Result: result, Day: day, Count: n}
	}
	tests := []struct {
		name   string
		events []store.AuditEvent
		want   []store.DayTotal
	}{
		{"none", nil, nil},
		{"one group", []store.AuditEvent{
			ev("key_a", "tool.call", "ok", day),
			ev("key_a", "tool.call", "ok", day.Add(time.Hour)),
			ev("key_a", "tool.call", "ok", next.Add(-time.Nanosecond)),
		}, []store.DayTotal{total("key_a", "tool.call", "ok", day, 3)}},
		{"split by key, action, result and day, in key order", []store.AuditEvent{
			ev("key_b", "tool.call", "ok", day),
			ev("key_a", "tool.call", "ok", next),
			ev("key_a", "tool.call", "denied", next),
			ev("key_a", "tool.call", "ok", day),
			ev("key_a", "key.create", "ok", next),
			ev("", "auth.failure", "denied", day),
			ev("key_a", "tool.call", "ok", next),
		}, []store.DayTotal{
			total("", "auth.failure", "denied", day, 1),
			total("key_a", "key.create", "ok", next, 1),
			total("key_a", "tool.call", "ok", day, 1),
			total("key_a", "tool.call", "denied", next, 1),
			total("key_a", "tool.call", "ok", next, 2),
			total("key_b", "tool.call", "ok", day, 1),
		}},
		{"one instant in two zones", []store.AuditEvent{
			ev("key_a", "tool.call", "ok", next),
			ev("key_a", "tool.call", "ok", next.In(time.FixedZone("UTC-5", -5*3600))),
		}, []store.DayTotal{total("key_a", "tool.call", "ok", next, 2)}},
		{"zero time", []store.AuditEvent{ev("key_a", "tool.call", "ok", time.Time{})},
			[]store.DayTotal{total("key_a", "tool.call", "ok", time.Time{}, 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := store.DayTotals(tc.events); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}
