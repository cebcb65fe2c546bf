package skills

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadBundled(t *testing.T) {
	cat, err := Load(context.Background(), Bundled())
	if err != nil {
		t.Fatalf("Load(Bundled()): %v", err)
	}
	counts := map[DriveKind]int{}
	for _, s := range cat.All() {
		counts[s.Drive.Kind]++
		if !slices.Contains(s.Files, "SKILL.md") {
			t.Errorf("%s: Files %v lacks SKILL.md", s.ID, s.Files)
		}
		if !slices.IsSorted(s.Files) {
			t.Errorf("%s: Files %v not sorted", s.ID, s.Files)
		}
	}
	if counts[DriveShared] < 3 || counts[DriveTeam] < 1 {
		t.Errorf("got %v skills per drive kind, want at least 3 shared and 1 team", counts)
	}

	tests := []struct {
		id        string
		name      string
		drive     Drive
		wantFiles []string
	}{
		{"shared/hello-world", "hello-world", Drive{Kind: DriveShared}, []string{"SKILL.md", "scripts/greet.sh"}},
		{"shared/code-review", "code-review", Drive{Kind: DriveShared}, []string{"SKILL.md", "checklist.md"}},
		{"shared/commit-messages", "commit-messages", Drive{Kind: DriveShared}, []string{"SKILL.md", "examples.md"}},
		{"teams/analytics/sql-style", "sql-style", Drive{Kind: DriveTeam, Owner: "analytics"}, []string{"SKILL.md"}},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			s, err := cat.Get(tc.id)
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			if s.Name != tc.name || s.Drive != tc.drive || s.Description == "" || s.Body == "" {
				t.Errorf("got name %q drive %+v description %q, want name %q drive %+v and a description and body",
					s.Name, s.Drive, s.Description, tc.name, tc.drive)
			}
			if !slices.Equal(s.Files, tc.wantFiles) {
				t.Errorf("got files %v, want %v", s.Files, tc.wantFiles)
			}
		})
	}
}

func TestLoadFrontMatterErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string // in the error message
	}{
		{"no front matter", "# just markdown\n", "no front matter"},
		{"unclosed", "---\nname: x\ndescription: y\n", "no closing"},
		{"missing name", "---\ndescription: y\n---\nbody\n", "missing name"},
		{"missing description", "---\nname: x\n---\nbody\n", "missing description"},
		{"missing both", "---\n---\nbody\n", "missing name; missing description"},
		{"invalid yaml", "---\nname: [x\ndescription: y\n---\n", "front matter: yaml"},
		{"name not a string", "---\nname: {a: b}\ndescription: y\n---\n", "front matter: yaml"},
		{"name too long", "---\nname: " + strings.Repeat("n", MaxNameBytes+1) + "\ndescription: y\n---\n", "name longer"},
		{"not utf-8", "---\nname: \xff\ndescription: y\n---\n", "not UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string]string{
				"shared/good/SKILL.md": skillMD("good"),
				"shared/bad/SKILL.md":  tc.content,
			})
			cat, err := loadDir(t, dir, true)
			if !errors.Is(err, ErrInvalidSkill) {
				t.Fatalf("got error %v, want ErrInvalidSkill", err)
			}
			if msg := err.Error(); !strings.Contains(msg, "shared/bad/SKILL.md") || !strings.Contains(msg, tc.want) {
				t.Errorf("got error %q, want it to name shared/bad/SKILL.md and say %q", msg, tc.want)
			}
			if got := ids(cat.All()); !slices.Equal(got, []string{"shared/good"}) {
				t.Errorf("got skills %v, want only the good one", got)
			}
		})
	}
}

func TestLoadCollectsAllProblems(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"shared/a/SKILL.md":         "nothing",
		"teams/t/b/SKILL.md":        "---\nname: b\n---\n",
		"users/bad name/c/SKILL.md": skillMD("c"),
		"shared/.hidden/SKILL.md":   skillMD("hidden"),
		"shared/not-a-skill/x.md":   "no SKILL.md here",
		"shared/ok/SKILL.md":        skillMD("ok"),
		"README.md":                 "notes at the root are ignored",
		"shared/README.md":          "and in a drive too",
		"shared/ok/.env":            "hidden files are not part of a skill",
	})
	cat, err := loadDir(t, dir, true)
	if err == nil {
		t.Fatal("got no error, want one listing every problem")
	}
	for _, want := range []string{"shared/a/SKILL.md", "teams/t/b/SKILL.md", `users/bad name`, "shared/.hidden"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if !errors.Is(err, ErrInvalidName) || !errors.Is(err, ErrInvalidSkill) {
		t.Errorf("got %v, want it to match ErrInvalidName and ErrInvalidSkill", err)
	}
	if strings.Contains(err.Error(), "not-a-skill") {
		t.Errorf("a folder without SKILL.md was reported: %v", err)
	}
	s, gerr := cat.Get("shared/ok")
	if gerr != nil {
		t.Fatalf("Get(shared/ok): %v", gerr)
	}
	if !slices.Equal(s.Files, []string{"SKILL.md"}) {
		t.Errorf("got files %v, want only SKILL.md (hidden files left out)", s.Files)
	}
}

func TestLoadLimits(t *testing.T) {
	t.Run("too many files", func(t *testing.T) {
		fsys := fstest.MapFS{"shared/big/SKILL.md": {Data: []byte(skillMD("big"))}}
		for i := range MaxFilesPerSkill {
			fsys["shared/big/f"+strconv.Itoa(i)+".txt"] = &fstest.MapFile{}
		}
		_, err := Load(context.Background(), fsys)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("large SKILL.md", func(t *testing.T) {
		fsys := fstest.MapFS{"shared/big/SKILL.md": {Data: []byte(skillMD("big") + strings.Repeat("x", MaxSkillMarkdownBytes))}}
		_, err := Load(context.Background(), fsys)
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("got %v, want ErrTooLarge", err)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		cat, err := Load(ctx, Bundled())
		if !errors.Is(err, context.Canceled) || cat != nil {
			t.Errorf("got %v, %v; want nil and context.Canceled", cat, err)
		}
	})
}

func TestLoadSymlinkedSkillFolder(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	writeTree(t, outside, map[string]string{"evil/SKILL.md": skillMD("evil")})
	writeTree(t, dir, map[string]string{"users/alice/notes/SKILL.md": skillMD("notes")})
	if err := os.Symlink(filepath.Join(outside, "evil"), filepath.Join(dir, "users/alice/evil")); err != nil {
		t.Fatal(err)
	}
	cat, err := loadDir(t, dir, true)
	if !errors.Is(err, ErrPathOutsideSkill) || !strings.Contains(err.Error(), "users/alice/evil") {
		t.Errorf("got %v, want ErrPathOutsideSkill naming users/alice/evil", err)
	}
	if got := ids(cat.All()); !slices.Equal(got, []string{"users/alice/notes"}) {
		t.Errorf("got %v, want only users/alice/notes", got)
	}
}
