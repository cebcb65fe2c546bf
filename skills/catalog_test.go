package skills

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestVisible(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"shared/s1/SKILL.md":          skillMD("s1"),
		"shared/s2/SKILL.md":          skillMD("s2"),
		"teams/analytics/t1/SKILL.md": skillMD("t1"),
		"teams/infra/t2/SKILL.md":     skillMD("t2"),
		"users/alice/a1/SKILL.md":     skillMD("a1"),
		"users/bob/b1/SKILL.md":       skillMD("b1"),
	})
	cat, _ := loadDir(t, dir, false)

	tests := []struct {
		name   string
		viewer Viewer
		want   []string
	}{
		{"nobody sees shared only", Viewer{}, []string{"shared/s1", "shared/s2"}},
		{"alice alone", Viewer{User: "alice"}, []string{"shared/s1", "shared/s2", "users/alice/a1"}},
		{"bob in analytics", Viewer{User: "bob", Teams: []string{"analytics"}},
			[]string{"shared/s1", "shared/s2", "teams/analytics/t1", "users/bob/b1"}},
		{"two teams, unknown user", Viewer{User: "carol", Teams: []string{"infra", "analytics"}},
			[]string{"shared/s1", "shared/s2", "teams/analytics/t1", "teams/infra/t2"}},
		// An empty team name must not match anything.
		{"empty team name", Viewer{Teams: []string{""}}, []string{"shared/s1", "shared/s2"}},
		{"unknown team", Viewer{Teams: []string{"sales"}}, []string{"shared/s1", "shared/s2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ids(cat.Visible(tc.viewer)); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	if got := len(cat.All()); got != 6 {
		t.Errorf("All: got %d skills, want 6", got)
	}
}

func TestGetAndMarkdown(t *testing.T) {
	cat, err := Load(context.Background(), Bundled())
	if err != nil {
		t.Fatal(err)
	}
	t.Run("unknown skill", func(t *testing.T) {
		if _, err := cat.Get("shared/nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get: got %v, want ErrNotFound", err)
		}
		if _, err := cat.SkillMarkdown("shared/nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("SkillMarkdown: got %v, want ErrNotFound", err)
		}
		if _, err := cat.ReadFile(context.Background(), "shared/nope", "SKILL.md"); !errors.Is(err, ErrNotFound) {
			t.Errorf("ReadFile: got %v, want ErrNotFound", err)
		}
	})
	t.Run("markdown is the whole file", func(t *testing.T) {
		md, err := cat.SkillMarkdown("shared/hello-world")
		if err != nil {
			t.Fatal(err)
		}
		file, err := cat.ReadFile(context.Background(), "shared/hello-world", "SKILL.md")
		if err != nil {
			t.Fatal(err)
		}
		if md != string(file) || !strings.HasPrefix(md, "---\nname: hello-world\n") {
			t.Errorf("got markdown %.40q, want the whole SKILL.md", md)
		}
	})
	t.Run("returned skills are copies", func(t *testing.T) {
		s, _ := cat.Get("shared/hello-world")
		s.Files[0] = "changed"
		again, _ := cat.Get("shared/hello-world")
		if again.Files[0] != "SKILL.md" {
			t.Errorf("got Files[0] %q after changing a copy, want SKILL.md", again.Files[0])
		}
	})
}

func TestMatch(t *testing.T) {
	s := Skill{ID: "shared/sql-style", Name: "sql-style", Description: "How to write SQL queries."}
	tests := []struct {
		name  string
		query string
		want  bool
	}{
		{"empty matches all", "", true},
		{"id", "shared/", true},
		{"name, other case", "SQL-STYLE", true},
		{"description", "write sql", true},
		{"no match", "python", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Match(s, tc.query); got != tc.want {
				t.Errorf("Match(%q): got %v, want %v", tc.query, got, tc.want)
			}
		})
	}
}
