package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

func TestCreateKeyAndUseIt(t *testing.T) {
	ta := newTestAPI(t)
	resp := ta.do(t, http.MethodPost, "/v1/api-keys", ta.admin, map[string]any{
		"name": "ci", "description": "for CI", "user": "alice", "org": "acme",
		"teams": []string{"platform"}, "roles": []string{"dev"}, "claims": map[string]string{"env": "ci"},
		"expires_in": "30d", "monthly_execution_quota": 1000, "rate_limit_per_minute": 100,
		"allowed_skill_ids": []string{"shared/lint"},
	}).want(t, http.StatusCreated)
	var c apikey.Created
	resp.decode(t, &c)
	if got, want := resp.header.Get("Location"), "/v1/api-keys/"+c.Key.ID; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	k := c.Key
	wantExpiry := ta.clock.Now().Add(30 * 24 * time.Hour)
	switch {
	case k.Name != "ci" || k.Description != "for CI" || k.User != "alice" || k.Org != "acme":
		t.Errorf("key = %+v", k)
	case !slices.Equal(k.Roles, []string{"dev"}) || !slices.Equal(k.Teams, []string{"platform"}):
		t.Errorf("roles, teams = %v, %v", k.Roles, k.Teams)
	case k.State != store.StateActive || !k.Enabled:
		t.Errorf("state = %s, enabled %v", k.State, k.Enabled)
	case k.ExpiresAt == nil || !k.ExpiresAt.Equal(wantExpiry):
		t.Errorf("expires_at = %v, want %v", k.ExpiresAt, wantExpiry)
	case k.MonthlyExecutionQuota != 1000 || k.RateLimitPerMinute != 100:
		t.Errorf("quota, rate = %d, %d", k.MonthlyExecutionQuota, k.RateLimitPerMinute)
	case !slices.Equal(k.AllowedSkillIDs, []string{"shared/lint"}) || k.Claims["env"] != "ci":
		t.Errorf("skills, claims = %v, %v", k.AllowedSkillIDs, k.Claims)
	case len(k.Secrets) != 1 || k.Secrets[0].State != "current" || k.Prefix == "":
		t.Errorf("secrets = %+v, prefix %q", k.Secrets, k.Prefix)
	}

	// The new secret authenticates against the API, within its scopes.
	var v apikey.View
	ta.do(t, http.MethodGet, "/v1/api-keys/"+k.ID, c.Secret, nil).want(t, http.StatusOK).decode(t, &v)
	if v.ID != k.ID || len(v.Secrets) != 1 {
		t.Errorf("show = %+v", v)
	}
	ta.do(t, http.MethodGet, "/v1/audit", c.Secret, nil).want(t, http.StatusForbidden)
}

func TestCreateKeyDefaults(t *testing.T) {
	ta := newTestAPI(t)
	tests := []struct {
		name       string
		body       map[string]any
		wantScopes []string
		wantSkills []string
	}{
		{"lists left out inherit", map[string]any{}, nil, nil},
		{"null lists inherit", map[string]any{"scopes": nil, "allowed_skill_ids": nil}, nil, nil},
		// An empty list means none, not "inherit": a past bug made these
		// keys unrestricted.
		{"empty lists mean none", map[string]any{"scopes": []string{}, "allowed_skill_ids": []string{}}, []string{}, []string{}},
		{"lists given", map[string]any{"scopes": []string{"keys:read"}, "allowed_skill_ids": []string{"a"}}, []string{"keys:read"}, []string{"a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := map[string]any{"name": tc.name, "user": "alice", "roles": []string{"dev"}}
			for k, v := range tc.body {
				body[k] = v
			}
			c := ta.create(t, ta.admin, body)
			var v apikey.View
			ta.do(t, http.MethodGet, "/v1/api-keys/"+c.Key.ID, ta.admin, nil).want(t, http.StatusOK).decode(t, &v)
			if (v.Scopes == nil) != (tc.wantScopes == nil) || !slices.Equal(v.Scopes, tc.wantScopes) {
				t.Errorf("scopes = %#v, want %#v", v.Scopes, tc.wantScopes)
			}
			if (v.AllowedSkillIDs == nil) != (tc.wantSkills == nil) || !slices.Equal(v.AllowedSkillIDs, tc.wantSkills) {
				t.Errorf("allowed_skill_ids = %#v, want %#v", v.AllowedSkillIDs, tc.wantSkills)
			}
		})
	}
}

