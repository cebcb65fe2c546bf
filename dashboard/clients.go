package dashboard

import (
	"net/http"
	"net/url"

	"github.com/skillgate/skillgate/oauth"
)

type clientsPage struct {
	Clients []oauth.ClientView
}

// listClients shows the registered OAuth clients, to administrators (the
// OAuth server refuses anyone else).
func (h *Handler) listClients(w http.ResponseWriter, r *http.Request, v visitor) error {
	if h.opts.Clients == nil {
		h.notFound(w, r)
		return nil
	}
	clients, err := h.opts.Clients.ListClients(r.Context(), v.actor)
	if err != nil {
		return err
	}
	l := h.frame(v, "OAuth clients", clientsPage{Clients: clients})
	l.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, http.StatusOK, "clients", l)
	return nil
}

// revokeClientGrants ends every grant of a client: its access and refresh
// tokens stop working, and its users must authorize it again.
func (h *Handler) revokeClientGrants(w http.ResponseWriter, r *http.Request, v visitor) error {
	if h.opts.Clients == nil {
		h.notFound(w, r)
		return nil
	}
	if _, err := h.opts.Clients.RevokeClientGrants(r.Context(), v.actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, Path+"/clients?done=grants", http.StatusSeeOther)
	return nil
}

// confirmDeleteClient asks before deleting a client.
func (h *Handler) confirmDeleteClient(w http.ResponseWriter, r *http.Request, v visitor) error {
	if h.opts.Clients == nil || !v.admin() {
		h.notFound(w, r)
		return nil
	}
	id := r.PathValue("id")
	h.render(w, r, http.StatusOK, "confirm", h.frame(v, "Delete client", confirmPage{
		Question: "Delete the OAuth client " + id + "?",
		Detail:   "Its grants are revoked and its tokens refused. A client that registered itself can register again.",
		Action:   Path + "/clients/" + url.PathEscape(id) + "/delete", Button: "Delete client",
		Cancel: Path + "/clients",
	}))
	return nil
}

// deleteClient deletes a client registered at runtime.
func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, v visitor) error {
	if h.opts.Clients == nil {
		h.notFound(w, r)
		return nil
	}
	if err := h.opts.Clients.DeleteClient(r.Context(), v.actor, r.PathValue("id")); err != nil {
		return err
	}
	http.Redirect(w, r, Path+"/clients?done=deleted", http.StatusSeeOther)
	return nil
}
