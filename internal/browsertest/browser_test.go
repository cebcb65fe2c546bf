package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
)

// sitePage is the test site's front page: what a dashboard page has that
// the tests drive — a list, a link, a form with every kind of field, and a
// button that asks for confirmation before it navigates.
const sitePage = `<!doctype html>
<html><head><title>Keys</title></head><body>
<h1 id="heading">API keys</h1>
<ul><li class="key">alpha</li><li class="key">beta</li></ul>
<a id="admin" href="/forbidden" data-kind="nav">Admin</a>
<form id="create" method="post" action="/submit">
  <input id="name" name="name" required>
  <select id="scope" name="scope"><option value="read">Read</option><option value="write">Write</option></select>
  <textarea id="note" name="note"></textarea>
  <button id="send" type="submit" name="action" value="create">Create</button>
</form>
<button id="revoke" type="button" onclick="if (confirm('Revoke key alpha?')) location.href = '/revoked'">Revoke</button>
</body></html>`

// newSite starts the test site on 127.0.0.1.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s3cret", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.SetCookie(w, &http.Cookie{Name: "theme", Value: "dark", Path: "/", SameSite: http.SameSiteStrictMode})
		fmt.Fprint(w, sitePage)
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		// Browsers send a textarea's line breaks as CRLF.
		note := strings.ReplaceAll(r.PostForm.Get("note"), "\r\n", "\n")
		got := fmt.Sprintf("name=%s scope=%s note=%s action=%s",
			r.PostForm.Get("name"), r.PostForm.Get("scope"), note, r.PostForm.Get("action"))
		fmt.Fprintf(w, `<!doctype html><title>Created</title><pre id="got">%s</pre>`, html.EscapeString(got))
	})
	mux.HandleFunc("GET /forbidden", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<!doctype html><title>Forbidden</title><h1 id="error">forbidden</h1>`)
	})
	mux.HandleFunc("GET /revoked", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Revoked</title><p id="done">revoked</p>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPage(t *testing.T) {
	b := New(t)
	site := newSite(t)

	t.Run("read", func(t *testing.T) {
		t.Parallel()
		p := b.Page(t)
		p.Navigate(site.URL)
		if got, want := p.Title(), "Keys"; got != want {
			t.Errorf("Title() = %q, want %q", got, want)
		}
		if got, want := p.URL(), site.URL+"/"; got != want {
			t.Errorf("URL() = %q, want %q", got, want)
		}
		if got, want := p.Text("#heading"), "API keys"; got != want {
			t.Errorf("Text(#heading) = %q, want %q", got, want)
		}
		if got, want := p.Texts("li.key"), []string{"alpha", "beta"}; !slices.Equal(got, want) {
			t.Errorf("Texts(li.key) = %q, want %q", got, want)
		}
		if got := p.Texts("li.none"); got == nil || len(got) != 0 {
			t.Errorf("Texts(li.none) = %#v, want an empty slice", got)
		}
		for _, tc := range []struct{ sel, attr, want string }{
			{"#admin", "data-kind", "nav"},
			{"#admin", "href", "/forbidden"},
			{"#admin", "missing", ""},
		} {
			if got := p.Attr(tc.sel, tc.attr); got != tc.want {
				t.Errorf("Attr(%s, %s) = %q, want %q", tc.sel, tc.attr, got, tc.want)
			}
		}
		for _, tc := range []struct {
			sel  string
			want bool
		}{
			{"#create", true},
			{"#admin[data-kind]", true},
			{"#nothing", false},
		} {
			if got := p.Exists(tc.sel); got != tc.want {
				t.Errorf("Exists(%s) = %v, want %v", tc.sel, got, tc.want)
			}
		}
		p.WaitVisible("#revoke")
	})

	t.Run("fill and submit", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name, submit, want string
		}{
			// The submit button's own name and value go with the form,
			// as when a person clicks it.
			{"by button", "#send", "name=ci key scope=write note=line 1\nline 2 action=create"},
			{"by form", "#create", "name=ci key scope=write note=line 1\nline 2 action="},
			{"by field", "#name", "name=ci key scope=write note=line 1\nline 2 action="},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := b.Page(t)
				p.Navigate(site.URL)
				p.SetValue("#name", "ci key")
				p.SetValue("#scope", "write")
				p.SetValue("#note", "line 1\nline 2")
				p.Submit(tc.submit)
				if got := p.Text("#got"); got != tc.want {
					t.Errorf("after submit: %q, want %q", got, tc.want)
				}
				if got, want := p.Status(), http.StatusOK; got != want {
					t.Errorf("Status() = %d, want %d", got, want)
				}
			})
		}
	})

	t.Run("status", func(t *testing.T) {
		t.Parallel()
		p := b.Page(t)
		for _, tc := range []struct {
			path string
			want int
		}{
			{"/", http.StatusOK},
			{"/forbidden", http.StatusForbidden},
			{"/missing", http.StatusNotFound},
			{"/", http.StatusOK}, // the status follows the page, not the worst seen
		} {
			p.Navigate(site.URL + tc.path)
			if got := p.Status(); got != tc.want {
				t.Errorf("Status() after %s = %d, want %d", tc.path, got, tc.want)
			}
		}
		// A navigation the page starts (a link) counts like Navigate.
		p.ClickAndWait("#admin")
		if got, want := p.Status(), http.StatusForbidden; got != want {
			t.Errorf("Status() after following the link = %d, want %d", got, want)
		}
		if got, want := p.Text("#error"), "forbidden"; got != want {
			t.Errorf("Text(#error) = %q, want %q", got, want)
		}
	})

	t.Run("cookies", func(t *testing.T) {
		t.Parallel()
		p := b.Page(t)
		p.Navigate(site.URL)
		got := map[string]*network.Cookie{}
		for _, c := range p.Cookies() {
			got[c.Name] = c
		}
		for _, tc := range []struct {
			name     string
			httpOnly bool
			sameSite network.CookieSameSite
		}{
			{"session", true, network.CookieSameSiteLax},
			{"theme", false, network.CookieSameSiteStrict},
		} {
			c := got[tc.name]
			if c == nil {
				t.Errorf("no cookie %q among %v", tc.name, got)
				continue
			}
			if c.HTTPOnly != tc.httpOnly || c.SameSite != tc.sameSite {
				t.Errorf("cookie %s: HttpOnly=%v SameSite=%q, want HttpOnly=%v SameSite=%q",
					tc.name, c.HTTPOnly, c.SameSite, tc.httpOnly, tc.sameSite)
			}
		}
		// Each page is its own browser context: a new one has no session.
		fresh := b.Page(t)
		fresh.Navigate(site.URL + "/revoked")
		if got := fresh.Cookies(); len(got) != 0 {
			t.Errorf("a new page has cookies %v, want none", got)
		}
	})

	t.Run("confirm dialog", func(t *testing.T) {
		t.Parallel()
		p := b.Page(t)
		p.Navigate(site.URL)
		p.AcceptDialogs()
		p.ClickAndWait("#revoke")
		if got, want := p.Text("#done"), "revoked"; got != want {
			t.Errorf("after confirming: %q, want %q", got, want)
		}
		if got, want := p.URL(), site.URL+"/revoked"; got != want {
			t.Errorf("URL() = %q, want %q", got, want)
		}
	})

	t.Run("eval", func(t *testing.T) {
		t.Parallel()
		p := b.Page(t)
		p.Navigate(site.URL)
		var n int
		p.Eval("1 + 2", &n)
		if n != 3 {
			t.Errorf("Eval(1 + 2) = %d, want 3", n)
		}
		var title string
		p.Eval("Promise.resolve(document.title)", &title)
		if title != "Keys" {
			t.Errorf("Eval(a promise of the title) = %q, want %q", title, "Keys")
		}
		p.Eval("document.title = 'Changed'", nil)
		if got := p.Title(); got != "Changed" {
			t.Errorf("Title() after Eval = %q, want %q", got, "Changed")
		}
	})

	t.Run("screenshot", func(t *testing.T) {
		t.Parallel()
		p := b.Page(t)
		p.Navigate(site.URL)
		path := p.Screenshot("front page")
		if dir, want := filepath.Dir(path), ArtifactDir(t); dir != want {
			t.Errorf("screenshot saved in %s, want %s", dir, want)
		}
		if got, want := filepath.Base(path), "front_page.png"; got != want {
			t.Errorf("screenshot named %s, want %s", got, want)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if magic := []byte("\x89PNG\r\n\x1a\n"); len(data) <= len(magic) || !bytes.HasPrefix(data, magic) {
			t.Errorf("screenshot is %d bytes starting %q, want a PNG", len(data), data[:min(len(data), 8)])
		}
	})
}

// fatalTB records the message of the first Fatal instead of ending the
// test, so that the failures themselves can be tested. Fatal panics with
// fatalled to stop the step, as Goexit would; catchFatal recovers it.
type fatalTB struct {
	testing.TB
	msg string
}

type fatalled struct{}

func (f *fatalTB) Fatal(args ...any) {
	f.msg = fmt.Sprint(args...)
	panic(fatalled{})
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(fatalled{})
}

// catchFatal runs step and returns the message it failed with, or fails
// the test if it did not.
func catchFatal(t *testing.T, f *fatalTB, step func()) string {
	t.Helper()
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(fatalled); !ok {
					panic(r)
				}
			}
		}()
		step()
	}()
	if f.msg == "" {
		t.Fatal("the step did not fail the test")
	}
	return f.msg
}

func TestPageFailures(t *testing.T) {
	b := New(t)
	site := newSite(t)
	for _, tc := range []struct {
		name string
		step func(p *Page)
		want []string
		// shot is whether a failure screenshot is expected: not for a
		// refusal that never reaches the browser.
		shot bool
		// timeout, when set, is the step timeout the case waits out; the
		// others keep the default so that a loaded machine cannot turn
		// their failure into a time-out.
		timeout time.Duration
	}{
		{
			name:    "missing element times out",
			step:    func(p *Page) { p.Click("#nothing") },
			want:    []string{"click #nothing on " + site.URL + "/", "step timeout 1s"},
			shot:    true,
			timeout: time.Second,
		},
		{
			// The click does not return while the dialog is open.
			name:    "unconfirmed dialog",
			step:    func(p *Page) { p.Click("#revoke") },
			want:    []string{`a JavaScript dialog is open ("Revoke key alpha?")`, "AcceptDialogs"},
			timeout: time.Second,
		},
		{
			name: "invalid form",
			step: func(p *Page) { p.Submit("#send") }, // #name is required and empty
			want: []string{"submit #send on " + site.URL + "/", "the form is invalid: name:"},
			shot: true,
		},
		{
			name: "select without the option",
			step: func(p *Page) { p.SetValue("#scope", "admin") },
			want: []string{`set #scope to "admin"`, "did not take"},
			shot: true,
		},
		{
			name: "non-loopback URL",
			step: func(p *Page) { p.Navigate("http://example.com/") },
			want: []string{"not a loopback"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fatalTB{TB: t}
			p := b.Page(f)
			p.Navigate(site.URL)
			p.Timeout = tc.timeout
			start := time.Now()
			msg := catchFatal(t, f, func() { tc.step(p) })
			t.Logf("failed after %v with:\n%s", time.Since(start).Round(time.Millisecond), msg)
			for _, want := range tc.want {
				if !strings.Contains(msg, want) {
					t.Errorf("failure message lacks %q:\n%s", want, msg)
				}
			}
			if !tc.shot {
				return
			}
			_, path, ok := strings.Cut(msg, "\nscreenshot: ")
			if !ok {
				t.Fatalf("failure message names no screenshot:\n%s", msg)
			}
			if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
				t.Errorf("failure screenshot %s: %v (size %d)", path, err, sizeOf(fi))
			}
			if !strings.HasPrefix(filepath.Base(path), "failure-") {
				t.Errorf("failure screenshot named %s, want failure-<n>.png", filepath.Base(path))
			}
		})
	}
}

