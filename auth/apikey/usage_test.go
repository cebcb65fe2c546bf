package apikey

import (
	"context"
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

// DailyUsage counts a key's tool calls per day from the audit log, within
// the days asked for (the first from its midnight, today to its end, no
// later), and only for an actor who may see the key.
func TestDailyUsage(t *testing.T) {
	f := newFixture(t, nil)
	mine := f.create(t, CreateParams{Name: "mine", User: "alice"})
	other := f.create(t, CreateParams{Name: "other", User: "bob"})
	now := f.clock.now()
	today := store.UTCDay(now)
	ago := func(days int) time.Time { return today.AddDate(0, 0, -days) }
	var events []store.AuditEvent
	for _, e := range []struct {
		key    string
		at     time.Time
		action string
	}{
		{mine.Key.ID, now, store.ActionToolCall},
		{mine.Key.ID, now.Add(-time.Minute), store.ActionToolCall},
		{mine.Key.ID, ago(2).Add(12 * time.Hour), store.ActionToolCall},
		{mine.Key.ID, ago(2).Add(12 * time.Hour), "key.update"}, // not a tool call
		// The first of thirty days, and the last millisecond before it.
		{mine.Key.ID, ago(29), store.ActionToolCall},
		{mine.Key.ID, ago(29).Add(-time.Millisecond), store.ActionToolCall},
		{mine.Key.ID, ago(40), store.ActionToolCall},
		// Tomorrow, by the clock of a replica ahead of this one.
		{mine.Key.ID, ago(-1), store.ActionToolCall},
		{other.Key.ID, now, store.ActionToolCall},
	} {
		events = append(events, store.AuditEvent{Time: e.at, KeyID: e.key, Action: e.action, Result: store.ResultOK})
	}
	if err := f.db.AppendAudit(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		actor   Actor
		id      string
		days    int
		want    map[time.Time]int64
		wantErr Kind
	}{
		{name: "thirty days", actor: admin, id: mine.Key.ID, days: 30,
			want: map[time.Time]int64{today: 2, ago(2): 1, ago(29): 1}},
		{name: "today only", actor: admin, id: mine.Key.ID, days: 1, want: map[time.Time]int64{today: 2}},
		{name: "the longest history", actor: admin, id: mine.Key.ID, days: MaxUsageDays,
			want: map[time.Time]int64{today: 2, ago(2): 1, ago(29): 1, ago(30): 1, ago(40): 1}},
		{name: "the key itself", actor: f.actor(t, mine.Secret), id: mine.Key.ID, days: 7,
			want: map[time.Time]int64{today: 2, ago(2): 1}},
		{name: "another owner's key", actor: f.actor(t, mine.Secret), id: other.Key.ID, days: 7, wantErr: KindNotFound},
		{name: "no days", actor: admin, id: mine.Key.ID, days: 0, wantErr: KindInvalid},
		{name: "too many days", actor: admin, id: mine.Key.ID, days: MaxUsageDays + 1, wantErr: KindInvalid},
		{name: "unknown key", actor: admin, id: "key_nope", days: 7, wantErr: KindNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.manager.DailyUsage(context.Background(), tc.actor, tc.id, tc.days)
			if tc.wantErr != 0 {
				if KindOf(err) != tc.wantErr {
					t.Fatalf("error %v (kind %v), want kind %v", err, KindOf(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			counts := map[time.Time]int64{}
			for _, d := range got {
				counts[d.Day.UTC()] = d.Count
			}
			if len(counts) != len(tc.want) {
				t.Fatalf("got %v, want %v", counts, tc.want)
			}
			for d, n := range tc.want {
				if counts[d] != n {
					t.Errorf("%s: %d calls, want %d (all: %v)", d.Format("Jan 2"), counts[d], n, counts)
				}
			}
		})
	}
}
