package skills

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newScriptCatalog loads one shared skill, "shared/s", holding the given
// scripts (name under scripts/ -> content) plus a data file.
func newScriptCatalog(t *testing.T, scripts map[string]string) *Catalog {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	dir := t.TempDir()
	files := map[string]string{
		"shared/s/SKILL.md": skillMD("s"),
		"shared/s/data.txt": "data from the skill\n",
	}
	for name, content := range scripts {
		files["shared/s/scripts/"+name] = content
	}
	writeTree(t, dir, files)
	cat, _ := loadDir(t, dir, false)
	return cat
}

// tempDirEmpty fails the test if dir holds anything: every run folder must
// be removed.
func tempDirEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) > 0 {
		t.Errorf("temp dir still holds %v, want the run folder removed", ents[0].Name())
	}
}

func TestRunGreet(t *testing.T) {
	cat, err := Load(context.Background(), Bundled())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"default", nil, "Hello, world!\n"},
		{"name", []string{"Ada"}, "Hello, Ada!\n"},
		// Arguments are argv, never shell text.
		{"shell metacharacters", []string{"$(id); `id` | rm -rf"}, "Hello, $(id); `id` | rm -rf!\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			r := NewRunner(RunnerConfig{TempDir: tmp})
			res, err := r.Run(context.Background(), cat, "shared/hello-world", "scripts/greet.sh", tc.args)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.Stdout != tc.want || res.ExitCode != 0 || res.TimedOut || res.Stderr != "" {
				t.Errorf("got %+v, want stdout %q and exit 0", res, tc.want)
			}
			if res.Duration <= 0 {
				t.Errorf("got duration %v, want > 0", res.Duration)
			}
			tempDirEmpty(t, tmp)
		})
	}
}

func TestRunResults(t *testing.T) {
	cat := newScriptCatalog(t, map[string]string{
		"exit3.sh":   "#!/bin/sh\necho out; echo err >&2; exit 3\n",
		"sleep.sh":   "#!/bin/sh\necho started\nexec sleep 30\n",
		"orphan.sh":  "#!/bin/sh\nsleep 30 &\necho started\nwait\n",
		"leaver.sh":  "#!/bin/sh\nsleep 30 &\necho bye\n",
		"loud.sh":    "#!/bin/sh\nhead -c 100000 /dev/zero | tr '\\0' x\nhead -c 5000 /dev/zero | tr '\\0' y >&2\n",
		"cwd.sh":     "#!/bin/sh\npwd; cat data.txt; ls scripts; echo ok > written.txt; test -x scripts/cwd.sh && echo exec\n",
		"sub/dir.sh": "#!/bin/sh\necho nested\n",
	})
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		check   func(t *testing.T, res Result)
	}{
		{"non-zero exit is a result", "scripts/exit3.sh", 0, func(t *testing.T, res Result) {
			if res.ExitCode != 3 || res.Stdout != "out\n" || res.Stderr != "err\n" || res.TimedOut {
				t.Errorf("got %+v, want exit 3 with out/err", res)
			}
		}},
		{"timeout kills", "scripts/sleep.sh", 300 * time.Millisecond, func(t *testing.T, res Result) {
			if !res.TimedOut || res.ExitCode != -1 || res.Stdout != "started\n" {
				t.Errorf("got %+v, want TimedOut, exit -1 and the output so far", res)
			}
		}},
		// A backgrounded grandchild holds stdout: the group kill must reach it.
		{"timeout kills grandchild", "scripts/orphan.sh", 300 * time.Millisecond, func(t *testing.T, res Result) {
			if !res.TimedOut || res.ExitCode != -1 {
				t.Errorf("got %+v, want TimedOut and exit -1", res)
			}
		}},
		// The script exits but leaves a child holding stdout; Run must not
		// wait for the child.
		{"exit leaves grandchild", "scripts/leaver.sh", 0, func(t *testing.T, res Result) {
			if res.TimedOut || res.ExitCode != 0 || res.Stdout != "bye\n" {
				t.Errorf("got %+v, want exit 0 and bye", res)
			}
		}},
		{"output cap", "scripts/loud.sh", 0, func(t *testing.T, res Result) {
			if len(res.Stdout) != 1000 || !res.StdoutTruncated || strings.Trim(res.Stdout, "x") != "" {
				t.Errorf("got %d stdout bytes, truncated %v; want the first 1000 and truncated", len(res.Stdout), res.StdoutTruncated)
			}
			if len(res.Stderr) != 1000 || !res.StderrTruncated || res.ExitCode != 0 {
				t.Errorf("got %d stderr bytes, truncated %v, exit %d; want 1000, true, 0", len(res.Stderr), res.StderrTruncated, res.ExitCode)
			}
		}},
		{"runs in a copy of the skill", "scripts/cwd.sh", 0, func(t *testing.T, res Result) {
			want := "data from the skill\ncwd.sh\nexit3.sh\nleaver.sh\nloud.sh\norphan.sh\nsleep.sh\nsub\nexec\n"
			lines := strings.SplitN(res.Stdout, "\n", 2)
			if len(lines) != 2 || lines[1] != want || res.ExitCode != 0 {
				t.Errorf("got %+v, want stdout pwd then %q", res, want)
			}
			if !strings.Contains(lines[0], "skillgate-run-") {
				t.Errorf("got working directory %q, want a private run folder", lines[0])
			}
		}},
		{"nested script", "scripts/sub/dir.sh", 0, func(t *testing.T, res Result) {
			if res.Stdout != "nested\n" {
				t.Errorf("got %+v, want nested", res)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			r := NewRunner(RunnerConfig{Timeout: tc.timeout, MaxOutputBytes: 1000, TempDir: tmp})
			start := time.Now()
			res, err := r.Run(context.Background(), cat, "shared/s", tc.script, nil)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			tc.check(t, res)
			// Loose bound: far below the 30 s sleeps, above timeout + WaitDelay.
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("Run took %v", took)
			}
			tempDirEmpty(t, tmp)
		})
	}
}

