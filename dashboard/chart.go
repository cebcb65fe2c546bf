package dashboard

import (
	"strconv"
	"time"

	"github.com/skillgate/skillgate/store"
)

// chart is a bar chart of tool calls per day, drawn by the key page's
// template as inline SVG: no script, no image request, nothing the
// Content-Security-Policy has to allow.
type chart struct {
	Width, Height int
	Bars          []bar
	// Max is the tallest day's count, Total the sum of all days.
	Max, Total int64
	First      string
	Last       string
}

// bar is one day of the chart, in SVG user units.
type bar struct {
	X, Y, W, H int
	// Title is the tooltip: the day and its count.
	Title string
}

// Geometry of the chart.
const (
	chartWidth  = 600
	chartHeight = 120
	chartGap    = 2
)

// newChart lays out the last days days up to today (UTC) from counts,
// which may miss days without calls and hold days outside the range.
func newChart(counts []store.DayCount, now time.Time, days int) chart {
	today := now.UTC().Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, -(days - 1))
	byDay := make(map[time.Time]int64, len(counts))
	c := chart{Width: chartWidth, Height: chartHeight, First: first.Format("Jan 2"), Last: today.Format("Jan 2")}
	for _, d := range counts {
		day := d.Day.UTC().Truncate(24 * time.Hour)
		if day.Before(first) || day.After(today) {
			continue
		}
		byDay[day] += d.Count
	}
	for _, n := range byDay {
		c.Max = max(c.Max, n)
		c.Total += n
	}
	slot := chartWidth / days
	for i := range days {
		day := first.AddDate(0, 0, i)
		n := byDay[day]
		h := 0
		if c.Max > 0 {
			h = int(n * chartHeight / c.Max)
		}
		if n > 0 && h == 0 {
			h = 1 // a day with calls is never drawn as none
		}
		c.Bars = append(c.Bars, bar{
			X: i * slot, Y: chartHeight - h, W: slot - chartGap, H: h,
			Title: day.Format("Mon Jan 2") + ": " + strconv.FormatInt(n, 10) + " calls",
		})
	}
	return c
}
