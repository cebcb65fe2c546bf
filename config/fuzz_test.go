package config

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary files to Load: it must never panic, must fail
// only with Problems naming the file, and must never reveal a value from
// the environment.
func FuzzLoad(f *testing.F) {
	if seed, err := os.ReadFile(platformYAML); err == nil {
		f.Add(seed)
	}
	f.Add([]byte(""))
	f.Add([]byte("server: {addr: ':0'}\n"))
	f.Add([]byte("auth:\n  api_keys:\n    enabled: true\n    keys: [{key: '${K}', name: a, roles: [a]}]\n"))
	f.Add([]byte("personas:\n  definitions:\n    a: &a {roles: [x], priority: ${P:-1}}\n    b: {<<: *a}\n"))

	const secret = "Zq7Zq7Zq7Zq7Zq7Zq7"
	e := env{"K": secret, "P": "3", "E": "", "N": "x\n- y: [z"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "platform.yaml")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load(path, e.lookup)
		if err == nil {
			if c == nil {
				t.Fatal("Load returned neither config nor error")
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("loaded config fails Validate: %v", err)
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) || len(ps) == 0 {
			t.Fatalf("error %T is not a non-empty Problems: %v", err, err)
		}
		for _, p := range ps {
			if p.File != path {
				t.Fatalf("problem %+v does not name the file", p)
			}
		}
		if !bytes.Contains(data, []byte("Zq7")) && strings.Contains(err.Error(), secret) {
			t.Fatalf("error reveals an environment value:\n%v", err)
		}
	})
}
