package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/skillgate/skillgate/internal/loopback"
)

// Page is one browser tab, owned by the test that opened it with
// Browser.Page; its methods must be called from that test's goroutine.
// Each method fails the test (with the current URL and a screenshot
// saved under ArtifactDir) rather than return an error, and none waits
// longer than Timeout.
//
// Selectors are CSS selectors. A method that acts on one element uses the
// first match and waits, up to Timeout, for one to exist.
type Page struct {
	// Timeout bounds each step; zero means DefaultTimeout.
	Timeout time.Duration

	t       testing.TB
	browser *Browser
	// ctx is chromedp's context for the tab (see Browser.ctx).
	ctx context.Context

	// mu guards what onEvent records from chromedp's goroutine.
	mu            sync.Mutex
	mainFrame     cdp.FrameID
	url           string // the main frame's URL, as last navigated
	status        int    // the main frame's last document response
	dialog        string // message of the open JavaScript dialog, if any
	acceptDialogs bool
	dialogErr     error // the last failure to accept a dialog
}

// Page opens a new tab, closed in t's cleanup. Each tab has its own
// browser context (cookie jar, storage, cache), so two pages of one
// browser act as two users that do not share a session.
func (b *Browser) Page(t testing.TB) *Page {
	t.Helper()
	p := &Page{t: t, browser: b}
	base, stop := context.WithCancel(b.ctx)
	ctx, closeTab := chromedp.NewContext(base,
		chromedp.WithNewBrowserContext(),
		chromedp.WithListener(p.onEvent))
	p.ctx = ctx
	t.Cleanup(func() {
		closeTab()
		stop()
	})
	// The first Run opens the tab and ties it to the context it is given,
	// so, as in New, it gets ctx itself and within bounds it.
	if err := within(DefaultTimeout, stop, func() error { return chromedp.Do(ctx) }); err != nil {
		t.Fatalf("browsertest: opening a tab: %v", err)
	}
	// A page target's main frame has the target's id, across navigations.
	p.mu.Lock()
	p.mainFrame = cdp.FrameID(chromedp.FromContext(ctx).Target.TargetID)
	p.mu.Unlock()
	return p
}

// Navigate loads rawURL and waits for it to load. Only loopback URLs (and
// about:blank) are allowed: the browser runs without its sandbox.
func (p *Page) Navigate(rawURL string) {
	p.t.Helper()
	if err := checkLoopback(rawURL); err != nil {
		p.t.Fatalf("browsertest: navigate: %v", err)
	}
	p.do("navigate to "+rawURL, chromedp.Navigate(rawURL))
}

// checkLoopback allows http and https URLs whose host is this machine,
// and about:blank.
func checkLoopback(rawURL string) error {
	if rawURL == "about:blank" {
		return nil
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return err
	}
	if (u.Scheme != "http" && u.Scheme != "https") || !loopback.Host(u.Hostname()) {
		return fmt.Errorf("%q is not a loopback http(s) URL; tests only visit servers of their own", rawURL)
	}
	return nil
}

// Click clicks the element once it is visible. It does not wait for a
// navigation the click starts; use ClickAndWait for that.
func (p *Page) Click(selector string) {
	p.t.Helper()
	p.do("click "+selector, chromedp.Click(chromedp.CSS(selector)))
}

// ClickAndWait clicks the element and waits for the page the click leads
// to (a link, a button that submits or navigates) to load.
func (p *Page) ClickAndWait(selector string) {
	p.t.Helper()
	p.doNavigation("click "+selector+" and wait for the next page", chromedp.Click(chromedp.CSS(selector)))
}

// SetValue sets the value of an input, textarea or select and fires the
// input and change events a person typing or choosing would. Setting a
// select to a value none of its options has fails the test.
func (p *Page) SetValue(selector, value string) {
	p.t.Helper()
	p.do(fmt.Sprintf("set %s to %q", selector, value),
		chromedp.WaitReady(chromedp.CSS(selector)),
		jsCheck(fmt.Sprintf(setValueJS, jsString(selector), jsString(value))))
}

// setValueJS returns "" or what went wrong. Its arguments are the
// selector and the value as JavaScript string literals.
const setValueJS = `((sel, value) => {
	const el = document.querySelector(sel);
	if (!el) return "no element matches";
	if (!("value" in el)) return "<" + el.localName + "> has no value";
	el.value = value;
	if (el.value !== value) return "the value did not take (a select without that option?)";
	el.dispatchEvent(new Event("input", {bubbles: true}));
	el.dispatchEvent(new Event("change", {bubbles: true}));
	return "";
})(%s, %s)`

