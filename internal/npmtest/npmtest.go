// Package npmtest installs the pinned npm packages that tests run (real
// identity providers and MCP clients), once per lockfile, however many test
// binaries ask at the same time.
package npmtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// installTimeout bounds one npm ci.
const installTimeout = 5 * time.Minute

// stampFile records, inside node_modules, the hash of the lockfile that
// was installed: a lockfile changed since (a package added or upgraded)
// installs again.
const stampFile = ".skillgate-lockfile-sha256"

// Install makes sure dir's node_modules matches its package-lock.json,
// running npm ci when it does not. Test binaries of several packages run
// at once, so installs are serialised by a file lock and the check is
// repeated once the lock is held. A missing Node.js or npm fails the test
// with instructions: the tests that need them never skip.
func Install(t testing.TB, dir string) {
	t.Helper()
	for _, tool := range []string{"node", "npm"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("npmtest: %q not found on PATH: these tests run real programs on Node.js; "+
				"install Node.js 20 or newer (https://nodejs.org/en/download, or e.g. `apt-get install nodejs npm`, "+
				"`brew install node`) and run the tests again", tool)
		}
	}
	want, err := lockfileHash(dir)
	if err != nil {
		t.Fatalf("npmtest: %v", err)
	}
	if installed(dir, want) {
		return
	}
	unlock, err := lockFile(filepath.Join(os.TempDir(), "skillgate-npmtest.lock"))
	if err != nil {
		t.Fatalf("npmtest: %v", err)
	}
	defer unlock()
	if installed(dir, want) {
		return // another test binary installed it while we waited
	}
	ctx, cancel := context.WithTimeout(context.Background(), installTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npmtest: npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755); err != nil {
		t.Fatalf("npmtest: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "node_modules", stampFile), []byte(want), 0o644); err != nil {
		t.Fatalf("npmtest: %v", err)
	}
}

func lockfileHash(dir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err != nil {
		return "", fmt.Errorf("read lockfile: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// installed reports whether node_modules was installed from the lockfile
// whose hash is want. An install made by hand or by CI (npm ci) has no
// stamp and is redone once, which costs seconds.
func installed(dir, want string) bool {
	got, err := os.ReadFile(filepath.Join(dir, "node_modules", stampFile))
	return err == nil && bytes.Equal(bytes.TrimSpace(got), []byte(want))
}

// lockFile takes an exclusive flock on path and returns its release.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o666)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
