package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Secrets used as environment values in tests; no error may contain them.
const (
	secretAdmin   = "s3cret-admin-0123456789abcdef"
	secretAnalyst = "s3cret-analyst-0123456789abcdef"
	secretShort   = "s3cret-tiny"
)

// env is a fake environment for lookupEnv.
type env map[string]string

func (e env) lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// doc joins lines into a YAML document; line n of the file is lines[n-1].
func doc(lines ...string) string { return strings.Join(lines, "\n") + "\n" }

// writeConfig writes text to platform.yaml in a fresh temporary folder and
// returns its path.
func writeConfig(t testing.TB, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "platform.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// assertNoSecrets fails if text contains any test secret.
func assertNoSecrets(t *testing.T, text string) {
	t.Helper()
	for _, s := range []string{secretAdmin, secretAnalyst, secretShort} {
		if strings.Contains(text, s) {
			t.Errorf("error text contains a secret value:\n%s", text)
		}
	}
}
