package api_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/api"
	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

func TestNewRequiresOptions(t *testing.T) {
	_, err := api.New(api.Options{})
	if err == nil {
		t.Fatal("New accepted empty options")
	}
	for _, want := range []string{"Auth", "Keys", "Audit", "Scopes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
}

// fixedAuth authenticates every token as an administrator.
type fixedAuth struct{}

func (fixedAuth) Authenticate(context.Context, string) (auth.Principal, error) {
	return auth.Principal{Subject: "admin", CredentialID: "static:admin", Roles: []string{"admin"}, Source: auth.SourceStaticKey, RateLimitPerMinute: 10}, nil
}

// brokenKeys fails every operation like a broken server: a panic for Get,
// an internal error for the rest.
type brokenKeys struct{ api.KeyService }

func (brokenKeys) Get(context.Context, apikey.Actor, string) (apikey.View, error) {
	panic("broken")
}

func (brokenKeys) List(context.Context, apikey.Actor, apikey.ListParams) (apikey.Page, error) {
	return apikey.Page{}, errors.New("disk on fire at /var/lib/skillgate")
}

type brokenAudit struct{}

func (brokenAudit) ListAudit(context.Context, store.AuditFilter) ([]store.AuditEvent, error) {
	return nil, errors.New("disk on fire")
}

type brokenLimiter struct{}

func (brokenLimiter) Allow(context.Context, string, int) (ratelimit.Decision, error) {
	return ratelimit.Decision{}, errors.New("limiter down")
}

// Failures of the server are a generic 500 (or 503), logged; a panic
// reaches no client.
func TestServerFailures(t *testing.T) {
	logs := &syncBuffer{}
	newServer := func(limiter api.RateLimiter) string {
		h, err := api.New(api.Options{
			Auth: fixedAuth{}, Keys: brokenKeys{}, Audit: brokenAudit{}, Scopes: effectiveScopes,
			Limiter: limiter, Logger: slog.New(slog.NewTextHandler(logs, nil)),
		})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		return srv.URL
	}
	working := newServer(ratelimit.New(ratelimit.WithClock(func() time.Time { return time.Unix(0, 0) })))
	down := newServer(brokenLimiter{})
	tests := []struct {
		name       string
		url, path  string
		wantStatus int
		wantCode   string
		wantLog    string
	}{
		{"panic", working, "/v1/api-keys/key_x", http.StatusInternalServerError, "server_error", "panic serving API request"},
		{"store failure", working, "/v1/api-keys", http.StatusInternalServerError, "server_error", "disk on fire at /var/lib/skillgate"},
		{"audit failure", working, "/v1/audit", http.StatusInternalServerError, "server_error", "list audit events"},
		{"limiter failure", down, "/v1/api-keys", http.StatusServiceUnavailable, "temporarily_unavailable", "limiter down"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta := &testAPI{url: tc.url, logs: logs}
			resp := ta.do(t, http.MethodGet, tc.path, "anything", nil).want(t, tc.wantStatus)
			e := resp.apiError(t)
			if e.Error != tc.wantCode {
				t.Errorf("error = %q, want %q", e.Error, tc.wantCode)
			}
			if strings.Contains(string(resp.body), "disk") || strings.Contains(string(resp.body), "broken") || strings.Contains(string(resp.body), "goroutine") {
				t.Errorf("the answer reveals internals: %s", resp.body)
			}
			if !strings.Contains(logs.String(), tc.wantLog) {
				t.Errorf("the log lacks %q:\n%s", tc.wantLog, logs)
			}
		})
	}
}
