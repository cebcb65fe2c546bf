package skills

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secret = "TOP SECRET outside the skill"

// newConfinementDir builds a skills folder whose user drive holds links to
// places outside the skill, and a secret file outside the folder.
func newConfinementDir(t *testing.T) string {
	t.Helper()
	dir, outside := t.TempDir(), t.TempDir()
	writeTree(t, outside, map[string]string{"secret.txt": secret, "sub/secret.txt": secret})
	writeTree(t, dir, map[string]string{
		"users/alice/notes/SKILL.md":         skillMD("notes"),
		"users/alice/notes/ok.md":            "fine",
		"users/alice/notes/scripts/run.sh":   "#!/bin/sh\necho run\n",
		"users/alice/notes/binary.bin":       "\x00\x01\xff",
		"users/alice/notes/big.txt":          strings.Repeat("x", MaxReadBytes+1),
		"users/alice/other/SKILL.md":         skillMD("other"),
		"users/alice/other/private.md":       secret,
		"shared/neighbour/SKILL.md":          skillMD("neighbour"),
		"shared/neighbour/shared-secret.txt": secret,
	})
	links := map[string]string{
		"users/alice/notes/link.txt":    filepath.Join(outside, "secret.txt"), // file outside the root
		"users/alice/notes/linkdir":     filepath.Join(outside, "sub"),        // folder outside the root
		"users/alice/notes/sibling.md":  "../other/private.md",                // another skill, same root
		"users/alice/notes/neighbour":   "../../../shared/neighbour",          // another drive, same root
		"users/alice/notes/scripts/esc": filepath.Join(outside, "secret.txt"),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadFile(t *testing.T) {
	cat, _ := loadDir(t, newConfinementDir(t), true)
	const id = "users/alice/notes"

	tests := []struct {
		name    string
		path    string
		want    string  // content when err is nil
		wantErr []error // any of these
	}{
		{name: "plain file", path: "ok.md", want: "fine"},
		{name: "script", path: "scripts/run.sh", want: "#!/bin/sh\necho run\n"},
		{name: "dot-dot", path: "../x", wantErr: []error{ErrInvalidPath}},
		{name: "dot-dot to sibling skill", path: "../other/private.md", wantErr: []error{ErrInvalidPath}},
		{name: "absolute", path: "/etc/passwd", wantErr: []error{ErrInvalidPath}},
		{name: "dot-dot inside", path: "scripts/../../x", wantErr: []error{ErrInvalidPath}},
		{name: "dot-dot back in", path: "scripts/../ok.md", wantErr: []error{ErrInvalidPath}},
		{name: "backslash", path: `a\b`, wantErr: []error{ErrInvalidPath}},
		{name: "backslash dot-dot", path: `..\..\x`, wantErr: []error{ErrInvalidPath}},
		{name: "NUL", path: "ok.md\x00.txt", wantErr: []error{ErrInvalidPath}},
		{name: "empty", path: "", wantErr: []error{ErrInvalidPath}},
		{name: "dot", path: ".", wantErr: []error{ErrInvalidPath}},
		{name: "dot prefix", path: "./ok.md", wantErr: []error{ErrInvalidPath}},
		{name: "double slash", path: "scripts//run.sh", wantErr: []error{ErrInvalidPath}},
		{name: "trailing slash", path: "scripts/", wantErr: []error{ErrInvalidPath}},
		{name: "folder", path: "scripts", wantErr: []error{ErrPathOutsideSkill}},
		{name: "missing file", path: "nope.md", wantErr: []error{ErrPathOutsideSkill}},
		{name: "symlink to file outside", path: "link.txt", wantErr: []error{ErrPathOutsideSkill, ErrInvalidPath}},
		{name: "symlinked folder outside", path: "linkdir/secret.txt", wantErr: []error{ErrPathOutsideSkill, ErrInvalidPath}},
		{name: "symlink to sibling skill", path: "sibling.md", wantErr: []error{ErrPathOutsideSkill, ErrInvalidPath}},
		{name: "symlinked folder to other drive", path: "neighbour/shared-secret.txt", wantErr: []error{ErrPathOutsideSkill, ErrInvalidPath}},
		{name: "symlink in scripts", path: "scripts/esc", wantErr: []error{ErrPathOutsideSkill, ErrInvalidPath}},
		{name: "binary", path: "binary.bin", wantErr: []error{ErrBinary}},
		{name: "too large", path: "big.txt", wantErr: []error{ErrTooLarge}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cat.ReadFile(context.Background(), id, tc.path)
			if tc.wantErr == nil {
				if err != nil || string(got) != tc.want {
					t.Fatalf("got %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if !isAny(err, tc.wantErr...) {
				t.Errorf("got error %v, want one of %v", err, tc.wantErr)
			}
			if strings.Contains(string(got), secret) {
				t.Errorf("leaked the secret")
			}
		})
	}
}

func TestReadFileSymlinkListedAfterLoad(t *testing.T) {
	// A file replaced by a link after Load is listed but must still not be
	// followed out of the skill folder.
	dir, outside := t.TempDir(), t.TempDir()
	writeTree(t, outside, map[string]string{"secret.txt": secret})
	writeTree(t, dir, map[string]string{
		"users/alice/notes/SKILL.md":   skillMD("notes"),
		"users/alice/notes/a/b.md":     "b",
		"users/alice/notes/swapped.md": "harmless",
		"users/alice/other/SKILL.md":   skillMD("other"),
		"users/alice/other/a/b.md":     secret,
	})
	cat, _ := loadDir(t, dir, false)
	notes := filepath.Join(dir, "users/alice/notes")
	swap := func(name, target string) {
		t.Helper()
		p := filepath.Join(notes, filepath.FromSlash(name))
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	swap("swapped.md", filepath.Join(outside, "secret.txt"))
	swap("a", "../other/a")

	for _, name := range []string{"swapped.md", "a/b.md"} {
		t.Run(name, func(t *testing.T) {
			got, err := cat.ReadFile(context.Background(), "users/alice/notes", name)
			if err == nil || strings.Contains(string(got), secret) {
				t.Errorf("got %q, %v; want an error", got, err)
			}
			if !errors.Is(err, ErrPathOutsideSkill) {
				t.Errorf("got %v, want ErrPathOutsideSkill", err)
			}
		})
	}
}

func TestDirOpenBeneath(t *testing.T) {
	// The OS-level check alone, as in a race that swaps a file for a link
	// between the Lstat checks and the open.
	dir, outside := t.TempDir(), t.TempDir()
	writeTree(t, outside, map[string]string{"secret.txt": secret})
	writeTree(t, dir, map[string]string{"users/alice/other/x.md": secret, "users/alice/notes/ok.md": "ok"})
	for name, target := range map[string]string{
		"out.md":     filepath.Join(outside, "secret.txt"),
		"sibling.md": "../other/x.md",
	} {
		if err := os.Symlink(target, filepath.Join(dir, "users/alice/notes", name)); err != nil {
			t.Fatal(err)
		}
	}
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tests := []struct {
		name   string
		wantOK bool
	}{
		{"ok.md", true},
		{"out.md", false},
		{"sibling.md", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := d.openBeneath("users/alice/notes", tc.name)
			if err == nil {
				f.Close()
			}
			if got := err == nil; got != tc.wantOK {
				t.Errorf("got error %v, want ok=%v", err, tc.wantOK)
			}
		})
	}
}
