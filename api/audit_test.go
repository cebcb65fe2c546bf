package api_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/api"
)

func TestListAudit(t *testing.T) {
	ta := newTestAPI(t)
	dev := ta.create(t, ta.admin, map[string]any{"name": "dev", "user": "alice", "roles": []string{"dev"}})
	ta.clock.Advance(time.Hour)
	ta.do(t, http.MethodPost, "/v1/api-keys/"+dev.Key.ID+"/rotate", ta.admin, nil).want(t, http.StatusCreated)
	ta.do(t, http.MethodPatch, "/v1/api-keys/"+ta.keyIDOf(t, ta.admin), dev.Secret, `{"name": "x"}`).want(t, http.StatusNotFound)
	ta.do(t, http.MethodGet, "/v1/api-keys", "sk_live_"+strings.Repeat("A", 48), nil).want(t, http.StatusUnauthorized)
	ta.do(t, http.MethodGet, "/v1/audit", dev.Secret, nil).want(t, http.StatusForbidden)
	ta.do(t, http.MethodDelete, "/v1/api-keys/"+dev.Key.ID, ta.admin, nil).want(t, http.StatusOK)

	var all api.AuditPage
	ta.do(t, http.MethodGet, "/v1/audit", ta.admin, nil).want(t, http.StatusOK).decode(t, &all)
	actions := func(p api.AuditPage) []string {
		var out []string
		for _, e := range p.Events {
			out = append(out, e.Action+"/"+e.Result)
		}
		return out
	}
	// Newest first. The admin key's own creation went through the
	// manager too.
	want := []string{"key.revoke/ok", "api.forbidden/denied", "auth.failure/denied", "key.update/denied", "key.rotate/ok", "key.create/ok", "key.create/ok"}
	if got := actions(all); !slices.Equal(got, want) {
		t.Fatalf("audit log = %v, want %v", got, want)
	}
	if e := all.Events[0]; e.KeyID != dev.Key.ID || e.Target != dev.Key.ID || e.ClientAddr == "" || e.Principal == "" || e.ID == 0 {
		t.Errorf("revocation event = %+v", e)
	}

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"by action", "?action=key.create", []string{"key.create/ok", "key.create/ok"}},
		{"by result", "?result=denied", []string{"api.forbidden/denied", "auth.failure/denied", "key.update/denied"}},
		// The refusal names the key that was refused.
		{"by key", "?key_id=" + dev.Key.ID, []string{"key.revoke/ok", "api.forbidden/denied", "key.rotate/ok", "key.create/ok"}},
		{"since", "?since=" + ta.clock.Now().Add(-time.Minute).Format(time.RFC3339) + "&action=key.rotate", []string{"key.rotate/ok"}},
		{"until", "?until=" + ta.clock.Now().Add(-time.Minute).Format(time.RFC3339) + "&action=key.create", []string{"key.create/ok", "key.create/ok"}},
		{"nothing", "?action=none", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var page api.AuditPage
			ta.do(t, http.MethodGet, "/v1/audit"+tc.query, ta.admin, nil).want(t, http.StatusOK).decode(t, &page)
			if got := actions(page); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("pages", func(t *testing.T) {
		var got []int64
		cursor := ""
		for range 10 {
			var page api.AuditPage
			ta.do(t, http.MethodGet, "/v1/audit?limit=3&cursor="+cursor, ta.admin, nil).want(t, http.StatusOK).decode(t, &page)
			for _, e := range page.Events {
				got = append(got, e.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		var want []int64
		for _, e := range all.Events {
			want = append(want, e.ID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("paged ids = %v, want %v", got, want)
		}
	})
}

// keyIDOf returns the id of the key whose secret is plain.
func (ta *testAPI) keyIDOf(t *testing.T, plain string) string {
	t.Helper()
	var page struct {
		Data []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"data"`
	}
	ta.do(t, http.MethodGet, "/v1/api-keys?user=root", plain, nil).want(t, http.StatusOK).decode(t, &page)
	if len(page.Data) != 1 {
		t.Fatalf("root keys: %+v", page.Data)
	}
	return page.Data[0].ID
}
