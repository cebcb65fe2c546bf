package storetest

import (
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// auditEvents appends events named e0..e5, an hour apart from t0, and
// returns them with the IDs the store gave them, in insertion order.
func auditEvents(t *testing.T, s store.Store, t0 time.Time) []store.AuditEvent {
	t.Helper()
	ctx := t.Context()
	in := []store.AuditEvent{
		{KeyID: "key_a", Principal: "alice", Action: "key.create", Target: "key_b", Result: store.ResultOK, ClientAddr: "10.0.0.1:1234"},
		{KeyID: "key_a", Action: "tool.call", Target: "search", Result: store.ResultOK, Detail: "skill_x"},
		{Action: "auth.failure", Result: store.ResultDenied, ClientAddr: "10.0.0.9"},
		{KeyID: "key_b", Principal: "bob", Action: "tool.call", Target: "fetch", Result: store.ResultError, Detail: "timeout"},
		{KeyID: "key_a", Action: "key.revoke", Target: "key_b", Result: store.ResultOK},
		{KeyID: "key_b", Action: "tool.call", Result: store.ResultDenied},
	}
	for i := range in {
		in[i].Time = t0.Add(time.Duration(i) * time.Hour)
	}
	// Two batches, to see IDs keep increasing across them.
	if err := s.AppendAudit(ctx, in[:2]); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	if err := s.AppendAudit(ctx, in[2:]); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	if err := s.AppendAudit(ctx, nil); err != nil {
		t.Fatalf("AppendAudit of nothing: %v", err)
	}
	got, err := s.ListAudit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if len(got) != len(in) {
		t.Fatalf("ListAudit: got %d events, want %d", len(got), len(in))
	}
	out := make([]store.AuditEvent, len(in))
	for i, e := range got {
		j := len(in) - 1 - i
		want := in[j]
		want.ID = e.ID
		if !reflect.DeepEqual(e, want) {
			t.Errorf("event %d:\n got %+v\nwant %+v", j, e, want)
		}
		if i > 0 && e.ID >= got[i-1].ID {
			t.Errorf("event %d: ID %d not below %d: want newest first", j, e.ID, got[i-1].ID)
		}
		out[j] = e
	}
	return out
}

func testAudit(t *testing.T, s store.Store) {
	t0 := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	ev := auditEvents(t, s, t0)
	tests := []struct {
		name string
		f    store.AuditFilter
		want []int // indexes into ev, newest first
	}{
		{"key", store.AuditFilter{KeyID: "key_a"}, []int{4, 1, 0}},
		{"action", store.AuditFilter{Action: "tool.call"}, []int{5, 3, 1}},
		{"result", store.AuditFilter{Result: store.ResultDenied}, []int{5, 2}},
		{"since inclusive", store.AuditFilter{Since: t0.Add(4 * time.Hour)}, []int{5, 4}},
		{"until exclusive", store.AuditFilter{Until: t0.Add(2 * time.Hour)}, []int{1, 0}},
		{"before", store.AuditFilter{Before: ev[2].ID}, []int{1, 0}},
		{"limit", store.AuditFilter{Limit: 2}, []int{5, 4}},
		{"combined", store.AuditFilter{KeyID: "key_b", Action: "tool.call", Result: store.ResultError}, []int{3}},
		{"no match", store.AuditFilter{Action: "nothing"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListAudit(t.Context(), tc.f)
			if err != nil {
				t.Fatalf("ListAudit: %v", err)
			}
			var want []store.AuditEvent
			for _, i := range tc.want {
				want = append(want, ev[i])
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

func testAuditPages(t *testing.T, s store.Store) {
	ev := auditEvents(t, s, time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC))
	var got []int64
	f := store.AuditFilter{Limit: 4}
	for range 10 {
		page, err := s.ListAudit(t.Context(), f)
		if err != nil {
			t.Fatalf("ListAudit: %v", err)
		}
		for _, e := range page {
			got = append(got, e.ID)
		}
		if len(page) < f.Limit {
			break
		}
		f.Before = page[len(page)-1].ID
	}
	var want []int64
	for i := len(ev) - 1; i >= 0; i-- {
		want = append(want, ev[i].ID)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages: got %v, want %v", got, want)
	}
}

// testAuditLargeBatch appends one batch larger than any backend's rows per
// statement (the audit writer sends up to 256 events at once): every event
// is stored, in order.
func testAuditLargeBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 300
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	in := make([]store.AuditEvent, n)
	for i := range in {
		in[i] = store.AuditEvent{Time: t0.Add(time.Duration(i) * time.Second), Action: "tool.call",
			Target: "t", Result: store.ResultOK, Detail: fmt.Sprint(i)}
	}
	if err := s.AppendAudit(ctx, in); err != nil {
		t.Fatalf("AppendAudit of %d events: %v", n, err)
	}
	got, err := s.ListAudit(ctx, store.AuditFilter{})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	if len(got) != n {
		t.Fatalf("ListAudit: %d events, want %d", len(got), n)
	}
	for i, e := range got {
		if want := fmt.Sprint(n - 1 - i); e.Detail != want {
			t.Fatalf("event %d (newest first) has detail %q, want %q", i, e.Detail, want)
		}
	}
}

// testAuditByDay counts events around the edges of UTC days: the last
// millisecond and nanosecond of a day, midnight, times given in other
// zones, a time before 1970 and the zero time.
func testAuditByDay(t *testing.T, s store.Store) {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	at := func(m time.Month, d, h, min, sec, nsec int, loc *time.Location) time.Time {
		return time.Date(2025, m, d, h, min, sec, nsec, loc)
	}
	c := func(day time.Time, n int64) store.DayCount { return store.DayCount{Day: day, Count: n} }
	utc, east, west := time.UTC, time.FixedZone("UTC+14", 14*3600), time.FixedZone("UTC-5", -5*3600)
	events := []store.AuditEvent{
		{Time: time.Time{}, KeyID: "key_z", Action: "tool.call", Result: store.ResultOK},
		{Time: time.Date(1969, 12, 31, 12, 0, 0, 0, utc), KeyID: "key_z", Action: "tool.call", Result: store.ResultOK},
		{Time: at(3, 30, 0, 0, 0, 0, utc), KeyID: "key_a", Action: "tool.call", Result: store.ResultOK},
		{Time: at(3, 30, 12, 0, 0, 0, utc), KeyID: "key_a", Action: "tool.call", Result: store.ResultDenied},
		{Time: at(3, 30, 23, 59, 59, 999e6, utc), KeyID: "key_b", Action: "tool.call", Result: store.ResultOK},
		// 2025-03-31 00:00 UTC, on March 31 in no zone west of it.
		{Time: at(3, 31, 14, 0, 0, 0, east), KeyID: "key_a", Action: "tool.call", Result: store.ResultOK},
		{Time: at(3, 31, 0, 0, 0, 0, utc), KeyID: "key_a", Action: "auth.failure", Result: store.ResultDenied},
		{Time: at(4, 2, 8, 0, 0, 0, utc), KeyID: "key_a", Action: "tool.call", Result: store.ResultError},
		// Stored to the microsecond: still April 2.
		{Time: at(4, 2, 23, 59, 59, 999999999, utc), KeyID: "key_a", Action: "key.create", Result: store.ResultOK},
		// April 1 where it happened, April 2 in UTC.
		{Time: at(4, 1, 22, 0, 0, 0, west), KeyID: "key_b", Action: "tool.call", Result: store.ResultOK},
	}
	if err := s.AppendAudit(t.Context(), events); err != nil {
		t.Fatalf("AppendAudit: %v", err)
	}
	zero, before1970 := time.Time{}, time.Date(1969, 12, 31, 0, 0, 0, 0, utc)
	all := []store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 3), c(day(3, 31), 2), c(day(4, 2), 3)}
	tests := []struct {
		name string
		f    store.AuditFilter
		want []store.DayCount
	}{
		{"all", store.AuditFilter{}, all},
		{"key", store.AuditFilter{KeyID: "key_a"},
			[]store.DayCount{c(day(3, 30), 2), c(day(3, 31), 2), c(day(4, 2), 2)}},
		{"action", store.AuditFilter{Action: "tool.call"},
			[]store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 3), c(day(3, 31), 1), c(day(4, 2), 2)}},
		{"result", store.AuditFilter{Result: store.ResultDenied},
			[]store.DayCount{c(day(3, 30), 1), c(day(3, 31), 1)}},
		{"since midnight, inclusive", store.AuditFilter{Since: day(3, 31)},
			[]store.DayCount{c(day(3, 31), 2), c(day(4, 2), 3)}},
		{"until midnight, exclusive", store.AuditFilter{Until: day(3, 31)},
			[]store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 3)}},
		{"since the last millisecond", store.AuditFilter{Since: at(3, 30, 23, 59, 59, 999e6, utc)},
			[]store.DayCount{c(day(3, 30), 1), c(day(3, 31), 2), c(day(4, 2), 3)}},
		{"until the last millisecond", store.AuditFilter{Since: day(3, 30), Until: at(3, 30, 23, 59, 59, 999e6, utc)},
			[]store.DayCount{c(day(3, 30), 2)}},
		// The dashboard's usual call.
		{"key, action, since", store.AuditFilter{KeyID: "key_a", Action: "tool.call", Since: at(3, 30, 12, 0, 0, 0, utc)},
			[]store.DayCount{c(day(3, 30), 1), c(day(3, 31), 1), c(day(4, 2), 1)}},
		// Until is the instant of the last event, given in its own zone.
		{"since and until in other zones", store.AuditFilter{Since: at(3, 31, 14, 0, 0, 0, east), Until: at(4, 1, 22, 0, 0, 0, west)},
			[]store.DayCount{c(day(3, 31), 2)}},
		{"every field", store.AuditFilter{KeyID: "key_b", Action: "tool.call", Result: store.ResultOK,
			Since: day(3, 1), Until: day(5, 1)}, []store.DayCount{c(day(3, 30), 1), c(day(4, 2), 1)}},
		{"before and limit ignored", store.AuditFilter{Before: 1, Limit: 1}, all},
		{"no match", store.AuditFilter{Action: "nothing"}, nil},
		{"empty range", store.AuditFilter{Since: day(3, 30), Until: day(3, 30)}, nil},
		{"day without events", store.AuditFilter{Since: day(4, 1), Until: day(4, 2)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.CountAuditByDay(t.Context(), tc.f)
			if err != nil {
				t.Fatalf("CountAuditByDay: %v", err)
			}
			if len(got) == 0 && len(tc.want) == 0 {
				return // nil and empty both mean no days
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}
