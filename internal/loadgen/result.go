package loadgen

import (
	"math"
	"slices"
	"time"
)

// Result is what one Run measured.
type Result struct {
	// Calls is how many tool calls completed successfully, Errors how
	// many failed (transport error, non-200 answer or a JSON-RPC error).
	Calls, Errors int
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Latencies holds every successful call's latency, in no order.
	Latencies []time.Duration
}

// Merge adds o's measurements to r.
func (r *Result) Merge(o Result) {
	r.Calls += o.Calls
	r.Errors += o.Errors
	r.Elapsed += o.Elapsed
	r.Latencies = append(r.Latencies, o.Latencies...)
}

// Rate is the successful calls per second.
func (r Result) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Calls) / r.Elapsed.Seconds()
}

// Percentile returns the latency below which a fraction p (0 < p ≤ 1) of
// the calls fell, by the nearest-rank method; 0 without calls.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	sorted := slices.Clone(r.Latencies)
	slices.Sort(sorted)
	rank := int(math.Ceil(p*float64(len(sorted)) - 1e-9))
	return sorted[min(max(rank, 1), len(sorted))-1]
}
