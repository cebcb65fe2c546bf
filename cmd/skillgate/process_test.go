package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file run skillgate as the separate processes people
// run: a server, and the CLI working on the same database.

var binary struct {
	once sync.Once
	path string
	err  error
}

// skillgateBinary builds the command once per test run.
func skillgateBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "skillgate-bin-")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "skillgate")
		// The go command running these tests is on PATH (.ci/run puts it
		// there).
		goTool, err := exec.LookPath("go")
		if err != nil {
			binary.err = err
			return
		}
		out, err := exec.Command(goTool, "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = &buildError{out: string(out), err: err}
		}
	})
	if binary.err != nil {
		t.Fatalf("build skillgate: %v", binary.err)
	}
	return binary.path
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// cli runs the skillgate CLI as a process and returns its standard output;
// it fails the test if the command fails.
func cli(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	out, errOut, err := cliResult(t, stdin, args...)
	if err != nil {
		t.Fatalf("skillgate %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func cliResult(t *testing.T, stdin string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, skillgateBinary(t), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	return o.String(), e.String(), err
}

// cliJSON runs a CLI command with --json and decodes its output into v.
func cliJSON(t *testing.T, v any, args ...string) {
	t.Helper()
	out := cli(t, "", append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("skillgate %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// serverProcess is skillgate serve running as a child process.
type serverProcess struct {
	cmd     *exec.Cmd
	baseURL string
	logs    *syncBuffer
	done    chan struct{}
	addr    chan string
}

var listenLine = regexp.MustCompile(`msg="skillgate listening" addr=(127\.0\.0\.1:\d+)`)

// startServerProcess runs skillgate serve with the given arguments on
// 127.0.0.1 and waits until it listens.
func startServerProcess(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	p := launchServerProcess(t, args...)
	if err := p.waitListening(); err != nil {
		t.Fatal(err)
	}
	return p
}

// launchServerProcess starts skillgate serve without waiting for it to
// listen, so that a test can start several at once; waitListening waits.
func launchServerProcess(t *testing.T, args ...string) *serverProcess {
	t.Helper()
	cmd := exec.Command(skillgateBinary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &serverProcess{cmd: cmd, logs: &syncBuffer{}, done: make(chan struct{}), addr: make(chan string, 1)}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			_, _ = io.WriteString(p.logs, line+"\n")
			if m := listenLine.FindStringSubmatch(line); m != nil {
				select {
				case p.addr <- m[1]:
				default:
				}
			}
		}
		_ = cmd.Wait()
	}()
	t.Cleanup(func() { p.kill(t) })
	return p
}

// waitListening waits until the server listens and sets baseURL.
func (p *serverProcess) waitListening() error {
	select {
	case a := <-p.addr:
		p.baseURL = "http://" + a
		return nil
	case <-p.done:
		return fmt.Errorf("server exited before listening:\n%s", p.logs)
	case <-time.After(30 * time.Second):
		return fmt.Errorf("server did not listen within 30s:\n%s", p.logs)
	}
}

// kill stops the server with SIGKILL, as a crash would, and waits for it.
func (p *serverProcess) kill(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Error("server did not die within 10s of SIGKILL")
	}
}
