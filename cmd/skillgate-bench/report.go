package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
)

func printLoad(w io.Writer, reps []modeReport, asJSON bool) error {
	if asJSON {
		return writeJSON(w, reps)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "mode\ttarget\tcalls/s\tp50 ms\tp99 ms\tp99.9 ms\tCPU s/1k calls\tpeak RSS MB\terrors\t")
	for _, r := range reps {
		for _, t := range []targetReport{r.Floor, r.Skillgate} {
			fmt.Fprintf(tw, "%s\t%s\t%.0f\t%.2f\t%.2f\t%.2f\t%.3f\t%.1f\t%d\t\n", r.Mode, t.Target,
				t.CallsPerSec, t.P50Ms, t.P99Ms, t.P999Ms, t.CPUSecPer1k, float64(t.PeakRSSBytes)/(1<<20), t.Errors)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range reps {
		fmt.Fprintf(w, "%s: skillgate/floor throughput %.3f, CPU per call %.3f\n", r.Mode, r.ThroughputRatio, r.CPURatio)
	}
	return nil
}

func printIdle(w io.Writer, rep idleReport, asJSON bool) error {
	if asJSON {
		return writeJSON(w, rep)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%d idle %s sessions\ttarget\tRSS before MB\tRSS after MB\tRSS KB/session\tlive heap KB/session\t\n", rep.Sessions, rep.Transport)
	for _, t := range rep.Targets {
		heap := "-"
		if t.HeapBytesPerSession > 0 {
			heap = fmt.Sprintf("%.1f", t.HeapBytesPerSession/1024)
		}
		fmt.Fprintf(tw, "\t%s\t%.1f\t%.1f\t%.1f\t%s\t\n", t.Target, float64(t.RSSBeforeBytes)/(1<<20),
			float64(t.RSSAfterBytes)/(1<<20), t.BytesPerSession/1024, heap)
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
