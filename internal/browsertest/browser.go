package browsertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The time limits, in one place. Each one exists so that a browser that
// stops answering fails the test with a message instead of hanging it
// until go test's own -timeout kills the whole binary without one.
const (
	// DefaultTimeout bounds one Page step (a navigation, a click, a
	// query) when Page.Timeout is zero.
	DefaultTimeout = 20 * time.Second

	// startTimeout bounds starting Chromium. It is longer than a step:
	// a cold start on a CI machine that runs every package's test binary
	// at once under -race takes several seconds.
	startTimeout = 60 * time.Second

	// closeTimeout bounds the graceful shutdown in the test's cleanup;
	// after it the browser process is killed.
	closeTimeout = 10 * time.Second

	// failureShotTimeout bounds the screenshot taken after a failed
	// step: the browser may be the thing that is stuck.
	failureShotTimeout = 5 * time.Second

	// maxOutput caps how much of Chromium's own output is kept for the
	// message of a failed start.
	maxOutput = 64 << 10
)

// EnvChromium names the environment variable that, when set, names the
// Chromium (or Chrome) binary to run, as a path or a name on $PATH.
const EnvChromium = "SKILLGATE_TEST_CHROMIUM"

// Browser is one headless Chromium process, owned by the test that
// started it with New. Its Page method is safe for concurrent use, so
// parallel subtests can share one browser, each in its own tab.
type Browser struct {
	// ctx is chromedp's context for the browser. It is kept in the struct,
	// against the usual rule, because chromedp identifies a browser and
	// its tabs by their context; its lifetime is the test's, ended by the
	// cleanup New registers.
	ctx context.Context

	// failures numbers the failure screenshots, so that several failing
	// pages of one browser do not overwrite each other's.
	failures atomic.Int64
}

// New starts a headless Chromium for the test and stops it in the test's
// cleanup. The binary is $SKILLGATE_TEST_CHROMIUM if set, else the first
// of /usr/bin/chromium and chromium, chromium-browser or google-chrome on
// $PATH. Without one the test fails rather than skips: the dashboard's
// end-to-end tests are part of the suite, and CI installs Chromium.
func New(t testing.TB) *Browser {
	t.Helper()
	execPath, err := findChromium()
	if err != nil {
		t.Fatalf("browsertest: %v; install Chromium (Debian/Ubuntu: apt-get install chromium) "+
			"or set $%s to a Chromium or Chrome binary", err, EnvChromium)
	}
	output := &lockedBuffer{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		// The tests run as root in CI, where Chromium refuses to start
		// with its sandbox; they only visit loopback servers of their own
		// (Page.Navigate enforces it).
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		// No traffic a test did not ask for: no update checks, no sync,
		// no component downloads.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		// /dev/shm is 64 MB in a default container, too small for Chromium.
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
	}
	base, stop := context.WithCancel(context.Background())
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		closeCtx, cancel := context.WithTimeout(ctx, closeTimeout)
		defer cancel()
		if err := chromedp.Cancel(closeCtx); err != nil && !errors.Is(err, context.Canceled) {
			t.Logf("browsertest: closing Chromium: %v", err)
		}
		cancelBrowser()
		cancelAlloc()
		stop()
	})

	// The first Run starts the process and ties its life to the context
	// it is given, so it gets ctx itself, with no deadline, and within
	// bounds it from outside.
	start := time.Now()
	if err := within(startTimeout, stop, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("browsertest: starting %s: %v\nChromium's output:\n%s", execPath, err, output.String())
	}
	t.Logf("browsertest: started %s in %v", execPath, time.Since(start).Round(time.Millisecond))
	return &Browser{ctx: ctx}
}

// findChromium returns the binary New runs.
func findChromium() (string, error) {
	if name := os.Getenv(EnvChromium); name != "" {
		path, err := exec.LookPath(name)
		if err != nil {
			return "", fmt.Errorf("$%s=%q: %w", EnvChromium, name, err)
		}
		return path, nil
	}
	// Debian's package first (what CI installs), then the names other
	// distributions and Google's package use.
	candidates := []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"}
	for _, name := range candidates {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (looked for %q)", candidates)
}

// within runs f and waits at most d for it. f is a chromedp call that
// must not have a deadline of its own (the context of a first Run becomes
// the lifetime of what it starts), so on time-out within calls stop,
// which cancels f's context, and reports the time-out without waiting
// further.
func within(d time.Duration, stop func(), f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		stop()
		return fmt.Errorf("no answer within %v", d)
	}
}

// lockedBuffer collects the first maxOutput bytes of Chromium's output,
// which chromedp copies from another goroutine, for the message of a
// failed start.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write keeps what fits under maxOutput and drops the rest, reporting it
// all written: Chromium must never block on its output.
func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p[:min(len(p), max(0, maxOutput-b.buf.Len()))])
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
