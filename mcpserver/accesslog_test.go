package mcpserver

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log destination safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Each access log level logs exactly the requests it names, and a logged
// line never holds the query string (which may carry a key).
func TestAccessLog(t *testing.T) {
	tests := []struct {
		name        string
		level       AccessLog
		wantOK      bool // a line for GET /healthz (200)
		wantRefused bool // a line for GET /sse without a key (401)
	}{
		{"refused (default)", AccessLogRefused, false, true},
		{"all", AccessLogAll, true, true},
		{"off", AccessLogOff, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newServerForTest(t)
			var logs lockedBuffer
			s.log = slog.New(slog.NewTextHandler(&logs, nil))
			s.accessLog = tc.level
			srv := httptest.NewServer(s.Handler())
			defer srv.Close()
			for path, want := range map[string]int{"/healthz": http.StatusOK, "/sse?api_key=sk_live_secret": http.StatusUnauthorized} {
				resp, err := http.Get(srv.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != want {
					t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, want)
				}
			}
			got := logs.String()
			if has := strings.Contains(got, "path=/healthz status=200"); has != tc.wantOK {
				t.Errorf("line for the 200: %v, want %v; log:\n%s", has, tc.wantOK, got)
			}
			if has := strings.Contains(got, "path=/sse status=401"); has != tc.wantRefused {
				t.Errorf("line for the 401: %v, want %v; log:\n%s", has, tc.wantRefused, got)
			}
			if strings.Contains(got, "sk_live_secret") {
				t.Errorf("the log holds the key from the query string:\n%s", got)
			}
		})
	}
}
