package dashboard

import (
	"errors"
	"net/http"
	"net/url"
)

// routes registers every page.
func (h *Handler) routes() {
	h.mux.Handle("GET "+Path+"/static/", staticFiles())
	h.mux.HandleFunc("GET "+Path+"/signin", h.serveSignIn)
	h.mux.HandleFunc("POST "+Path+"/signin", h.signIn)
	h.mux.HandleFunc("GET "+Path+"/signin/provider/{i}", h.startLogin)
	h.mux.HandleFunc("GET "+CallbackPath, h.finishLogin)
	h.mux.HandleFunc("GET "+Path+"/{$}", h.redirectHome)
	h.mux.HandleFunc("GET "+Path, h.redirectHome)

	h.page("POST "+Path+"/signout", h.signOut)
	h.page("GET "+Path+"/keys", h.listKeys)
	h.page("GET "+Path+"/keys/new", h.newKey)
	h.page("POST "+Path+"/keys", h.createKey)
	h.page("GET "+Path+"/keys/{id}", h.showKey)
	h.page("POST "+Path+"/keys/{id}/update", h.updateKey)
	h.page("POST "+Path+"/keys/{id}/enable", h.enableKey(true))
	h.page("POST "+Path+"/keys/{id}/disable", h.enableKey(false))
	h.page("POST "+Path+"/keys/{id}/rotate", h.rotateKey)
	h.page("GET "+Path+"/keys/{id}/revoke", h.confirmRevoke)
	h.page("POST "+Path+"/keys/{id}/revoke", h.revokeKey)
	h.page("GET "+Path+"/clients", h.listClients)
	h.page("POST "+Path+"/clients/{id}/revoke-grants", h.revokeClientGrants)
	h.page("GET "+Path+"/clients/{id}/delete", h.confirmDeleteClient)
	h.page("POST "+Path+"/clients/{id}/delete", h.deleteClient)
	h.page("GET "+Path+"/audit", h.listAudit)
	h.mux.HandleFunc(Path+"/", h.notFound)
}

// pageHandler serves one page to a signed-in visitor. An error it returns
// is rendered by fail; it has written nothing then.
type pageHandler func(w http.ResponseWriter, r *http.Request, v visitor) error

// page registers fn at pattern behind the session check, and for a POST
// behind the anti-forgery check too.
func (h *Handler) page(pattern string, fn pageHandler) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		v, err := h.visitorOf(r)
		if out, ok := errors.AsType[*errSignedOut](err); ok {
			h.toSignIn(w, r, out.reason)
			return
		}
		if err != nil {
			h.fail(w, r, visitor{}, err)
			return
		}
		if r.Method == http.MethodPost && !h.formAllowed(r, v.csrf) {
			h.forbidden(w, r, v)
			return
		}
		if !h.allow(w, r, v) {
			return
		}
		if err := fn(w, r, v); err != nil {
			h.fail(w, r, v, err)
		}
	})
}

// toSignIn sends a visitor without a session to the sign-in page, saying
// why, and back to the page asked for after signing in.
func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, reason string) {
	q := url.Values{}
	if reason != "" {
		q.Set("reason", reason)
	}
	if r.Method == http.MethodGet {
		q.Set("next", r.URL.Path)
	}
	target := Path + "/signin"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

func (h *Handler) redirectHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, Path+"/keys", http.StatusSeeOther)
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	l := layout{Title: "Not found", Problem: "There is no such page in the dashboard."}
	h.render(w, r, http.StatusNotFound, "error", l)
}
