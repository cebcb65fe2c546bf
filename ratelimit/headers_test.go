package ratelimit_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/ratelimit"
)

func TestHeaders(t *testing.T) {
	tests := []struct {
		name       string
		d          ratelimit.Decision
		wantStatus int // 0: SetHeaders only
		want       map[string]string
	}{
		{"allowed", ratelimit.Decision{Allowed: true, Limit: 60, Remaining: 59, Reset: time.Second},
			0, map[string]string{"RateLimit-Limit": "60", "RateLimit-Remaining": "59", "RateLimit-Reset": "1", "Retry-After": ""}},
		{"reset rounded up", ratelimit.Decision{Allowed: true, Limit: 2, Remaining: 0, Reset: 30*time.Second + time.Nanosecond},
			0, map[string]string{"RateLimit-Reset": "31"}},
		{"refused", ratelimit.Decision{Limit: 2, Reset: 60 * time.Second, RetryAfter: 29500 * time.Millisecond},
			http.StatusTooManyRequests, map[string]string{"RateLimit-Limit": "2", "RateLimit-Remaining": "0", "RateLimit-Reset": "60", "Retry-After": "30"}},
		// A client told to wait 0 seconds would retry at once.
		{"retry at least a second", ratelimit.Decision{Limit: 2, RetryAfter: time.Millisecond},
			http.StatusTooManyRequests, map[string]string{"Retry-After": "1", "RateLimit-Reset": "0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			if tc.wantStatus == 0 {
				ratelimit.SetHeaders(rec.Header(), tc.d)
			} else {
				ratelimit.WriteLimited(rec, tc.d)
				if rec.Code != tc.wantStatus {
					t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
				}
				if body := rec.Body.String(); !strings.Contains(body, `"error":"rate_limited"`) || !strings.Contains(body, "Retry in "+tc.want["Retry-After"]+" second") {
					t.Errorf("body = %s", body)
				}
			}
			for h, want := range tc.want {
				if got := rec.Header().Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
		})
	}
}
