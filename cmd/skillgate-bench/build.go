package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildSkillgate builds ./cmd/skillgate of the module the tool runs in
// into dir and returns the binary's path.
func buildSkillgate(ctx context.Context, dir string) (string, error) {
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("find the module (is go on PATH?): %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(gomod)))
	bin := filepath.Join(dir, "skillgate")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/skillgate")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build skillgate: %w\n%s", err, out)
	}
	return bin, nil
}
