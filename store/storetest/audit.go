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
// is stored, in order, and counted. Each event has a key of its own, so the
// counts per day take as many rows as the events.
func testAuditLargeBatch(t *testing.T, s store.Store) {
	ctx := t.Context()
	const n = 300
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	in := make([]store.AuditEvent, n)
	for i := range in {
		in[i] = store.AuditEvent{Time: t0.Add(time.Duration(i) * time.Second), KeyID: fmt.Sprint("key_", i),
			Action: "tool.call", Target: "t", Result: store.ResultOK, Detail: fmt.Sprint(i)}
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
	for _, tc := range []struct {
		name string
		f    store.DayFilter
		want int64
	}{
		{"every key", store.DayFilter{}, n},
		{"the last key", store.DayFilter{KeyID: fmt.Sprint("key_", n-1)}, 1},
	} {
		days, err := s.CountAuditByDay(ctx, tc.f)
		if err != nil {
			t.Fatalf("CountAuditByDay of %s: %v", tc.name, err)
		}
		if want := []store.DayCount{{Day: t0, Count: tc.want}}; !reflect.DeepEqual(days, want) {
			t.Errorf("CountAuditByDay of %s: got %v, want %v", tc.name, days, want)
		}
	}
}

// testAuditByDay counts events around the edges of UTC days (the last
// millisecond and nanosecond of a day, midnight, times given in other
// zones, a time before 1970 and the zero time), appended in three batches
// whose counts of one day add up, within a batch and across them.
func testAuditByDay(t *testing.T, s store.Store) {
	day := func(m time.Month, d int) time.Time { return time.Date(2025, m, d, 0, 0, 0, 0, time.UTC) }
	at := func(m time.Month, d, h, min, sec, nsec int, loc *time.Location) time.Time {
		return time.Date(2025, m, d, h, min, sec, nsec, loc)
	}
	c := func(day time.Time, n int64) store.DayCount { return store.DayCount{Day: day, Count: n} }
	utc, east, west := time.UTC, time.FixedZone("UTC+14", 14*3600), time.FixedZone("UTC-5", -5*3600)
	const call = store.ActionToolCall
	batches := [][]store.AuditEvent{{
		{Time: time.Time{}, KeyID: "key_z", Action: call, Result: store.ResultOK},
		{Time: time.Date(1969, 12, 31, 12, 0, 0, 0, utc), KeyID: "key_z", Action: call, Result: store.ResultOK},
		{Time: at(3, 30, 0, 0, 0, 0, utc), KeyID: "key_a", Action: call, Result: store.ResultOK},
		{Time: at(3, 30, 12, 0, 0, 0, utc), KeyID: "key_a", Action: call, Result: store.ResultDenied},
		{Time: at(3, 30, 23, 59, 59, 999e6, utc), KeyID: "key_b", Action: call, Result: store.ResultOK},
	}, {
		// 2025-03-31 00:00 UTC, on March 31 in no zone west of it.
		{Time: at(3, 31, 14, 0, 0, 0, east), KeyID: "key_a", Action: call, Result: store.ResultOK},
		{Time: at(3, 31, 0, 0, 0, 0, utc), KeyID: "key_a", Action: "auth.failure", Result: store.ResultDenied},
		{Time: at(4, 2, 8, 0, 0, 0, utc), KeyID: "key_a", Action: call, Result: store.ResultError},
		// Stored to the microsecond: still April 2.
		{Time: at(4, 2, 23, 59, 59, 999999999, utc), KeyID: "key_a", Action: "key.create", Result: store.ResultOK},
		// April 1 where it happened, April 2 in UTC.
		{Time: at(4, 1, 22, 0, 0, 0, west), KeyID: "key_b", Action: call, Result: store.ResultOK},
	}, {
		// Two more of key_a's successful calls on March 30, a day the
		// first batch counted already.
		{Time: at(3, 30, 18, 0, 0, 0, utc), KeyID: "key_a", Action: call, Result: store.ResultOK},
		{Time: at(3, 30, 23, 0, 0, 0, utc), KeyID: "key_a", Action: call, Result: store.ResultOK},
		// No key: counted all the same.
		{Time: at(4, 2, 10, 0, 0, 0, utc), Action: "auth.failure", Result: store.ResultDenied},
	}}
	total := 0
	for _, b := range batches {
		if err := s.AppendAudit(t.Context(), b); err != nil {
			t.Fatalf("AppendAudit: %v", err)
		}
		total += len(b)
	}
	zero, before1970 := time.Time{}, time.Date(1969, 12, 31, 0, 0, 0, 0, utc)
	all := []store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 5), c(day(3, 31), 2), c(day(4, 2), 4)}
	tests := []struct {
		name string
		f    store.DayFilter
		want []store.DayCount
	}{
		{"all", store.DayFilter{}, all},
		{"key", store.DayFilter{KeyID: "key_a"},
			[]store.DayCount{c(day(3, 30), 4), c(day(3, 31), 2), c(day(4, 2), 2)}},
		{"action", store.DayFilter{Action: call},
			[]store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 5), c(day(3, 31), 1), c(day(4, 2), 2)}},
		{"action, with and without a key", store.DayFilter{Action: "auth.failure"},
			[]store.DayCount{c(day(3, 31), 1), c(day(4, 2), 1)}},
		{"result", store.DayFilter{Result: store.ResultDenied},
			[]store.DayCount{c(day(3, 30), 1), c(day(3, 31), 1), c(day(4, 2), 1)}},
		{"key, action and result", store.DayFilter{KeyID: "key_a", Action: call, Result: store.ResultOK},
			[]store.DayCount{c(day(3, 30), 3), c(day(3, 31), 1)}},
		{"from midnight, inclusive", store.DayFilter{From: day(3, 31)},
			[]store.DayCount{c(day(3, 31), 2), c(day(4, 2), 4)}},
		{"to midnight, the whole day", store.DayFilter{To: day(3, 31)},
			[]store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 5), c(day(3, 31), 2)}},
		{"from the last millisecond, the whole day", store.DayFilter{From: at(3, 30, 23, 59, 59, 999e6, utc)},
			[]store.DayCount{c(day(3, 30), 5), c(day(3, 31), 2), c(day(4, 2), 4)}},
		{"to the last millisecond, the same", store.DayFilter{To: at(3, 31, 23, 59, 59, 999e6, utc)},
			[]store.DayCount{c(zero, 1), c(before1970, 1), c(day(3, 30), 5), c(day(3, 31), 2)}},
		{"from and to one day", store.DayFilter{From: at(3, 30, 12, 0, 0, 0, utc), To: at(3, 30, 6, 0, 0, 0, utc)},
			[]store.DayCount{c(day(3, 30), 5)}},
		// Cut in their own zones, From would be March 31 and To April 1.
		{"from and to in other zones", store.DayFilter{From: at(3, 31, 9, 0, 0, 0, east), To: at(4, 1, 20, 0, 0, 0, west)},
			[]store.DayCount{c(day(3, 30), 5), c(day(3, 31), 2), c(day(4, 2), 4)}},
		// The dashboard's call: one key's tool calls over the last days.
		{"key, action, from and to", store.DayFilter{KeyID: "key_a", Action: call, From: day(3, 31), To: day(4, 2)},
			[]store.DayCount{c(day(3, 31), 1), c(day(4, 2), 1)}},
		{"every field", store.DayFilter{KeyID: "key_b", Action: call, Result: store.ResultOK,
			From: day(3, 1), To: day(5, 1)}, []store.DayCount{c(day(3, 30), 1), c(day(4, 2), 1)}},
		{"to before 1970", store.DayFilter{To: time.Date(1969, 12, 31, 23, 0, 0, 0, utc)},
			[]store.DayCount{c(zero, 1), c(before1970, 1)}},
		{"no match", store.DayFilter{Action: "nothing"}, nil},
		{"day without events", store.DayFilter{From: day(4, 1), To: day(4, 1)}, nil},
		{"from after to", store.DayFilter{From: day(4, 2), To: day(3, 30)}, nil},
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
	// The counts agree with the events stored.
	var counted int64
	for _, d := range all {
		counted += d.Count
	}
	if counted != int64(total) {
		t.Errorf("the days count %d events, %d were appended", counted, total)
	}
}
