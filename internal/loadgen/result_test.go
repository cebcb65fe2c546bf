package loadgen

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var r Result
	for i := 1; i <= 1000; i++ {
		r.Latencies = append(r.Latencies, time.Duration(1001-i)*time.Millisecond)
	}
	tests := []struct {
		p    float64
		want time.Duration
	}{
		{0.5, 500 * time.Millisecond},
		{0.99, 990 * time.Millisecond},
		{0.999, 999 * time.Millisecond},
		{1, 1000 * time.Millisecond},
		{0.0001, time.Millisecond},
	}
	for _, tc := range tests {
		if got := r.Percentile(tc.p); got != tc.want {
			t.Errorf("Percentile(%v) = %v, want %v", tc.p, got, tc.want)
		}
	}
	if (Result{}).Percentile(0.5) != 0 {
		t.Error("Percentile of no calls is not 0")
	}
}
