package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/internal/loadgen"
	"github.com/skillgate/skillgate/internal/testidp"
)

// targetReport is what one target did under one mode's load.
type targetReport struct {
	Target      string  `json:"target"`
	Calls       int     `json:"calls"`
	Errors      int     `json:"errors"`
	CallsPerSec float64 `json:"calls_per_sec"`
	P50Ms       float64 `json:"p50_ms"`
	P99Ms       float64 `json:"p99_ms"`
	P999Ms      float64 `json:"p999_ms"`
	CPUSecPer1k float64 `json:"cpu_seconds_per_1000_calls"`
	// PeakRSSBytes is the process's peak so far (VmHWM): with several
	// modes in one run, the peak of this mode or an earlier one.
	PeakRSSBytes int64 `json:"peak_rss_bytes"`
}

// modeReport compares the two targets under one mode.
type modeReport struct {
	Mode      string       `json:"mode"`
	Sessions  int          `json:"sessions"`
	Floor     targetReport `json:"floor"`
	Skillgate targetReport `json:"skillgate"`
	// ThroughputRatio is skillgate's calls per second over the floor's;
	// CPURatio its CPU time per call over the floor's.
	ThroughputRatio float64 `json:"throughput_ratio"`
	CPURatio        float64 `json:"cpu_ratio"`
}

// trailingWork is how long CPU is still counted after a phase's last call:
// more than the audit log's batch linger.
const trailingWork = 200 * time.Millisecond

// warmup is run on each target, unmeasured, before the phases, so that
// caches, pools and the Go runtime are in their steady state.
const warmup = time.Second

func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}}
}

// measureMode drives both targets with one mode's load, interleaved.
func measureMode(ctx context.Context, o options, mode string, floor, sg *process, idp *testidp.Issuer) (modeReport, error) {
	client := newClient(o.sessions)
	defer client.CloseIdleConnections()
	transport := loadgen.Streamable
	if mode == "sse" {
		transport = loadgen.SSE
	}
	auth := "Bearer " + sg.key
	switch mode {
	case "jwt":
		token, err := clientCredentials(ctx, client, sg)
		if err != nil {
			return modeReport{}, err
		}
		auth = "Bearer " + token
	case "oidc":
		now := time.Now().Unix()
		token, err := idp.SignRS256(map[string]any{
			"iss": idp.URL(), "sub": "bench", "aud": benchAudience,
			"iat": now, "exp": now + 3600, "roles": []string{"admin"},
		})
		if err != nil {
			return modeReport{}, err
		}
		auth = "Bearer " + token
	}
	call := loadgen.Call{Tool: "get_skill", Arguments: map[string]any{"skill_id": floorSkill}}
	targets := []struct {
		p      *process
		target loadgen.Target
		driver *loadgen.Driver
		result loadgen.Result
		cpu    time.Duration
	}{
		{p: floor, target: loadgen.Target{BaseURL: floor.baseURL}},
		{p: sg, target: loadgen.Target{BaseURL: sg.baseURL, Authorization: auth}},
	}
	for i := range targets {
		t := &targets[i]
		d, err := loadgen.Open(ctx, client, t.target, transport, o.sessions, call)
		if err != nil {
			return modeReport{}, err
		}
		defer d.Close()
		t.driver = d
		if r := d.Run(ctx, warmup); r.Calls == 0 {
			return modeReport{}, fmt.Errorf("%s: no call succeeded during the warm-up (%d errors)", t.p.name, r.Errors)
		}
	}
	for range o.rounds {
		for i := range targets {
			t := &targets[i]
			before, err := t.p.cpu()
			if err != nil {
				return modeReport{}, err
			}
			t.result.Merge(t.driver.Run(ctx, o.phase))
			// What the phase left to do (an audit batch waiting to be
			// written, a GC) is the phase's cost: let it finish first.
			time.Sleep(trailingWork)
			after, err := t.p.cpu()
			if err != nil {
				return modeReport{}, err
			}
			t.cpu += after - before
		}
	}
	rep := modeReport{Mode: mode, Sessions: o.sessions}
	for i, out := range []*targetReport{&rep.Floor, &rep.Skillgate} {
		t := targets[i]
		_, peak, err := t.p.memory()
		if err != nil {
			return modeReport{}, err
		}
		*out = targetReport{
			Target: t.p.name, Calls: t.result.Calls, Errors: t.result.Errors,
			CallsPerSec: t.result.Rate(),
			P50Ms:       ms(t.result.Percentile(0.50)), P99Ms: ms(t.result.Percentile(0.99)), P999Ms: ms(t.result.Percentile(0.999)),
			PeakRSSBytes: peak,
		}
		if t.result.Calls > 0 {
			out.CPUSecPer1k = t.cpu.Seconds() / float64(t.result.Calls) * 1000
		}
	}
	if rep.Floor.CallsPerSec > 0 {
		rep.ThroughputRatio = rep.Skillgate.CallsPerSec / rep.Floor.CallsPerSec
	}
	if rep.Floor.CPUSecPer1k > 0 {
		rep.CPURatio = rep.Skillgate.CPUSecPer1k / rep.Floor.CPUSecPer1k
	}
	return rep, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// clientCredentials exchanges skillgate's admin key for an access token of
// skillgate's own issuer (client credentials, the key as the secret).
func clientCredentials(ctx context.Context, client *http.Client, sg *process) (string, error) {
	form := url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"skillgate-bench"},
		"client_secret": {sg.key}, "resource": {sg.baseURL + "/mcp"},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sg.baseURL+"/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("client credentials: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		return "", fmt.Errorf("client credentials: status %d (%v)", resp.StatusCode, err)
	}
	return tok.AccessToken, nil
}

