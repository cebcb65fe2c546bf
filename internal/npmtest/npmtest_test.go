package npmtest

import (
	"os"
	"path/filepath"
	"testing"
)

// TestInstallStampsTheLockfile installs a package without dependencies and
// checks that the install is recorded against its lockfile, and that a
// changed lockfile counts as not installed.
func TestInstallStampsTheLockfile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("package.json", `{"name":"npmtest-fixture","version":"1.0.0","private":true}`)
	write("package-lock.json", `{"name":"npmtest-fixture","version":"1.0.0","lockfileVersion":3,"requires":true,"packages":{"":{"name":"npmtest-fixture","version":"1.0.0"}}}`)
	Install(t, dir)
	hash, err := lockfileHash(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !installed(dir, hash) {
		t.Fatal("Install left no stamp of the lockfile it installed")
	}
	write("package-lock.json", `{"name":"npmtest-fixture","version":"1.0.1","lockfileVersion":3,"requires":true,"packages":{"":{"name":"npmtest-fixture","version":"1.0.1"}}}`)
	if changed, _ := lockfileHash(dir); installed(dir, changed) {
		t.Fatal("a changed lockfile counts as installed")
	}
}
