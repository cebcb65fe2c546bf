package auth_test

import (
	"encoding/json"
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
			if rec.Code != http.StatusForbidden {
				t.Errorf("status = %d, want 403", rec.Code)
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantChallenge)
			}
			var body struct {
				Error, Message string
				Suggestions    []string
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body.Error != "insufficient_scope" || body.Message != tc.wantMessage || len(body.Suggestions) == 0 {
				t.Errorf("body = %+v, want insufficient_scope, %q and a hint", body, tc.wantMessage)
			}
		})
	}
}
