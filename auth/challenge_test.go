package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/skillgate/skillgate/auth"
)

func TestWriteInsufficientScope(t *testing.T) {
	tests := []struct {
		name          string
		held          []string
		need, message string
		wantChallenge string
		wantMessage   string
	}{
		{"adds the scope needed", []string{"skills:read", "keys:read"}, "keys:write", "",
			`Bearer error="insufficient_scope", scope="skills:read keys:read keys:write"`, "This operation needs the keys:write scope"},
		{"holds nothing", nil, "admin", "Only administrators",
			`Bearer error="insufficient_scope", scope="admin"`, "Only administrators"},
		{"no duplicates", []string{"keys:read", "keys:read"}, "keys:read", "",
			`Bearer error="insufficient_scope", scope="keys:read"`, "This operation needs the keys:read scope"},
		// A scope that could break out of the quoted value is left out.
		{"odd scopes dropped", []string{`a"b`, "c d", `e\f`, "keys:read"}, "admin", "",
			`Bearer error="insufficient_scope", scope="keys:read admin"`, "This operation needs the admin scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			auth.WriteInsufficientScope(rec, tc.held, tc.need, tc.message)
			checkInsufficientScope(t, rec, tc.wantChallenge, tc.wantMessage)

			// A middleware without resource metadata answers the same.
			rec = httptest.NewRecorder()
			(&auth.Middleware{}).WriteInsufficientScope(rec, tc.held, tc.need, tc.message)
			checkInsufficientScope(t, rec, tc.wantChallenge, tc.wantMessage)

			// One with resource metadata adds it.
			rec = httptest.NewRecorder()
			(&auth.Middleware{ResourceMetadata: metaMCP}).WriteInsufficientScope(rec, tc.held, tc.need, tc.message)
			checkInsufficientScope(t, rec, tc.wantChallenge+`, resource_metadata="`+metaMCP+`"`, tc.wantMessage)
		})
	}
}

const metaMCP = "https://skills.example.com/.well-known/oauth-protected-resource/mcp"

func checkInsufficientScope(t *testing.T, rec *httptest.ResponseRecorder, wantChallenge, wantMessage string) {
	t.Helper()
	if rec.Code != http.StatusForbidden {
		t.Errorf("status = %d, want 403", rec.Code)
	}
	if got := rec.Header().Values("WWW-Authenticate"); len(got) != 1 || got[0] != wantChallenge {
		t.Errorf("WWW-Authenticate = %q, want %q", got, wantChallenge)
	}
	var body struct {
		Error, Message string
		Suggestions    []string
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Error != "insufficient_scope" || body.Message != wantMessage || len(body.Suggestions) == 0 {
		t.Errorf("body = %+v, want insufficient_scope, %q and a hint", body, wantMessage)
	}
}

// The held slice is never written to: the scope needed is appended to a
// copy.
func TestWriteInsufficientScopeKeepsHeld(t *testing.T) {
	held := make([]string, 1, 4)
	held[0] = "skills:read"
	auth.WriteInsufficientScope(httptest.NewRecorder(), held, "admin", "")
	if extended := held[:2]; extended[1] != "" {
		t.Errorf("the caller's slice was written to: %q", extended)
	}
}

type fakeAuth struct{}

func (fakeAuth) Authenticate(_ context.Context, token string) (auth.Principal, error) {
	switch token {
	case "good":
		return auth.Principal{Subject: "good"}, nil
	case "down":
		return auth.Principal{}, errors.New("store unavailable")
	}
	return auth.Principal{}, auth.ErrUnknownCredential
}

func TestDenyChallenge(t *testing.T) {
	const (
		meta   = metaMCP
		withMD = `Bearer resource_metadata="` + meta + `", scope="skills:read skills:execute"`
	)
	tests := []struct {
		name          string
		mw            auth.Middleware
		authorization string
		wantStatus    int
		wantChallenge string
	}{
		{"no credential, resource metadata", auth.Middleware{ResourceMetadata: meta, ChallengeScopes: []string{"skills:read", "skills:execute"}},
			"", 401, withMD},
		{"unknown key, resource metadata", auth.Middleware{ResourceMetadata: meta, ChallengeScopes: []string{"skills:read", "skills:execute"}},
			"Bearer nope", 401, withMD + `, error="invalid_token"`},
		{"malformed, resource metadata", auth.Middleware{ResourceMetadata: meta, ChallengeScopes: []string{"skills:read", "skills:execute"}},
			"Basic dXNlcjpwYXNz", 401, withMD + `, error="invalid_token"`},
		{"failure not the caller's", auth.Middleware{ResourceMetadata: meta, ChallengeScopes: []string{"skills:read", "skills:execute"}},
			"Bearer down", 503, withMD},
		{"no challenge scopes", auth.Middleware{ResourceMetadata: meta},
			"", 401, `Bearer resource_metadata="` + meta + `"`},
		{"odd scopes dropped", auth.Middleware{ResourceMetadata: meta, ChallengeScopes: []string{"skills:read", `a"b`, "c d", "skills:read"}},
			"", 401, `Bearer resource_metadata="` + meta + `", scope="skills:read"`},
		{"no resource metadata: realm", auth.Middleware{ChallengeScopes: []string{"skills:read"}},
			"", 401, `Bearer realm="skillgate"`},
		{"no resource metadata, bad token: realm", auth.Middleware{},
			"Bearer nope", 401, `Bearer realm="skillgate", error="invalid_token"`},
		// A URL that could break out of the quoted value is never sent.
		{"unquotable resource metadata: realm", auth.Middleware{ResourceMetadata: `https://x.example/"a`},
			"Bearer nope", 401, `Bearer realm="skillgate", error="invalid_token"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mw := tc.mw
			mw.Auth = fakeAuth{}
			mw.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			h := mw.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
				t.Error("the request was let through")
			}))
			req := httptest.NewRequest(http.MethodPost, "/mcp", nil)
			if tc.authorization != "" {
				req.Header.Set("Authorization", tc.authorization)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus {
				t.Errorf("status = %d, want %d", rec.Code, tc.wantStatus)
			}
			if got := rec.Header().Values("WWW-Authenticate"); len(got) != 1 || got[0] != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want exactly %q", got, tc.wantChallenge)
			}
			var body struct{ Error, Message string }
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error == "" || body.Message == "" {
				t.Errorf("body = %s, want a structured error", rec.Body.Bytes())
			}
		})
	}
}