func sizeOf(fi os.FileInfo) int64 {
	if fi == nil {
		return 0
	}
	return fi.Size()
}

func TestNewWithoutChromium(t *testing.T) {
	t.Setenv(EnvChromium, filepath.Join(t.TempDir(), "no-such-chromium"))
	f := &fatalTB{TB: t}
	msg := catchFatal(t, f, func() { New(f) })
	// CI relies on the test failing, not skipping, and on the message
	// saying what to install.
	for _, want := range []string{"no-such-chromium", "apt-get install chromium", EnvChromium} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
}

func TestArtifactDir(t *testing.T) {
	root := t.TempDir()
	t.Setenv(EnvArtifacts, root)
	for _, tc := range []struct{ name, want string }{
		{"plain", "TestArtifactDir_plain"},
		{"with space/and slash", "TestArtifactDir_with_space_and_slash"},
		{"dots ../..", "TestArtifactDir_dots_.._.."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := ArtifactDir(t)
			if want := filepath.Join(root, tc.want); dir != want {
				t.Errorf("ArtifactDir() = %s, want %s", dir, want)
			}
			if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
				t.Errorf("ArtifactDir() did not create %s: %v", dir, err)
			}
		})
	}
}

func TestSanitize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"front page", "front_page"},
		{"failure-1.png", "failure-1.png"},
		{"../../etc/passwd", ".._.._etc_passwd"},
		{"..", "__"},
		{".", "_"},
		{"", "_"},
		{"clé", "cl_"},
	} {
		if got := sanitize(tc.in); got != tc.want {
			t.Errorf("sanitize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
