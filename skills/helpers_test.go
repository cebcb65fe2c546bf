package skills

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// writeTree writes files (slash path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// skillMD returns a valid SKILL.md with the given name.
func skillMD(name string) string {
	return "---\nname: " + name + "\ndescription: The " + name + " skill.\n---\n# " + name + "\n"
}

// loadDir loads a folder through OpenDir, closing it when the test ends.
// It fails the test on a load error unless allowErr is set.
func loadDir(t *testing.T, dir string, allowErr bool) (*Catalog, error) {
	t.Helper()
	d, err := OpenDir(dir)
	if err != nil {
		t.Fatalf("OpenDir: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	cat, err := Load(context.Background(), d)
	if err != nil && !allowErr {
		t.Fatalf("Load: %v", err)
	}
	if cat == nil {
		t.Fatalf("Load returned a nil Catalog (err %v)", err)
	}
	return cat, err
}

func ids(skills []Skill) []string {
	out := []string{}
	for _, s := range skills {
		out = append(out, s.ID)
	}
	return out
}

// isAny reports whether err matches one of targets.
func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