// Submit submits the form the element is (or belongs to) as its submit
// button would, with validation and submit handlers, and waits for the
// resulting page to load. A submit button submits with its own name and
// value. A form that fails validation fails the test at once; one whose
// handler cancels the navigation fails it on the timeout.
func (p *Page) Submit(selector string) {
	p.t.Helper()
	p.doNavigation("submit "+selector,
		chromedp.WaitReady(chromedp.CSS(selector)),
		jsCheck(fmt.Sprintf(submitJS, jsString(selector))))
}

// submitJS returns "" or what went wrong. Its argument is the selector
// as a JavaScript string literal.
const submitJS = `((sel) => {
	const el = document.querySelector(sel);
	if (!el) return "no element matches";
	const form = el instanceof HTMLFormElement ? el : el.form;
	if (!form) return "<" + el.localName + "> is not in a form";
	const invalid = Array.from(form.elements).filter(e => e.willValidate && !e.checkValidity());
	if (invalid.length > 0) {
		return "the form is invalid: " + invalid.map(e => (e.name || e.id || e.localName) + ": " + e.validationMessage).join("; ");
	}
	const submitter = el !== form && el.type === "submit" ? el : undefined;
	form.requestSubmit(submitter);
	return "";
})(%s)`

// Text returns the element's visible text (innerText; "" for a hidden
// element).
func (p *Page) Text(selector string) string {
	p.t.Helper()
	return run(p, "read the text of "+selector, chromedp.Text(chromedp.CSS(selector)))
}

// Texts returns the innerText of every element that matches, in document
// order, without waiting for one: none is an empty slice. Unlike Text it
// does not blank hidden elements (their innerText is their text content).
func (p *Page) Texts(selector string) []string {
	p.t.Helper()
	return run(p, "read the texts of "+selector, chromedp.Evaluate[[]string](
		fmt.Sprintf("Array.from(document.querySelectorAll(%s), e => e.innerText)", jsString(selector))))
}

// Attr returns the element's attribute name, "" when it has none (use
// Exists with an attribute selector to tell an empty one from a missing
// one).
func (p *Page) Attr(selector, name string) string {
	p.t.Helper()
	res := run(p, fmt.Sprintf("read attribute %s of %s", name, selector),
		chromedp.AttributeValue(chromedp.CSS(selector), name))
	return res.Value
}

// Exists reports whether an element matches now, without waiting for one.
func (p *Page) Exists(selector string) bool {
	p.t.Helper()
	return run(p, "look for "+selector, chromedp.Evaluate[bool](
		fmt.Sprintf("document.querySelector(%s) !== null", jsString(selector))))
}

// WaitVisible waits until the element exists and is visible.
func (p *Page) WaitVisible(selector string) {
	p.t.Helper()
	p.do("wait for "+selector+" to be visible", chromedp.WaitVisible(chromedp.CSS(selector)))
}

// URL returns the page's current URL.
func (p *Page) URL() string {
	p.t.Helper()
	return run(p, "read the URL", chromedp.Location())
}

// Title returns the document's title.
func (p *Page) Title() string {
	p.t.Helper()
	return run(p, "read the title", chromedp.Title())
}

// Cookies returns the cookies the browser would send to the current URL,
// with their attributes (HTTPOnly, SameSite, Secure, Expires), which
// document.cookie cannot show.
func (p *Page) Cookies() []*network.Cookie {
	p.t.Helper()
	current := p.URL()
	return run(p, "read the cookies", func(ctx context.Context, t *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, t, network.GetCookies, network.GetCookiesParams{URLs: []string{current}})
		return res.Cookies, err
	})
}

// Eval evaluates the JavaScript expression, awaiting it if it is a
// promise, and decodes its JSON value into out (nil to ignore it).
func (p *Page) Eval(js string, out any) {
	p.t.Helper()
	raw := run(p, "evaluate "+js, chromedp.Evaluate[[]byte](js, chromedp.EvalAwaitPromise))
	if out == nil {
		return
	}
	if len(raw) == 0 { // undefined
		raw = []byte("null")
	}
	if err := json.Unmarshal(raw, out); err != nil {
		p.t.Fatalf("browsertest: evaluate %s on %s: decode %s into %T: %v", js, p.lastURL(), raw, out, err)
	}
}

// Screenshot saves a PNG of the whole page (not only the window) as
// name.png under ArtifactDir, name sanitized into a file name as the
// directory's is, and returns its path.
func (p *Page) Screenshot(name string) string {
	p.t.Helper()
	png := run(p, "take screenshot "+name, chromedp.FullScreenshot(100))
	path, err := saveArtifact(p.t, name+".png", png)
	if err != nil {
		p.t.Fatalf("browsertest: %v", err)
	}
	return path
}
