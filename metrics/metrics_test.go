package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/audit"
)

// scrape fetches m's metrics over real HTTP and returns the text format.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: got status %d, want 200", resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

func TestMetricsRecorded(t *testing.T) {
	m := New("list_skills", "run_skill_script")
	m.Request("/mcp", http.StatusOK, 20*time.Millisecond)
	m.Request("/v1/api-keys/key_1", http.StatusForbidden, time.Millisecond)
	m.Request("/secret-path?api_key=sk_live_x", http.StatusNotFound, time.Millisecond)
	m.AuthDecision("static_key", ResultOK)
	m.AuthDecision(SourceNone, ResultDenied)
	m.AuthDecision("made_up", "weird")
	m.RateLimited("/sse")
	m.QuotaRejected()
	m.ToolCall("list_skills", "analyst", ResultOK, 5*time.Millisecond)
	m.ToolCall("delete_everything", "analyst", ResultDenied, 0)
	m.ToolCall("run_skill_script", "", "exploded", time.Second)

	body := scrape(t, m)
	tests := []struct {
		name, want string
	}{
		{"request counted by route", `skillgate_http_requests_total{code="200",route="mcp"} 1`},
		{"api route", `skillgate_http_requests_total{code="403",route="api"} 1`},
		{"unknown path is other", `skillgate_http_requests_total{code="404",route="other"} 1`},
		{"request histogram", `skillgate_http_request_duration_seconds_count{route="mcp"} 1`},
		{"auth ok", `skillgate_auth_decisions_total{result="ok",source="static_key"} 1`},
		{"auth denied", `skillgate_auth_decisions_total{result="denied",source="none"} 1`},
		{"unknown source and result", `skillgate_auth_decisions_total{result="error",source="unknown"} 1`},
		{"rate limited", `skillgate_rate_limited_total{route="sse"} 1`},
		{"quota", `skillgate_quota_rejections_total 1`},
		{"tool call", `skillgate_tool_calls_total{persona="analyst",result="ok",tool="list_skills"} 1`},
		{"unknown tool is other", `skillgate_tool_calls_total{persona="analyst",result="denied",tool="other"} 1`},
		{"no persona, unknown result", `skillgate_tool_calls_total{persona="none",result="error",tool="run_skill_script"} 1`},
		{"tool histogram", `skillgate_tool_call_duration_seconds_count{tool="list_skills"} 1`},
		{"go collector", `go_goroutines `},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(body, tc.want) {
				t.Errorf("scrape has no line %q", tc.want)
			}
		})
	}
	for _, leak := range []string{"delete_everything", "secret-path", "sk_live_", "made_up", "weird", "exploded"} {
		if strings.Contains(body, leak) {
			t.Errorf("scrape contains %q, which no label may hold", leak)
		}
	}
}

type fakeSessions struct{ streamable, sse int }

func (f fakeSessions) SessionCounts() (int, int) { return f.streamable, f.sse }

type fakeAudit audit.Stats

func (f fakeAudit) Stats() audit.Stats { return audit.Stats(f) }

func TestWatch(t *testing.T) {
	m := New()
	if err := m.WatchSessions(fakeSessions{streamable: 3, sse: 1}); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchAudit(fakeAudit{Queued: 7, Dropped: 2, Written: 40}); err != nil {
		t.Fatal(err)
	}
	// A second source would make two series of the same name.
	if err := m.WatchSessions(fakeSessions{}); err == nil {
		t.Error("second WatchSessions: got no error, want one")
	}
	body := scrape(t, m)
	for _, want := range []string{
		`skillgate_active_sessions{transport="streamable"} 3`,
		`skillgate_active_sessions{transport="sse"} 1`,
		`skillgate_audit_queue_depth 7`,
		`skillgate_audit_events_dropped_total 2`,
		`skillgate_audit_events_written_total 40`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape has no line %q", want)
		}
	}
}

// Each Metrics has a registry of its own: two in one process (as in
// tests) must not clash.
func TestNewTwice(t *testing.T) {
	a, b := New(), New()
	a.QuotaRejected()
	if body := scrape(t, b); !strings.Contains(body, "skillgate_quota_rejections_total 0") {
		t.Error("a count in one Metrics shows in another")
	}
}
