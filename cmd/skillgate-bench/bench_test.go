package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the floor: the tool starts the
// floor by running its own executable with "floor".
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		if err := runFloor(context.Background(), os.Args[2:]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestLoadModes runs every mode briefly against a real skillgate and the
// floor, and checks that both answered every call and that the report is
// complete. It asserts no speed.
func TestLoadModes(t *testing.T) {
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	if err := run(ctx, []string{"--mode", "all", "--sessions", "4", "--phase", "200ms", "--rounds", "1", "--json"}, &out, &errOut); err != nil {
		t.Fatalf("run: %v\n%s", err, errOut.String())
	}
	var reps []modeReport
	if err := json.Unmarshal(out.Bytes(), &reps); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	if len(reps) != 4 {
		t.Fatalf("%d modes reported, want 4", len(reps))
	}
	for _, r := range reps {
		for _, tr := range []targetReport{r.Floor, r.Skillgate} {
			if tr.Calls == 0 || tr.Errors != 0 || tr.P50Ms <= 0 || tr.CPUSecPer1k < 0 || tr.PeakRSSBytes == 0 {
				t.Errorf("mode %s, %s: %+v", r.Mode, tr.Target, tr)
			}
		}
		if r.ThroughputRatio <= 0 {
			t.Errorf("mode %s: ratio %v", r.Mode, r.ThroughputRatio)
		}
	}
}

// TestIdleSessions opens a few idle sessions of each transport on both
// targets.
func TestIdleSessions(t *testing.T) {
	for _, tr := range []string{"streamable", "sse"} {
		t.Run(tr, func(t *testing.T) {
			var out, errOut bytes.Buffer
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
			defer cancel()
			if err := run(ctx, []string{"--idle", "50", "--transport", tr, "--json"}, &out, &errOut); err != nil {
				t.Fatalf("run: %v\n%s", err, errOut.String())
			}
			var rep idleReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out.String())
			}
			if rep.Sessions != 50 || len(rep.Targets) != 2 || rep.Targets[1].Target != "skillgate" {
				t.Fatalf("report: %+v", rep)
			}
		})
	}
}

func TestFlags(t *testing.T) {
	tests := []struct {
		args []string
		ok   bool
	}{
		{nil, true},
		{[]string{"--mode", "all"}, true},
		{[]string{"--mode", "grpc"}, false},
		{[]string{"--sessions", "0"}, false},
		{[]string{"--phase", "1ms"}, false},
		{[]string{"--idle", "-1"}, false},
		{[]string{"--transport", "ws"}, false},
		{[]string{"extra"}, false},
	}
	for _, tc := range tests {
		_, err := parseFlags(tc.args, &bytes.Buffer{})
		if (err == nil) != tc.ok {
			t.Errorf("parseFlags(%q) = %v, want ok=%v", tc.args, err, tc.ok)
		}
	}
}