func TestListKeys(t *testing.T) {
	ta := newTestAPI(t)
	var ids []string
	for i := range 7 {
		user := "alice"
		if i%2 == 1 {
			user = "bob"
		}
		ids = append(ids, ta.create(t, ta.admin, map[string]any{"name": fmt.Sprint("k", i), "user": user, "roles": []string{"dev"}}).Key.ID)
	}
	child := ta.create(t, ta.admin, map[string]any{"name": "child", "parent_id": ids[0]}).Key.ID
	ta.do(t, http.MethodPost, "/v1/api-keys/"+ids[2]+"/revoke", ta.admin, nil).want(t, http.StatusOK)

	// Pages of 3 over the root key, the 7 keys and the child.
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		var page apikey.Page
		ta.do(t, http.MethodGet, "/v1/api-keys?limit=3&cursor="+cursor, ta.admin, nil).want(t, http.StatusOK).decode(t, &page)
		if len(page.Keys) > 3 {
			t.Fatalf("page of %d keys, want at most 3", len(page.Keys))
		}
		for _, k := range page.Keys {
			got = append(got, k.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if len(got) != 9 || !slices.Equal(got[1:8], ids) || got[8] != child {
		t.Errorf("paged ids = %v, want root, %v, %s", got, ids, child)
	}

	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"by user", "?user=bob", []string{ids[1], ids[3], ids[5]}},
		{"by parent", "?parent_id=" + ids[0], []string{child}},
		{"by state", "?state=revoked", []string{ids[2]}},
		{"user and state", "?user=alice&state=active", []string{ids[0], ids[4], ids[6], child}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var page apikey.Page
			ta.do(t, http.MethodGet, "/v1/api-keys"+tc.query, ta.admin, nil).want(t, http.StatusOK).decode(t, &page)
			var got []string
			for _, k := range page.Keys {
				got = append(got, k.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestUpdateKey(t *testing.T) {
	ta := newTestAPI(t)
	id := ta.create(t, ta.admin, map[string]any{"name": "k", "user": "alice", "roles": []string{"dev"}, "allowed_skill_ids": []string{"a", "b"}}).Key.ID
	expiry := ta.clock.Now().Add(48 * time.Hour).UTC()
	tests := []struct {
		name       string
		patch      string
		check      func(v apikey.View) bool
		wantSkills []string // after the patch; nil means all skills
		wantExpiry *time.Time
	}{
		{"set skills and expiry", fmt.Sprintf(`{"allowed_skill_ids": ["a"], "expires_at": %q}`, expiry.Format(time.RFC3339)), nil, []string{"a"}, &expiry},
		{"absent fields stay", `{"name": "renamed"}`, func(v apikey.View) bool { return v.Name == "renamed" }, []string{"a"}, &expiry},
		{"empty skill list means none", `{"allowed_skill_ids": []}`, nil, []string{}, &expiry},
		{"null skills means all, null expiry never", `{"allowed_skill_ids": null, "expires_at": null}`, nil, nil, nil},
		{"disable", `{"enabled": false, "description": "off"}`, func(v apikey.View) bool {
			return !v.Enabled && v.State == store.StateDisabled && v.Description == "off"
		}, nil, nil},
		{"limits and claims", `{"enabled": true, "monthly_execution_quota": 5, "rate_limit_per_minute": 7, "claims": {"x": "y"}}`,
			func(v apikey.View) bool {
				return v.Enabled && v.MonthlyExecutionQuota == 5 && v.RateLimitPerMinute == 7 && v.Claims["x"] == "y"
			}, nil, nil},
		{"null clears claims and description", `{"claims": null, "description": null}`, func(v apikey.View) bool { return len(v.Claims) == 0 && v.Description == "" }, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v apikey.View
			ta.do(t, http.MethodPatch, "/v1/api-keys/"+id, ta.admin, tc.patch).want(t, http.StatusOK).decode(t, &v)
			if tc.check != nil && !tc.check(v) {
				t.Errorf("after %s: %+v", tc.patch, v)
			}
			if (v.AllowedSkillIDs == nil) != (tc.wantSkills == nil) || !slices.Equal(v.AllowedSkillIDs, tc.wantSkills) {
				t.Errorf("allowed_skill_ids = %#v, want %#v", v.AllowedSkillIDs, tc.wantSkills)
			}
			switch {
			case tc.wantExpiry == nil && v.ExpiresAt != nil:
				t.Errorf("expires_at = %v, want never", v.ExpiresAt)
			case tc.wantExpiry != nil && (v.ExpiresAt == nil || !v.ExpiresAt.Equal(*tc.wantExpiry)):
				t.Errorf("expires_at = %v, want %v", v.ExpiresAt, *tc.wantExpiry)
			}
		})
	}
}

func TestRevokeKey(t *testing.T) {
	ta := newTestAPI(t)
	parent := ta.create(t, ta.admin, map[string]any{"name": "parent", "user": "alice", "roles": []string{"dev"}})
	child := ta.create(t, ta.admin, map[string]any{"name": "child", "parent_id": parent.Key.ID})
	other := ta.create(t, ta.admin, map[string]any{"name": "other", "user": "bob", "roles": []string{"dev"}})
	third := ta.create(t, ta.admin, map[string]any{"name": "third", "user": "bob", "roles": []string{"dev"}})

	tests := []struct {
		name        string
		method      string
		path        string
		body        any
		wantKey     string
		wantRevoked []string
	}{
		{"by id cascades", http.MethodPost, "/v1/api-keys/" + parent.Key.ID + "/revoke", nil, parent.Key.ID, []string{parent.Key.ID, child.Key.ID}},
		{"again changes nothing", http.MethodPost, "/v1/api-keys/" + parent.Key.ID + "/revoke", nil, parent.Key.ID, []string{}},
		{"with DELETE", http.MethodDelete, "/v1/api-keys/" + other.Key.ID, nil, other.Key.ID, []string{other.Key.ID}},
		{"DELETE again", http.MethodDelete, "/v1/api-keys/" + other.Key.ID, nil, other.Key.ID, []string{}},
		{"by plain key", http.MethodPost, "/v1/api-keys/revoke", map[string]string{"key": third.Secret}, third.Key.ID, []string{third.Key.ID}},
		{"by plain key again", http.MethodPost, "/v1/api-keys/revoke", map[string]string{"key": third.Secret}, third.Key.ID, []string{}},
		{"empty object body", http.MethodPost, "/v1/api-keys/" + child.Key.ID + "/revoke", `{}`, child.Key.ID, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var r apikey.Revoked
			ta.do(t, tc.method, tc.path, ta.admin, tc.body).want(t, http.StatusOK).decode(t, &r)
			if r.Key.ID != tc.wantKey || r.Key.State != store.StateRevoked {
				t.Errorf("key = %s in state %s, want %s revoked", r.Key.ID, r.Key.State, tc.wantKey)
			}
			slices.Sort(r.Revoked)
			want := slices.Sorted(slices.Values(tc.wantRevoked))
			if r.Revoked == nil || !slices.Equal(r.Revoked, want) {
				t.Errorf("revoked = %#v, want %#v", r.Revoked, want)
			}
		})
	}
	for _, secret := range []string{parent.Secret, child.Secret, other.Secret, third.Secret} {
		if e := ta.do(t, http.MethodGet, "/v1/api-keys", secret, nil).want(t, http.StatusUnauthorized).apiError(t); e.Message != "API key has been revoked" {
			t.Errorf("revoked key: %q", e.Message)
		}
	}
}

func TestRotateKey(t *testing.T) {
	ta := newTestAPI(t)
	tests := []struct {
		name        string
		body        any
		oldWorksFor time.Duration // 0: the old secret stops at once
		wantSecrets []string
	}{
		{"with grace", map[string]string{"grace_period": "7d"}, 7 * 24 * time.Hour, []string{"current", "grace"}},
		{"default grace", nil, 24 * time.Hour, []string{"current", "grace"}},
		{"without grace", map[string]string{"grace_period": "0s"}, 0, []string{"current", "expired"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := ta.create(t, ta.admin, map[string]any{"name": tc.name, "user": "alice", "roles": []string{"dev"}})
			ta.clock.Advance(time.Second)
			var c apikey.Created
			ta.do(t, http.MethodPost, "/v1/api-keys/"+old.Key.ID+"/rotate", ta.admin, tc.body).want(t, http.StatusCreated).decode(t, &c)
			if c.Key.ID != old.Key.ID || c.Secret == old.Secret || c.Secret == "" {
				t.Fatalf("rotation answered key %s, a new secret: %v", c.Key.ID, c.Secret != old.Secret)
			}
			var states []string
			for _, s := range c.Key.Secrets {
				states = append(states, s.State)
			}
			if !slices.Equal(states, tc.wantSecrets) {
				t.Errorf("secret states = %v, want %v", states, tc.wantSecrets)
			}
			ta.do(t, http.MethodGet, "/v1/api-keys/"+old.Key.ID, c.Secret, nil).want(t, http.StatusOK)
			oldStatus := http.StatusUnauthorized
			if tc.oldWorksFor > 0 {
				oldStatus = http.StatusOK
			}
			ta.do(t, http.MethodGet, "/v1/api-keys/"+old.Key.ID, old.Secret, nil).want(t, oldStatus)
		})
	}
}

// A managed key holding keys:* but not admin mints and manages its own
// descendants, and nothing else.
func TestDelegatedKey(t *testing.T) {
	ta := newTestAPI(t)
	dev := ta.create(t, ta.admin, map[string]any{"name": "dev", "user": "alice", "roles": []string{"dev"}})
	bobs := ta.create(t, ta.admin, map[string]any{"name": "bobs", "user": "bob", "roles": []string{"dev"}})
	alices := ta.create(t, ta.admin, map[string]any{"name": "alice's other", "user": "alice", "roles": []string{"dev"}})

	child := ta.create(t, dev.Secret, map[string]any{"name": "child"})
	if child.Key.ParentID != dev.Key.ID || child.Key.User != "alice" {
		t.Errorf("child of the caller: parent %q, user %q", child.Key.ParentID, child.Key.User)
	}
	grandchild := ta.create(t, child.Secret, map[string]any{"name": "grandchild", "scopes": []string{"keys:read"}})

	var page apikey.Page
	ta.do(t, http.MethodGet, "/v1/api-keys", dev.Secret, nil).want(t, http.StatusOK).decode(t, &page)
	var seen []string
	for _, k := range page.Keys {
		seen = append(seen, k.ID)
	}
	if want := []string{dev.Key.ID, child.Key.ID, grandchild.Key.ID}; !slices.Equal(seen, want) {
		t.Errorf("dev key lists %v, want itself and its descendants %v", seen, want)
	}

	tests := []struct {
		name   string
		method string
		path   string
		body   any
		status int
	}{
		{"show a descendant", http.MethodGet, "/v1/api-keys/" + grandchild.Key.ID, nil, http.StatusOK},
		{"update a child", http.MethodPatch, "/v1/api-keys/" + child.Key.ID, `{"name": "renamed"}`, http.StatusOK},
		// Another owner's key is "not found", never "forbidden": a 403
		// would confirm that the id exists.
		{"show another owner's key", http.MethodGet, "/v1/api-keys/" + bobs.Key.ID, nil, http.StatusNotFound},
		{"show the same user's unrelated key", http.MethodGet, "/v1/api-keys/" + alices.Key.ID, nil, http.StatusNotFound},
		{"revoke another owner's key", http.MethodPost, "/v1/api-keys/" + bobs.Key.ID + "/revoke", nil, http.StatusNotFound},
		{"rotate another owner's key", http.MethodPost, "/v1/api-keys/" + bobs.Key.ID + "/rotate", nil, http.StatusNotFound},
		{"create under another owner's key", http.MethodPost, "/v1/api-keys", map[string]any{"name": "x", "parent_id": bobs.Key.ID}, http.StatusNotFound},
		{"read the audit log", http.MethodGet, "/v1/audit", nil, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ta.do(t, tc.method, tc.path, dev.Secret, tc.body).want(t, tc.status)
		})
	}

	t.Run("cannot update itself", func(t *testing.T) {
		resp := ta.do(t, http.MethodPatch, "/v1/api-keys/"+dev.Key.ID, dev.Secret, `{"rate_limit_per_minute": 0}`).want(t, http.StatusForbidden)
		if e := resp.apiError(t); e.Error != "insufficient_scope" {
			t.Errorf("error = %q, want insufficient_scope", e.Error)
		}
		want := `Bearer error="insufficient_scope", scope="skills:read keys:read keys:write admin"`
		if got := resp.header.Get("WWW-Authenticate"); got != want {
			t.Errorf("WWW-Authenticate = %q, want %q", got, want)
		}
	})
}

func TestMissingScope(t *testing.T) {
	ta := newTestAPI(t)
	reader := ta.create(t, ta.admin, map[string]any{"name": "reader", "user": "alice", "roles": []string{"reader"}})
	runner := ta.create(t, ta.admin, map[string]any{"name": "runner", "user": "alice", "roles": []string{"runner"}})
	tests := []struct {
		name          string
		key           string
		method, path  string
		wantChallenge string
	}{
		{"create needs keys:write", reader.Secret, http.MethodPost, "/v1/api-keys",
			`Bearer error="insufficient_scope", scope="skills:read keys:read keys:write"`},
		{"revoke needs keys:write", reader.Secret, http.MethodDelete, "/v1/api-keys/" + reader.Key.ID,
			`Bearer error="insufficient_scope", scope="skills:read keys:read keys:write"`},
		{"list needs keys:read", runner.Secret, http.MethodGet, "/v1/api-keys",
			`Bearer error="insufficient_scope", scope="skills:execute keys:read"`},
		{"audit needs admin", reader.Secret, http.MethodGet, "/v1/audit",
			`Bearer error="insufficient_scope", scope="skills:read keys:read admin"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// The scope is checked before the body is even read.
			resp := ta.do(t, tc.method, tc.path, tc.key, `{"name": "x"}`).want(t, http.StatusForbidden)
			if got := resp.header.Get("WWW-Authenticate"); got != tc.wantChallenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.wantChallenge)
			}
			if e := resp.apiError(t); e.Error != "insufficient_scope" {
				t.Errorf("error = %q, want insufficient_scope", e.Error)
			}
		})
	}
}