// idleReport is what idle sessions cost each target.
type idleReport struct {
	Transport string        `json:"transport"`
	Sessions  int           `json:"sessions"`
	Targets   []idleMeasure `json:"targets"`
}

type idleMeasure struct {
	Target          string  `json:"target"`
	RSSBeforeBytes  int64   `json:"rss_before_bytes"`
	RSSAfterBytes   int64   `json:"rss_after_bytes"`
	BytesPerSession float64 `json:"bytes_per_session"`
	// HeapBytesPerSession is the growth of the live Go heap (objects
	// reachable after the last GC, from skillgate's /metrics) per session:
	// what sessions hold, without the garbage that RSS also counts. Zero
	// for the floor, which has no metrics.
	HeapBytesPerSession float64 `json:"heap_bytes_per_session,omitempty"`
}

// settle is how long idle sessions sit before memory is read, so that
// what opening them allocated and dropped is not counted.
const settle = 3 * time.Second

// measureIdle opens o.idle idle sessions on each target in turn and reads
// its memory before and after.
func measureIdle(ctx context.Context, o options, floor, sg *process) (idleReport, error) {
	transport := loadgen.Transport(o.transport)
	client := newClient(openConcurrencyHint)
	defer client.CloseIdleConnections()
	call := loadgen.Call{Tool: "get_skill", Arguments: map[string]any{"skill_id": floorSkill}}
	rep := idleReport{Transport: o.transport, Sessions: o.idle}
	for _, p := range []*process{floor, sg} {
		target := loadgen.Target{BaseURL: p.baseURL}
		if p.key != "" {
			target.Authorization = "Bearer " + p.key
		}
		before, _, err := p.memory()
		if err != nil {
			return rep, err
		}
		heapBefore := liveHeap(ctx, client, p)
		d, err := loadgen.Open(ctx, client, target, transport, o.idle, call)
		if err != nil {
			return rep, err
		}
		time.Sleep(settle)
		after, _, err := p.memory()
		heapAfter := liveHeap(ctx, client, p)
		d.Close()
		if err != nil {
			return rep, err
		}
		m := idleMeasure{
			Target: p.name, RSSBeforeBytes: before, RSSAfterBytes: after,
			BytesPerSession: float64(after-before) / float64(o.idle),
		}
		if heapBefore > 0 && heapAfter > 0 {
			m.HeapBytesPerSession = float64(heapAfter-heapBefore) / float64(o.idle)
		}
		rep.Targets = append(rep.Targets, m)
	}
	return rep, nil
}

// openConcurrencyHint sizes the idle pool of the client that opens idle
// sessions (loadgen opens 64 at a time).
const openConcurrencyHint = 64

// liveHeap reads the live heap from skillgate's /metrics with its admin
// key. go_memstats_heap_inuse_bytes, sampled at scrape time, counts
// garbage too; the heap goal the last GC set (next_gc) over GOGC's factor
// of two is the live heap it measured. 0 when there is no such metric.
func liveHeap(ctx context.Context, client *http.Client, p *process) int64 {
	if p.key == "" {
		return 0
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.baseURL+"/metrics", nil)
	if err != nil {
		return 0
	}
	req.Header.Set("Authorization", "Bearer "+p.key)
	resp, err := client.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		return 0
	}
	for line := range strings.SplitSeq(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, "go_memstats_next_gc_bytes "); ok {
			goal, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return 0
			}
			return int64(goal / 2)
		}
	}
	return 0
}
