package oauth

import (
	"bytes"
	"embed"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/internal/loopback"
	"github.com/skillgate/skillgate/store"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one parsed template set per page, each with the layout.
var pages = func() map[string]*template.Template {
	m := map[string]*template.Template{}
	for _, name := range []string{"signin", "consent", "error"} {
		m[name] = template.Must(template.ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return m
}()

type signInPage struct {
	Client, Request, CSRF, Error string
	// Providers are the identity providers offered besides a key.
	Providers []providerLink
}

type providerLink struct{ Name, URL string }

type consentPage struct {
	Client, Who, RedirectHost, Request, CSRF string
	Loopback                                 bool
	Scopes                                   []scopeLine
}

type scopeLine struct{ Name, Description string }

// scopeDescriptions say in words what each scope lets a client do.
var scopeDescriptions = map[string]string{
	auth.ScopeSkillsRead:    "list and read the skills you can see",
	auth.ScopeSkillsExecute: "run skill scripts, counted against your key's quota",
	auth.ScopeKeysRead:      "see your API keys (never their secrets)",
	auth.ScopeKeysWrite:     "create, change and revoke your API keys",
	auth.ScopeAdmin:         "everything, including other people's keys and the audit log",
}

func (s *Server) renderSignIn(w http.ResponseWriter, p signInPage) {
	for i, u := range s.opts.Upstream {
		p.Providers = append(p.Providers, providerLink{Name: u.LoginName(),
			URL: "/authorize/upstream?" + url.Values{"request": {p.Request}, "provider": {strconv.Itoa(i)}}.Encode()})
	}
	s.render(w, http.StatusOK, "signin", "Sign in", p)
}

func (s *Server) renderConsent(w http.ResponseWriter, client store.OAuthClient, req store.OAuthRequest, csrf string, scopes []string, who string) {
	u, _ := url.Parse(req.RedirectURI)
	p := consentPage{Client: clientName(client), Who: who, Request: req.ID, CSRF: csrf}
	if u != nil {
		p.RedirectHost = u.Host
		if p.RedirectHost == "" {
			p.RedirectHost = u.Scheme + ":"
		}
		p.Loopback = u.Scheme == "http" && loopback.Host(u.Hostname())
	}
	for _, sc := range scopes {
		p.Scopes = append(p.Scopes, scopeLine{Name: sc, Description: scopeDescriptions[sc]})
	}
	s.render(w, http.StatusOK, "consent", "Allow access", p)
}

func (s *Server) errorPage(w http.ResponseWriter, status int, message string) {
	s.render(w, status, "error", "Error", struct{ Message string }{message})
}

// render writes a page with headers that keep it from being framed
// (clickjacking the consent button), cached, sniffed or fetched across
// origins, and a CSP that allows nothing but its own inline style.
func (s *Server) render(w http.ResponseWriter, status int, page, title string, data any) {
	nonce := randomToken("", 16)
	var buf bytes.Buffer
	err := pages[page].ExecuteTemplate(&buf, "layout", struct {
		Title, Nonce string
		Data         any
	}{title, nonce, data})
	if err != nil {
		s.opts.Logger.Error("rendering a page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-"+nonce+"'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// clientName is what the pages call a client: its registered name, or its
// id when it gave none.
func clientName(c store.OAuthClient) string {
	name := displayName(c.Name)
	if isMetadataURL(c.ID) {
		// The name is the client's own claim; the host is what vouches
		// for it.
		u, _ := url.Parse(c.ID)
		if name != "" {
			return name + " (" + u.Host + ")"
		}
		return u.Host
	}
	if name != "" {
		return name
	}
	return "An application (" + c.ID + ")"
}

// maxNameRunes bounds a client name on the pages, so a long one cannot push
// what follows it out of sight.
const maxNameRunes = 64

// displayName is a client-chosen name made safe to show: control, format
// and bidirectional characters (which can reverse the text after them) are
// dropped, and it is cut to maxNameRunes.
func displayName(name string) string {
	var b strings.Builder
	n := 0
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		if n == maxNameRunes {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
