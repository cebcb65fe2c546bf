package dashboard

import (
	"testing"
	"time"

	"github.com/skillgate/skillgate/store"
)

func TestLocalNext(t *testing.T) {
	tests := []struct{ next, want string }{
		{"/dashboard/keys", "/dashboard/keys"},
		{"/dashboard/keys/key_1", "/dashboard/keys/key_1"},
		{"", ""},
		{"/dashboard", ""},
		{"https://evil.example/dashboard/keys", ""},
		{"//evil.example/dashboard/", ""},
		{"/dashboard//evil.example", ""},
		{"/dashboard/\\evil", ""},
		{"/dashboard/../v1/api-keys", ""},
		{"/dashboard/%2e%2e/v1/api-keys", ""},
		{"/dashboard/keys%2f..", ""},
		{"/dashboard/keys?x=1", ""},
		{"/dashboard/signin", ""},
		{"/v1/api-keys", ""},
	}
	for _, tc := range tests {
		if got := localNext(tc.next); got != tc.want {
			t.Errorf("localNext(%q) = %q, want %q", tc.next, got, tc.want)
		}
	}
}

func TestChart(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 11, d, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name      string
		counts    []store.DayCount
		wantTotal int64
		wantMax   int64
		// wantH are the heights of the bars named by their index.
		wantH map[int]int
	}{
		{name: "no calls", wantH: map[int]int{0: 0, 6: 0}},
		{
			name:      "today is the last bar, the largest day full height",
			counts:    []store.DayCount{{Day: day(23), Count: 10}, {Day: day(21), Count: 5}},
			wantTotal: 15, wantMax: 10,
			wantH: map[int]int{6: chartHeight, 4: chartHeight / 2, 5: 0},
		},
		{
			name:      "days outside the range are left out",
			counts:    []store.DayCount{{Day: day(10), Count: 99}, {Day: day(24), Count: 99}, {Day: day(17), Count: 3}},
			wantTotal: 3, wantMax: 3,
			wantH: map[int]int{0: chartHeight},
		},
		{
			name:      "a small day is still visible",
			counts:    []store.DayCount{{Day: day(22), Count: 1000}, {Day: day(23), Count: 1}},
			wantTotal: 1001, wantMax: 1000,
			wantH: map[int]int{5: chartHeight, 6: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newChart(tc.counts, now, 7)
			if len(c.Bars) != 7 {
				t.Fatalf("%d bars, want 7", len(c.Bars))
			}
			if c.Total != tc.wantTotal || c.Max != tc.wantMax {
				t.Errorf("total %d max %d, want %d and %d", c.Total, c.Max, tc.wantTotal, tc.wantMax)
			}
			for i, h := range tc.wantH {
				if b := c.Bars[i]; b.H != h || b.Y != chartHeight-h {
					t.Errorf("bar %d: height %d at y %d, want %d", i, b.H, b.Y, h)
				}
			}
			if c.First != "Nov 17" || c.Last != "Nov 23" {
				t.Errorf("range %s–%s", c.First, c.Last)
			}
		})
	}
}
