package store

import (
	"cmp"
	"slices"
	"time"
)

// DayFilter selects per-day counts of audit events. Zero fields do not
// filter. It is coarser than AuditFilter because the counts it reads are
// kept per day: there is nothing finer to select.
type DayFilter struct {
	KeyID  string
	Action string
	Result string
	// From and To bound the days counted, both inclusive. Each is cut to
	// its UTC day (UTCDay), so a To at 00:00 still counts its whole day.
	From time.Time
	To   time.Time
}

// DayCount is how many audit events fell on one UTC calendar day.
type DayCount struct {
	// Day is midnight UTC of the day. Events stored with the zero time
	// count on the zero time's day, before every other.
	Day   time.Time
	Count int64
}

// DayTotal is how many events of one key, action and result fell on one
// UTC day: the unit a backend keeps its counts per day in.
type DayTotal struct {
	KeyID  string
	Action string
	Result string
	// Day is midnight UTC of the day (UTCDay of the events' Time).
	Day   time.Time
	Count int64
}

// UTCDay is midnight UTC of t's day in UTC, the day an event at t is
// counted on. The zero time is its own day.
func UTCDay(t time.Time) time.Time {
	// Truncate cuts relative to the zero time, a UTC midnight, and UTC
	// days are all 24 hours long: the result is a UTC midnight.
	return t.UTC().Truncate(24 * time.Hour)
}

// DayTotals sums events per key, action, result and UTC day, for a backend
// to add to its counts in the transaction that stores the events. The
// totals are sorted by key, action, day and result: the order of the
// backends' primary key, so that concurrent appends lock the counts they
// share in one order and cannot deadlock on them.
func DayTotals(events []AuditEvent) []DayTotal {
	type group struct {
		keyID, action, result string
		day                   int64 // unix seconds: time.Time is no map key
	}
	index := make(map[group]int)
	var totals []DayTotal
	for _, e := range events {
		day := UTCDay(e.Time)
		g := group{e.KeyID, e.Action, e.Result, day.Unix()}
		i, ok := index[g]
		if !ok {
			i = len(totals)
			index[g] = i
			totals = append(totals, DayTotal{KeyID: e.KeyID, Action: e.Action, Result: e.Result, Day: day})
		}
		totals[i].Count++
	}
	slices.SortFunc(totals, func(a, b DayTotal) int {
		return cmp.Or(
			cmp.Compare(a.KeyID, b.KeyID),
			cmp.Compare(a.Action, b.Action),
			a.Day.Compare(b.Day),
			cmp.Compare(a.Result, b.Result),
		)
	})
	return totals
}
