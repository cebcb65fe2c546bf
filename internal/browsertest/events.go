package browsertest

import (
	"context"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// onEvent records what the Page reports without asking the browser:
// status, URL, open dialog. chromedp calls it on the goroutine that reads
// the tab's messages, so it must return at once and never call chromedp.
func (p *Page) onEvent(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *network.EventResponseReceived:
		if ev.Type == network.ResourceTypeDocument && ev.FrameID == p.mainFrame && ev.Response != nil {
			p.status = int(ev.Response.Status)
		}
	case *page.EventFrameNavigated:
		if ev.Frame.ParentID == "" {
			p.url = ev.Frame.URL
		}
	case *page.EventNavigatedWithinDocument:
		if ev.FrameID == p.mainFrame {
			p.url = ev.URL
		}
	case *page.EventJavascriptDialogOpening:
		p.dialog = ev.Message
		if p.acceptDialogs {
			go p.acceptDialog()
		}
	case *page.EventJavascriptDialogClosed:
		p.dialog = ""
	}
}

// AcceptDialogs makes the page accept every JavaScript dialog from now on
// (window.confirm then returns true), as a person confirming "Revoke this
// key?" would. Without it an open dialog blocks the page, and the step
// that opened it fails on its timeout with a hint to call AcceptDialogs.
func (p *Page) AcceptDialogs() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.acceptDialogs = true
	if p.dialog != "" {
		go p.acceptDialog()
	}
}

// acceptDialog accepts the open dialog. It runs on a goroutine of its own
// because the step that opened the dialog (a click) does not return until
// the dialog is closed.
func (p *Page) acceptDialog() {
	ctx, cancel := context.WithTimeout(p.ctx, DefaultTimeout)
	defer cancel()
	_, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
	if err != nil && p.ctx.Err() == nil {
		p.mu.Lock()
		p.dialogErr = err
		p.mu.Unlock()
	}
}

// Status returns the HTTP status of the last document the main frame
// loaded, whatever started the navigation (Navigate, a click, a form, a
// script), or 0 before the first. The status is recorded when the
// response arrives, so after a step that does not wait for the new page
// (Click) wait for something on it first.
func (p *Page) Status() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}
