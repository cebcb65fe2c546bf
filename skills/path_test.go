package skills

import (
	"errors"
	"io/fs"
	"path"
	"strings"
	"testing"
)

func TestValidatePath(t *testing.T) {
	tests := []struct {
		name string
		path string
		ok   bool
	}{
		{"file", "SKILL.md", true},
		{"nested", "scripts/greet.sh", true},
		{"dots inside a name", "a..b/c.d", true},
		{"unicode", "données/été.md", true},
		{"empty", "", false},
		{"dot", ".", false},
		{"dot-dot", "..", false},
		{"parent", "../x", false},
		{"absolute", "/etc/passwd", false},
		{"inner dot-dot", "scripts/../../x", false},
		{"trailing dot-dot", "a/..", false},
		{"leading dot", "./a", false},
		{"hidden file", ".env", false},
		{"hidden folder", "a/.git/config", false},
		{"backslash", `a\b`, false},
		{"NUL", "a\x00b", false},
		// Found by FuzzValidatePath: fs.ValidPath refuses invalid UTF-8.
		{"invalid UTF-8", "\xcd", false},
		{"empty element", "a//b", false},
		{"trailing slash", "a/", false},
		{"too long", strings.Repeat("a", MaxPathBytes+1), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := validatePath(tc.path)
			if tc.ok {
				if err != nil || got != tc.path {
					t.Errorf("got %q, %v; want %q accepted unchanged", got, err, tc.path)
				}
				return
			}
			if !errors.Is(err, ErrInvalidPath) {
				t.Errorf("got %q, %v; want ErrInvalidPath", got, err)
			}
		})
	}
}

// FuzzValidatePath checks that every accepted path stays inside the skill
// folder whatever cleaning or joining a caller does with it.
func FuzzValidatePath(f *testing.F) {
	// More seeds live in testdata/fuzz/FuzzValidatePath.
	f.Add("SKILL.md")
	f.Add("scripts/greet.sh")
	f.Fuzz(func(t *testing.T, p string) {
		got, err := validatePath(p)
		if err != nil {
			if !errors.Is(err, ErrInvalidPath) {
				t.Fatalf("validatePath(%q): error %v does not wrap ErrInvalidPath", p, err)
			}
			return
		}
		if got != p {
			t.Fatalf("validatePath(%q) rewrote it to %q", p, got)
		}
		if !fs.ValidPath(p) || p == "." {
			t.Fatalf("validatePath accepted %q, which fs.ValidPath refuses", p)
		}
		if path.Clean(p) != p {
			t.Fatalf("validatePath accepted unclean %q", p)
		}
		if strings.ContainsAny(p, "\\\x00") || len(p) > MaxPathBytes {
			t.Fatalf("validatePath accepted %q", p)
		}
		const skill = "/root/users/alice/notes"
		if joined := path.Join(skill, p); !strings.HasPrefix(joined, skill+"/") {
			t.Fatalf("validatePath accepted %q, which joins to %q outside %s", p, joined, skill)
		}
		for elem := range strings.SplitSeq(p, "/") {
			if strings.HasPrefix(elem, ".") {
				t.Fatalf("validatePath accepted %q with hidden element %q", p, elem)
			}
		}
	})
}
