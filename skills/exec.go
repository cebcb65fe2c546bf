package skills

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// maxStartAttempts bounds retries of a start that fails with ETXTBSY: a
// process forked concurrently elsewhere in the server can briefly hold the
// just-written script open for writing (see golang.org/issue/22315).
const maxStartAttempts = 5

// execute starts the script at path inside w and waits for it, enforcing the
// timeout, the output caps and the clean environment.
func (r *Runner) execute(ctx context.Context, w *workdir, path string, args []string) (Result, error) {
	tctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()

	env := append([]string{"HOME=" + w.home, "TMPDIR=" + w.tmp}, r.env...)
	stdout, stdoutW, err := newCapture(r.maxOutput)
	if err != nil {
		return Result{}, fmt.Errorf("stdout pipe: %w", err)
	}
	stderr, stderrW, err := newCapture(r.maxOutput)
	if err != nil {
		stdoutW.Close()
		stdout.wait(time.Now())
		return Result{}, fmt.Errorf("stderr pipe: %w", err)
	}
	// Once the child has started (or failed to), only it holds the write
	// ends; ours are closed so the readers see EOF when it is gone.
	closeWriters := func() { stdoutW.Close(); stderrW.Close() }

	var cmd *exec.Cmd
	var start time.Time
	for attempt := 1; ; attempt++ {
		c := exec.CommandContext(tctx, path, args...)
		c.Dir = w.skill
		c.Env = env
		c.Stdout = stdoutW
		c.Stderr = stderrW
		startInGroup(c)
		// On timeout kill the whole group, so children die with the script.
		c.Cancel = func() error { return killGroup(c.Process.Pid) }
		// If the script survives Cancel, Wait kills it after this long.
		c.WaitDelay = WaitDelay
		start = time.Now()
		err := c.Start()
		if err == nil {
			cmd = c
			break
		}
		if !isTextBusy(err) || attempt == maxStartAttempts || tctx.Err() != nil {
			closeWriters()
			stdout.wait(time.Now())
			stderr.wait(time.Now())
			return Result{}, fmt.Errorf("start: %w", err)
		}
		time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
	}
	closeWriters()
	waitErr := cmd.Wait()
	res := Result{Duration: time.Since(start)}
	// Whatever the script left running in its group goes too; then the
	// pipes reach EOF unless something escaped the group (setsid), which
	// the deadline covers.
	_ = killGroup(cmd.Process.Pid)
	deadline := time.Now().Add(WaitDelay)
	res.Stdout, res.StdoutTruncated = stdout.wait(deadline)
	res.Stderr, res.StderrTruncated = stderr.wait(deadline)
	res.ExitCode = cmd.ProcessState.ExitCode()
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if errors.Is(tctx.Err(), context.DeadlineExceeded) && !cmd.ProcessState.Exited() {
		res.TimedOut = true
		res.ExitCode = -1
	}
	var exitErr *exec.ExitError
	switch {
	case waitErr == nil, errors.As(waitErr, &exitErr), errors.Is(waitErr, exec.ErrWaitDelay),
		errors.Is(waitErr, context.DeadlineExceeded):
		return res, nil
	default:
		return res, fmt.Errorf("wait: %w", waitErr)
	}
}
