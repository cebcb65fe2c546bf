package testclients

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skillgate/skillgate/internal/npmtest"
)

// Process is a client program that runs alongside the test, such as
// mcp-remote-client waiting for the person to sign in: the test reads what
// it prints as it goes and acts on it.
type Process struct {
	cmd    *exec.Cmd
	lines  chan string
	mu     sync.Mutex
	output strings.Builder
	done   chan struct{}
	err    error
}

// Start runs node with args (a path under node_modules, then arguments) in
// this directory, with env added, until it exits or the test ends. Its
// stdout and stderr are merged into lines.
func Start(t testing.TB, env map[string]string, args ...string) *Process {
	t.Helper()
	dir := Dir(t)
	npmtest.Install(t, dir)
	ctx, cancel := context.WithTimeout(context.Background(), RunTimeout)
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = 5 * time.Second
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	// An open stdin: mcp-remote, made to run under a desktop app, shuts
	// down when its stdin ends.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		t.Fatalf("testclients: stdin of node: %v", err)
	}
	p := &Process{cmd: cmd, lines: make(chan string, 1024), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("testclients: start node %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.output.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody is waiting for lines any more
			}
		}
		close(p.lines)
	}()
	go func() {
		p.err = cmd.Wait()
		w.Close()
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		stdin.Close()
		cancel()
		<-p.done
		if t.Failed() {
			t.Logf("testclients: output of node %s:\n%s", filepath.Base(args[0]), p.Output())
		}
	})
	return p
}

// WaitFor returns the first line after now that contains want, or fails
// the test after timeout.
func (p *Process) WaitFor(t testing.TB, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-p.lines:
			if !ok {
				t.Fatalf("testclients: the program exited before printing %q", want)
			}
			if strings.Contains(line, want) {
				return line
			}
		case <-deadline:
			t.Fatalf("testclients: %q not printed within %v", want, timeout)
		}
	}
}

// NextLine returns the next line printed, or fails after timeout.
func (p *Process) NextLine(t testing.TB, timeout time.Duration) string {
	t.Helper()
	select {
	case line, ok := <-p.lines:
		if !ok {
			t.Fatal("testclients: the program exited")
		}
		return line
	case <-time.After(timeout):
		t.Fatalf("testclients: nothing printed within %v", timeout)
	}
	return ""
}

// Wait waits for the program to exit, at most timeout, and returns its
// error (nil for exit status 0).
func (p *Process) Wait(t testing.TB, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		t.Fatalf("testclients: the program did not exit within %v", timeout)
	}
	return nil
}

// Output is everything the program printed so far.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.output.String()
}