func TestRunEnvironment(t *testing.T) {
	t.Setenv("SKILLGATE_TEST_SECRET", "hunter2")
	cat := newScriptCatalog(t, map[string]string{"env.sh": "#!/bin/sh\nenv\n"})
	tmp := t.TempDir()
	r := NewRunner(RunnerConfig{TempDir: tmp, Env: []string{"EXTRA=1", "LANG=en_US.UTF-8"}})
	res, err := r.Run(context.Background(), cat, "shared/s", "scripts/env.sh", nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(res.Stdout, "SKILLGATE_TEST_SECRET") || strings.Contains(res.Stdout, "hunter2") {
		t.Errorf("the server's environment reached the script:\n%s", res.Stdout)
	}
	vars := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(res.Stdout), "\n") {
		k, v, _ := strings.Cut(line, "=")
		vars[k] = v
	}
	if vars["PATH"] != "/usr/local/bin:/usr/bin:/bin" || vars["EXTRA"] != "1" || vars["LANG"] != "en_US.UTF-8" {
		t.Errorf("got env %v, want fixed PATH, EXTRA=1 and LANG overridden", vars)
	}
	for _, k := range []string{"HOME", "TMPDIR"} {
		if !strings.HasPrefix(vars[k], filepath.Join(tmp, "skillgate-run-")) {
			t.Errorf("got %s=%q, want it inside the run folder under %s", k, vars[k], tmp)
		}
	}
	tempDirEmpty(t, tmp)
}

func TestRunRefusals(t *testing.T) {
	cat := newScriptCatalog(t, map[string]string{
		"ok.sh":     "#!/bin/sh\necho ok\n",
		"noshebang": "echo no\n",
	})
	tests := []struct {
		name    string
		cfg     RunnerConfig
		id      string
		script  string
		args    []string
		wantErr error
	}{
		{"unknown skill", RunnerConfig{}, "shared/nope", "scripts/ok.sh", nil, ErrNotFound},
		{"not under scripts", RunnerConfig{}, "shared/s", "data.txt", nil, ErrNotScript},
		{"SKILL.md", RunnerConfig{}, "shared/s", "SKILL.md", nil, ErrNotScript},
		{"no shebang", RunnerConfig{}, "shared/s", "scripts/noshebang", nil, ErrNotScript},
		{"traversal", RunnerConfig{}, "shared/s", "scripts/../../x", nil, ErrInvalidPath},
		{"absolute", RunnerConfig{}, "shared/s", "/bin/sh", nil, ErrInvalidPath},
		{"missing", RunnerConfig{}, "shared/s", "scripts/nope.sh", nil, ErrPathOutsideSkill},
		{"too many args", RunnerConfig{}, "shared/s", "scripts/ok.sh", make([]string, MaxArgs+1), ErrInvalidArgs},
		{"long arg", RunnerConfig{}, "shared/s", "scripts/ok.sh", []string{strings.Repeat("a", MaxArgBytes+1)}, ErrInvalidArgs},
		{"NUL in arg", RunnerConfig{}, "shared/s", "scripts/ok.sh", []string{"a\x00b"}, ErrInvalidArgs},
		{"env sets HOME", RunnerConfig{Env: []string{"HOME=/root"}}, "shared/s", "scripts/ok.sh", nil, ErrInvalidConfig},
		{"env not KEY=VALUE", RunnerConfig{Env: []string{"JUSTTEXT"}}, "shared/s", "scripts/ok.sh", nil, ErrInvalidConfig},
		{"env bad name", RunnerConfig{Env: []string{"1A=x"}}, "shared/s", "scripts/ok.sh", nil, ErrInvalidConfig},
		{"negative timeout", RunnerConfig{Timeout: -1}, "shared/s", "scripts/ok.sh", nil, ErrInvalidConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			tc.cfg.TempDir = tmp
			_, err := NewRunner(tc.cfg).Run(context.Background(), cat, tc.id, tc.script, tc.args)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("got %v, want %v", err, tc.wantErr)
			}
			tempDirEmpty(t, tmp)
		})
	}
	t.Run("env values stay out of errors", func(t *testing.T) {
		_, err := NewRunner(RunnerConfig{Env: []string{"HOME=s3cr3t"}}).Run(context.Background(), cat, "shared/s", "scripts/ok.sh", nil)
		if err == nil || strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("got %v, want an error without the value", err)
		}
	})
}

func TestRunCancelled(t *testing.T) {
	cat := newScriptCatalog(t, map[string]string{"sleep.sh": "#!/bin/sh\nexec sleep 30\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	tmp := t.TempDir()
	_, err := NewRunner(RunnerConfig{TempDir: tmp}).Run(ctx, cat, "shared/s", "scripts/sleep.sh", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want the caller's context error", err)
	}
	tempDirEmpty(t, tmp)
}
