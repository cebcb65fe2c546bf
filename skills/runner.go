package skills

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// RunnerConfig configures a Runner. The zero value is usable.
type RunnerConfig struct {
	// Timeout bounds each run; the script's whole process group is killed
	// when it expires. Zero means DefaultTimeout.
	Timeout time.Duration
	// MaxOutputBytes caps stdout and stderr separately; the first bytes are
	// kept and the rest discarded. Zero means DefaultMaxOutputBytes.
	MaxOutputBytes int
	// TempDir is where private run folders are created. Empty means
	// os.TempDir().
	TempDir string
	// Env lists extra KEY=VALUE variables for every script, on top of PATH,
	// HOME, TMPDIR and LANG. An entry for PATH or LANG replaces the default;
	// HOME and TMPDIR cannot be set. Nothing else from the server's own
	// environment ever reaches a script. Default none.
	Env []string
}

// Result is the outcome of a script that started. A non-zero exit is a
// Result, not an error.
type Result struct {
	// ExitCode is the script's exit status, or -1 if it was killed by a
	// signal (including on timeout).
	ExitCode int
	// Stdout and Stderr hold the first MaxOutputBytes of each stream, as
	// the script wrote them (not necessarily valid UTF-8).
	Stdout, Stderr string
	// StdoutTruncated and StderrTruncated report that output was dropped.
	StdoutTruncated, StderrTruncated bool
	// Duration is the time from start to exit.
	Duration time.Duration
	// TimedOut reports that the script was killed at the timeout.
	TimedOut bool
}

// Runner runs skill scripts. It is safe for concurrent use.
type Runner struct {
	timeout   time.Duration
	maxOutput int
	tempDir   string
	env       []string
	err       error // a problem in the config, returned by every Run
}

// NewRunner returns a Runner for cfg. A config problem (such as a malformed
// Env entry) is reported, wrapping ErrInvalidConfig, by every call to Run.
func NewRunner(cfg RunnerConfig) *Runner {
	r := &Runner{
		timeout:   orDefault(cfg.Timeout, DefaultTimeout),
		maxOutput: orDefault(cfg.MaxOutputBytes, DefaultMaxOutputBytes),
		tempDir:   cfg.TempDir,
		env: []string{
			"PATH=/usr/local/bin:/usr/bin:/bin",
			"LANG=C.UTF-8",
		},
	}
	var problems []error
	if cfg.Timeout < 0 {
		problems = append(problems, errors.New("negative Timeout"))
	}
	if cfg.MaxOutputBytes < 0 {
		problems = append(problems, errors.New("negative MaxOutputBytes"))
	}
	for i, kv := range cfg.Env {
		if err := checkEnv(kv); err != nil {
			err = fmt.Errorf("Env[%d]: %w", i, err)
			problems = append(problems, err)
			continue
		}
		r.env = append(r.env, kv)
	}
	if len(problems) > 0 {
		r.err = fmt.Errorf("%w: %w", ErrInvalidConfig, errors.Join(problems...))
	}
	return r
}

// orDefault returns v, or def if v is zero.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// Check reports the error Run would return for bad input (unknown skill,
// bad path, not a script, bad args) without running anything, so that a
// caller can refuse such a call before spending anything on it.
func (r *Runner) Check(cat *Catalog, id, script string, args []string) error {
	_, _, err := r.check(cat, id, script, args)
	return err
}

// check validates a run and returns the skill and the script's cleaned path.
func (r *Runner) check(cat *Catalog, id, script string, args []string) (*entry, string, error) {
	if r.err != nil {
		return nil, "", r.err
	}
	e, err := cat.lookup(id)
	if err != nil {
		return nil, "", err
	}
	p, err := e.checkFile(script)
	if err != nil {
		return nil, "", fmt.Errorf("run in skill %q: %w", id, err)
	}
	if !strings.HasPrefix(p, "scripts/") {
		return nil, "", fmt.Errorf("run %s/%s: %w: scripts live under scripts/", id, p, ErrNotScript)
	}
	if err := checkArgs(args); err != nil {
		return nil, "", fmt.Errorf("run %s/%s: %w", id, p, err)
	}
	return e, p, nil
}

// Run runs the script (a slash path under the skill's scripts/ folder, such
// as "scripts/greet.sh") of skill id with args, and returns its Result.
//
// The script runs from a private temporary copy of the whole skill folder,
// which is its working directory and is removed afterwards. It is executed
// directly (no shell; it needs a "#!" line) with a clean environment: PATH,
// HOME and TMPDIR (inside the run folder), LANG=C.UTF-8 and
// RunnerConfig.Env. Stdin is empty.
//
// Errors are for bad input (unknown skill, bad path, not a script, bad
// args), a failure to prepare or start the script, or ctx ending, in which
// case the partial Result is returned too. A timeout is a Result with
// TimedOut set and ExitCode -1.
func (r *Runner) Run(ctx context.Context, cat *Catalog, id, script string, args []string) (res Result, err error) {
	e, p, err := r.check(cat, id, script, args)
	if err != nil {
		return Result{}, err
	}

	w, err := newWorkdir(r.tempDir)
	if w != nil {
		defer func() {
			if rmErr := w.remove(); rmErr != nil {
				err = errors.Join(err, fmt.Errorf("remove run folder: %w", rmErr))
			}
		}()
	}
	if err != nil {
		return Result{}, fmt.Errorf("run %s/%s: create run folder: %w", id, p, err)
	}
	if err := w.copySkill(ctx, cat, e); err != nil {
		return Result{}, fmt.Errorf("run %s/%s: copy skill: %w", id, p, err)
	}
	path := filepath.Join(w.skill, filepath.FromSlash(p))
	if err := checkShebang(path); err != nil {
		return Result{}, fmt.Errorf("run %s/%s: %w", id, p, err)
	}
	res, err = r.execute(ctx, w, path, args)
	if err != nil {
		return res, fmt.Errorf("run %s/%s: %w", id, p, err)
	}
	return res, nil
}

// checkShebang makes sure the script starts with "#!", so that a data file
// under scripts/ fails with a clear error instead of "exec format error".
func checkShebang(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var head [2]byte
	if _, err := io.ReadFull(f, head[:]); err != nil || string(head[:]) != "#!" {
		return fmt.Errorf("%w: the file has no \"#!\" line", ErrNotScript)
	}
	return nil
}
