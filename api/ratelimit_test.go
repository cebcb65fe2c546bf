package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestRateLimit(t *testing.T) {
	ta := newTestAPI(t)
	// 2 a minute: a burst of 2, then one every 30s.
	limited := ta.create(t, ta.admin, map[string]any{"name": "slow", "user": "alice", "roles": []string{"dev"}, "rate_limit_per_minute": 2})
	tests := []struct {
		name          string
		advance       time.Duration
		wantStatus    int
		wantRemaining string
		wantReset     string
		wantRetry     string
	}{
		{"first of the burst", 0, http.StatusOK, "1", "30", ""},
		{"second of the burst", 0, http.StatusOK, "0", "60", ""},
		{"over the limit", 0, http.StatusTooManyRequests, "0", "60", "30"},
		{"rounded up", 29*time.Second + time.Millisecond, http.StatusTooManyRequests, "0", "31", "1"},
		{"refilled", time.Second, http.StatusOK, "0", "60", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta.clock.Advance(tc.advance)
			resp := ta.do(t, http.MethodGet, "/v1/api-keys/"+limited.Key.ID, limited.Secret, nil).want(t, tc.wantStatus)
			for h, want := range map[string]string{
				"RateLimit-Limit": "2", "RateLimit-Remaining": tc.wantRemaining,
				"RateLimit-Reset": tc.wantReset, "Retry-After": tc.wantRetry,
			} {
				if got := resp.header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			if tc.wantStatus == http.StatusTooManyRequests {
				if e := resp.apiError(t); e.Error != "rate_limited" {
					t.Errorf("error = %q, want rate_limited", e.Error)
				}
			}
		})
	}

	t.Run("unlimited keys carry no headers", func(t *testing.T) {
		resp := ta.do(t, http.MethodGet, "/v1/api-keys", ta.admin, nil).want(t, http.StatusOK)
		if got := resp.header.Get("RateLimit-Limit"); got != "" {
			t.Errorf("RateLimit-Limit = %q, want none", got)
		}
	})

	t.Run("a refused request is limited too", func(t *testing.T) {
		// Limits count every request that passed the scope check,
		// failed or not.
		ta.clock.Advance(time.Minute)
		for i := range 3 {
			resp := ta.do(t, http.MethodGet, "/v1/api-keys/key_missing", limited.Secret, nil)
			want := http.StatusNotFound
			if i == 2 {
				want = http.StatusTooManyRequests
			}
			resp.want(t, want)
			if _, err := strconv.Atoi(resp.header.Get("RateLimit-Remaining")); err != nil {
				t.Errorf("request %d: RateLimit-Remaining = %q", i, resp.header.Get("RateLimit-Remaining"))
			}
		}
	})
}
