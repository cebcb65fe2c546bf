package mcpserver

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// ToolNames is what metrics count tools by: it must name exactly the
// registered tools, or calls of a new tool would all count as "other".
func TestToolNamesRegistered(t *testing.T) {
	s := newServerForTest(t)
	names := ToolNames()
	for _, name := range names {
		if s.mcp.GetTool(name) == nil {
			t.Errorf("ToolNames lists %q, which is not registered", name)
		}
	}
	if got, want := len(s.mcp.ListTools()), len(names); got != want {
		t.Errorf("got %d registered tools, want %d (the ToolNames)", got, want)
	}
}

// Without Options.Metrics, /metrics is an unknown path like any other.
func TestNoMetricsRoute(t *testing.T) {
	srv := httptest.NewServer(newServerForTest(t).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("got status %d, want 404", resp.StatusCode)
	}
}
