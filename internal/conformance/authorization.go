package conformance

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// NextVersion is the pinned pre-release of @modelcontextprotocol/conformance
// (installed under the npm alias conformance-next) that has the
// authorization server scenarios, which 0.1.x lacks.
const NextVersion = "0.2.0-alpha.12"

// Scenarios of the suite's authorization command (NextVersion).
const (
	ScenarioAuthorizationServerMetadata = "authorization-server-metadata-endpoint"
	ScenarioAuthorizationCodeGrant      = "authorization-code-grant"
)

// CallbackPath is the path of the suite's callback server: the redirect URI
// to register for the code grant is http://127.0.0.1:<Port>/callback.
const CallbackPath = "/callback"

// AuthorizationOptions configures StartAuthorization; they are the
// suite's options of the same names.
type AuthorizationOptions struct {
	// URL is the authorization server's issuer (--url).
	URL string
	// ClientID is a client registered at the authorization server with the
	// redirect URI http://127.0.0.1:<Port>/callback (--client-id); without
	// it the suite skips the code grant.
	ClientID string
	// ClientSecret is the client's secret; empty for a public client.
	ClientSecret string
	// Resource is the RFC 8707 resource the suite asks a token for.
	Resource string
	// Port is where the suite's callback server listens on 127.0.0.1
	// (--port).
	Port int
	// Timeout bounds the whole run; default DefaultTimeout.
	Timeout time.Duration
}

// AuthorizationRun is a running `conformance authorization` of NextVersion:
// the suite acts as an OAuth client of the authorization server under
// test, and for the code grant waits for a person to open the URL it
// prints and finish at its callback server. The test reads the lines the
// suite prints as they come (NextLine, WaitForLine), plays the person, then
// Waits for the results.
type AuthorizationRun struct {
	cmd    *exec.Cmd
	outDir string
	lines  chan string
	mu     sync.Mutex
	output strings.Builder
	done   chan struct{}
	err    error
	ctx    context.Context
	tmo    time.Duration
}

// StartAuthorization starts the suite's authorization server scenarios
// against opts.URL on the pinned Node.js and returns at once. The run is
// bounded by opts.Timeout and killed when the test ends.
func StartAuthorization(t testing.TB, opts AuthorizationOptions) *AuthorizationRun {
	t.Helper()
	if opts.URL == "" {
		t.Fatal("conformance: StartAuthorization needs the issuer URL")
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	dir := projectDir(t)
	ensureDependencies(t, dir)
	node := nodeBinary(t, dir)
	bin := nextCLI(dir)
	if !fileExists(bin) {
		t.Fatalf("conformance: npm ci in %s did not install %s (conformance-next)", dir, bin)
	}

	args := []string{bin, "authorization", "--url", opts.URL}
	if opts.ClientID != "" {
		args = append(args, "--client-id", opts.ClientID)
	}
	if opts.ClientSecret != "" {
		args = append(args, "--client-secret", opts.ClientSecret)
	}
	if opts.Resource != "" {
		args = append(args, "--resource", opts.Resource)
	}
	if opts.Port != 0 {
		args = append(args, "--port", strconv.Itoa(opts.Port))
	}
	outDir := t.TempDir()
	args = append(args, "--output-dir", outDir)

	ctx, cancel := context.WithTimeout(context.Background(), opts.Timeout)
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "FORCE_COLOR=0")
	cmd.WaitDelay = 5 * time.Second
	// One pipe for both streams keeps them in the order the suite wrote.
	r, w := io.Pipe()
	cmd.Stdout, cmd.Stderr = w, w
	run := &AuthorizationRun{cmd: cmd, outDir: outDir, lines: make(chan string, 4096),
		done: make(chan struct{}), ctx: ctx, tmo: opts.Timeout}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("conformance: start %s authorization: %v", node, err)
	}
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 4<<20)
		for sc.Scan() {
			line := stripANSI(sc.Text())
			run.mu.Lock()
			run.output.WriteString(line + "\n")
			run.mu.Unlock()
			select {
			case run.lines <- line:
			default: // nobody reads lines any more; Output still has them
			}
		}
		_, _ = io.Copy(io.Discard, r)
		close(run.lines)
	}()
	go func() {
		run.err = cmd.Wait()
		w.Close()
		close(run.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-run.done
	})
	return run
}

func nextCLI(dir string) string {
	return filepath.Join(dir, "node_modules", "conformance-next", "dist", "index.js")
}

// NextLine returns the next line the suite prints, or fails the test after
// timeout or if the suite exits first.
func (r *AuthorizationRun) NextLine(t testing.TB, timeout time.Duration) string {
	t.Helper()
	select {
	case line, ok := <-r.lines:
		if !ok {
			t.Fatalf("conformance: the suite exited (%v); its output:\n%s", r.err, r.Output())
		}
		return line
	case <-time.After(timeout):
		t.Fatalf("conformance: the suite printed nothing within %v; its output so far:\n%s", timeout, r.Output())
	}
	return ""
}

// WaitForLine returns the first line from now on that contains want, or
// fails the test after timeout or if the suite exits first.
func (r *AuthorizationRun) WaitForLine(t testing.TB, want string, timeout time.Duration) string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case line, ok := <-r.lines:
			if !ok {
				t.Fatalf("conformance: the suite exited (%v) before printing %q; its output:\n%s", r.err, want, r.Output())
			}
			if strings.Contains(line, want) {
				return line
			}
		case <-deadline:
			t.Fatalf("conformance: the suite did not print %q within %v; its output so far:\n%s", want, timeout, r.Output())
		}
	}
}

// Output is everything the suite printed so far (colour codes removed).
func (r *AuthorizationRun) Output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.output.String()
}

// Wait waits for the suite to finish (within the run's timeout) and returns
// the results of its scenarios, read from its checks.json files as
// RunServer reads them. Like RunServer it fails the test only if the suite
// could not run; failing scenarios are for the caller to judge.
func (r *AuthorizationRun) Wait(t testing.TB) *Run {
	t.Helper()
	<-r.done
	output := r.Output()
	if r.ctx.Err() != nil {
		t.Fatalf("conformance: the suite did not finish within %v; its output:\n%s", r.tmo, output)
	}
	var exitErr *exec.ExitError
	if r.err != nil && (!errors.As(r.err, &exitErr) || exitErr.ExitCode() != 1) {
		t.Fatalf("conformance: authorization: %v\n%s", r.err, output)
	}
	run, err := collect(r.outDir, authorizationResultDir, output)
	if err != nil {
		t.Fatalf("conformance: %v\nsuite output:\n%s", err, output)
	}
	if len(run.Results) == 0 {
		t.Fatalf("conformance: the suite ran no scenarios:\n%s", output)
	}
	if failed := run.failed(); failed != (exitErr != nil) {
		t.Fatalf("conformance: the suite's exit status (error %v) disagrees with its checks.json files "+
			"(failed checks recorded: %v); did it crash, or has its output format changed?\n%s", r.err, failed, output)
	}
	return run
}
