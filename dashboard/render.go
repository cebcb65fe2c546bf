package dashboard

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageNames are the pages, each a template file rendered in the layout.
var pageNames = []string{"signin", "keys", "key", "key_new", "secret", "confirm", "clients", "audit", "error"}

// parsePages parses each page with the layout. The templates are embedded,
// so a failure is a bug of the build, reported by New.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"when":  when,
		"date":  func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"join":  strings.Join,
		"unset": func(s []string) bool { return s == nil },
		// path escapes an id for a URL path: ids of configured OAuth
		// clients are free-form and may hold "/" or "?".
		"path":     url.PathEscape,
		"percent":  percent,
		"deref":    func(t *time.Time) time.Time { return derefTime(t) },
		"datetime": func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") },
	}
	pages := map[string]*template.Template{}
	for _, name := range pageNames {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("dashboard: parse page %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// staticFiles are the stylesheet and script, served from /dashboard/static/.
func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the directory is embedded: unreachable
	}
	return http.StripPrefix(Path+"/static/", http.FileServerFS(sub))
}

// layout is what every page's frame shows.
type layout struct {
	Title string
	// Who names the signed-in credential; empty on the sign-in page.
	Who     string
	Admin   bool
	CSRF    string
	Clients bool
	Audit   bool
	// Notice is a message of success, Problem one of failure.
	Notice, Problem string
	Data            any
}

// render writes page with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, l layout) {
	var buf bytes.Buffer
	if err := h.pages[page].ExecuteTemplate(&buf, "layout", l); err != nil {
		h.opts.Logger.ErrorContext(r.Context(), "rendering a dashboard page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// frame returns the layout of a signed-in visitor's page.
func (h *Handler) frame(v visitor, title string, data any) layout {
	p := v.actor.Principal
	who := p.Subject
	if p.Source == auth.SourceOIDC && p.User != "" {
		who = p.User // a provider's subject is often an opaque id
	}
	if p.Source == auth.SourceManagedKey {
		who += " (" + p.CredentialID + ")"
	}
	return layout{
		Title: title, Who: who, Admin: v.admin(), CSRF: v.csrf,
		Clients: h.opts.Clients != nil && v.admin(), Audit: h.opts.Audit != nil && v.admin(), Data: data,
	}
}

// fail renders the page for an error a service returned: its own message
// for a refusal the visitor can act on, a generic one for the rest (which
// is logged).
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, v visitor, err error) {
	status, message := statusOf(err), "Something went wrong on the server. Try again; if it persists, tell the operator the time."
	if e, ok := errors.AsType[*apikey.Error](err); ok {
		message = e.Message
	} else if errors.Is(err, store.ErrUnavailable) {
		status, message = http.StatusServiceUnavailable, "The database is unavailable. Try again in a few seconds."
		w.Header().Set("Retry-After", "5")
	}
	if status >= http.StatusInternalServerError {
		h.opts.Logger.ErrorContext(r.Context(), "dashboard request failed", "path", r.URL.Path, "err", err)
	}
	l := h.frame(v, http.StatusText(status), nil)
	l.Problem = message
	h.render(w, r, status, "error", l)
}

// when formats a time for the tables; zero is "never".
func when(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// percent is used/limit as a whole percentage for a usage bar, capped at
// 100; 0 when there is no limit.
func percent(used, limit int64) int {
	if limit <= 0 || used <= 0 {
		return 0
	}
	if used >= limit {
		return 100
	}
	return int(used * 100 / limit)
}

// notices are the messages a redirect after a change can show, by code:
// a link cannot make the page say anything else.
var notices = map[string]string{
	"updated":  "The key was updated.",
	"enabled":  "The key was enabled.",
	"disabled": "The key was disabled: it is refused until enabled again.",
	"revoked":  "The key was revoked, with every key it minted. They are refused from now on.",
	"grants":   "The client's grants were revoked: its tokens are refused from now on.",
	"deleted":  "The client was deleted, and its grants revoked.",
}

// statusOf is the status of a refusal's page.
func statusOf(err error) int {
	e, ok := errors.AsType[*apikey.Error](err)
	if !ok {
		return http.StatusInternalServerError
	}
	switch e.Kind {
	case apikey.KindForbidden:
		return http.StatusForbidden
	case apikey.KindNotFound:
		return http.StatusNotFound
	case apikey.KindConflict:
		return http.StatusConflict
	}
	return http.StatusBadRequest
}
