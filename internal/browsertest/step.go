package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// timeout returns the bound of one step.
func (p *Page) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// do runs the steps within the page's timeout, failing the test on error.
func (p *Page) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	run(p, what, chromedp.Steps(steps...))
}

// doNavigation is do for steps that start a navigation: it also waits for
// the new page to load.
func (p *Page) doNavigation(what string, steps ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout())
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, steps...); err != nil {
		p.fail(what, err)
	}
}

// run runs the action within the page's timeout and returns its value,
// failing the test on error.
func run[T any](p *Page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout())
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.fail(what, err)
	}
	return v
}

// jsCheck is an action that evaluates an expression returning "" on
// success or the reason it failed.
func jsCheck(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		msg, err := chromedp.Evaluate[string](expr)(ctx, t)
		if err != nil {
			return err
		}
		if msg != "" {
			return errors.New(msg)
		}
		return nil
	})
}

// jsString quotes s as a JavaScript string literal (JSON's are valid).
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// fail ends the test after a failed step, with what a person debugging it
// needs: the step, the URL, the error, why it may have hung, and a
// screenshot of the page as it was.
func (p *Page) fail(what string, err error) {
	p.t.Helper()
	msg := fmt.Sprintf("browsertest: %s on %s: %v", what, p.lastURL(), err)
	if errors.Is(err, context.DeadlineExceeded) {
		msg += fmt.Sprintf(" (step timeout %v)", p.timeout())
	}
	p.mu.Lock()
	dialog, accepting, dialogErr := p.dialog, p.acceptDialogs, p.dialogErr
	p.mu.Unlock()
	switch {
	case dialog != "" && !accepting:
		msg += fmt.Sprintf("\na JavaScript dialog is open (%q) and blocks the page: call AcceptDialogs before the step that opens it", dialog)
	case dialogErr != nil:
		msg += fmt.Sprintf("\naccepting a JavaScript dialog failed: %v", dialogErr)
	}
	if path, err := p.failureScreenshot(dialog != ""); err != nil {
		msg += fmt.Sprintf("\nno screenshot: %v", err)
	} else {
		msg += "\nscreenshot: " + path
	}
	p.t.Fatal(msg)
}

// failureScreenshot saves the page as failure-<n>.png, within its own
// short timeout since the browser may be what failed. An open dialog
// blocks the page's rendering, so with one there is no screenshot to take.
func (p *Page) failureScreenshot(dialogOpen bool) (string, error) {
	if dialogOpen {
		return "", errors.New("a JavaScript dialog blocks the page")
	}
	ctx, cancel := context.WithTimeout(p.ctx, failureShotTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", err
	}
	return saveArtifact(p.t, fmt.Sprintf("failure-%d.png", p.browser.failures.Add(1)), png)
}

// lastURL is the URL for failure messages: the one recorded from the last
// navigation, since asking a browser that just failed may hang too.
func (p *Page) lastURL() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.url == "" {
		return "about:blank"
	}
	return p.url
}
