package browsertest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// EnvArtifacts names the environment variable that, when set, is the
// directory test artifacts (screenshots) are saved under, for CI to
// collect. Unset, they go under the system's temporary directory.
const EnvArtifacts = "SKILLGATE_TEST_ARTIFACTS"

// ArtifactDir returns the directory, created if need be, where the test's
// screenshots go: $SKILLGATE_TEST_ARTIFACTS/<test name>, or, when that is
// unset, <temporary dir>/skillgate-test-artifacts/<test name>. The test
// name is sanitized into one path element ("TestX/sub case" becomes
// "TestX_sub_case"). The directory outlives the test so that a person can
// look at what it saw; files are overwritten by the next run, not removed.
// Each file saved there is logged with its path.
func ArtifactDir(t testing.TB) string {
	t.Helper()
	root := os.Getenv(EnvArtifacts)
	if root == "" {
		root = filepath.Join(os.TempDir(), "skillgate-test-artifacts")
	}
	dir := filepath.Join(root, sanitize(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("browsertest: artifact directory: %v", err)
	}
	return dir
}

// saveArtifact writes data as name (sanitized) under ArtifactDir(t) and
// logs the path.
func saveArtifact(t testing.TB, name string, data []byte) (string, error) {
	t.Helper()
	path := filepath.Join(ArtifactDir(t), sanitize(name))
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", fmt.Errorf("save %s: %w", name, err)
	}
	t.Logf("browsertest: saved %s", path)
	return path, nil
}

// sanitize makes name one safe path element: anything but ASCII letters,
// digits, '.', '-' and '_' becomes '_', and a name of only dots becomes
// underscores, so no name can climb out of the directory.
func sanitize(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, name)
	if strings.Trim(s, ".") == "" {
		s = strings.Repeat("_", max(len(s), 1))
	}
	return s
}
