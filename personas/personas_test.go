package personas

import (
	"errors"
	"testing"
)

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern, s string
		want             bool
	}{
		{"star matches all", "*", "run_skill_script", true},
		{"star matches empty", "*", "", true},
		{"prefix", "run_*", "run_skill_script", true},
		{"prefix miss", "run_*", "list_skills", false},
		{"star crosses slash", "shared/*", "shared/a/b", true},
		{"exact", "get_skill", "get_skill", true},
		{"exact miss", "get_skill", "get_skills", false},
		{"question", "get_skil?", "get_skill", true},
		{"middle star", "teams/*/sql-*", "teams/analytics/sql-style", true},
		{"middle star miss", "teams/*/sql-*", "teams/analytics/style", false},
		{"empty pattern", "", "x", false},
		{"brackets are literal", "[a]", "a", false},
		// Guards against exponential backtracking on hostile patterns.
		{"many stars", "*a*a*a*a*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Match(tc.pattern, tc.s); got != tc.want {
				t.Errorf("Match(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
			}
		})
	}
}

func TestRulesDenyWins(t *testing.T) {
	r := Rules{Allow: []string{"*"}, Deny: []string{"run_*"}}
	for name, want := range map[string]bool{"list_skills": true, "run_skill_script": false} {
		if got := r.Allows(name); got != want {
			t.Errorf("Allows(%q) = %v, want %v", name, got, want)
		}
	}
	if (Rules{}).Allows("list_skills") {
		t.Error("zero Rules allowed a name; want fail closed")
	}
}

func TestResolve(t *testing.T) {
	all := []Persona{
		{Name: "viewer", Roles: []string{"viewer"}, Priority: 10},
		{Name: "admin", Roles: []string{"admin"}, Priority: 100},
		{Name: "analyst", Roles: []string{"analyst", "data"}, Priority: 50},
	}
	tests := []struct {
		name    string
		def     string
		roles   []string
		want    string
		wantErr error
	}{
		{"single role", "", []string{"analyst"}, "analyst", nil},
		{"highest priority wins", "", []string{"viewer", "admin", "analyst"}, "admin", nil},
		{"second role of persona", "", []string{"data"}, "analyst", nil},
		{"no match no default", "", []string{"guest"}, "", ErrNoPersona},
		{"no roles no default", "", nil, "", ErrNoPersona},
		{"no match default", "viewer", []string{"guest"}, "viewer", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSet(all, tc.def)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Resolve(tc.roles)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Resolve(%v) error = %v, want %v", tc.roles, err, tc.wantErr)
			}
			if got.Name != tc.want {
				t.Errorf("Resolve(%v) = %q, want %q", tc.roles, got.Name, tc.want)
			}
		})
	}
}

func TestNewSetErrors(t *testing.T) {
	if _, err := NewSet([]Persona{{Name: "a"}, {Name: "a"}}, ""); err == nil {
		t.Error("duplicate persona accepted")
	}
	if _, err := NewSet([]Persona{{Name: "a"}}, "b"); err == nil {
		t.Error("undefined default persona accepted")
	}
}
