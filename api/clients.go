package api

import (
	"net/http"
	"unicode"
	"unicode/utf8"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/oauth"
)

// ClientList is the body of GET /v1/oauth-clients.
type ClientList struct {
	Clients []oauth.ClientView `json:"clients"`
}

// GrantsRevoked is the body of POST /v1/oauth-clients/{id}/revoke-grants.
type GrantsRevoked struct {
	ClientID string `json:"client_id"`
	// RevokedGrants is how many live grants this call revoked; 0 when
	// the client had none.
	RevokedGrants int `json:"revoked_grants"`
}

// ClientDeleted is the body of DELETE /v1/oauth-clients/{id}: a JSON
// answer with 200, as DELETE /v1/api-keys/{id} gives, rather than a bare
// 204.
type ClientDeleted struct {
	ClientID string `json:"client_id"`
	Deleted  bool   `json:"deleted"`
}

// listClients serves GET /v1/oauth-clients, for administrators only.
func (h *Handler) listClients(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	if h.clients == nil {
		return errOAuthDisabled
	}
	views, err := h.clients.ListClients(r.Context(), a)
	if err != nil {
		return err
	}
	if views == nil {
		views = []oauth.ClientView{}
	}
	return writeJSON(w, http.StatusOK, ClientList{Clients: views})
}

// revokeClientGrants serves POST /v1/oauth-clients/{id}/revoke-grants:
// every token the client holds stops working; the client stays
// registered.
func (h *Handler) revokeClientGrants(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	id, err := h.clientID(w, r)
	if err != nil {
		return err
	}
	n, err := h.clients.RevokeClientGrants(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, GrantsRevoked{ClientID: id, RevokedGrants: n})
}

// deleteClient serves DELETE /v1/oauth-clients/{id}.
func (h *Handler) deleteClient(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	id, err := h.clientID(w, r)
	if err != nil {
		return err
	}
	if err := h.clients.DeleteClient(r.Context(), a, id); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ClientDeleted{ClientID: id, Deleted: true})
}

// clientID checks that OAuth is enabled and the request has no body, and
// returns the {id} of the path. Something that cannot be a client id is
// refused without a look-up; no message repeats it, since a client secret
// pasted where the id goes has the same shape as an id.
func (h *Handler) clientID(w http.ResponseWriter, r *http.Request) (string, error) {
	if h.clients == nil {
		return "", errOAuthDisabled
	}
	id := r.PathValue("id")
	if !isClientID(id) {
		return "", apierror.New(http.StatusNotFound, apierror.CodeNotFound, "OAuth client not found", clientsHint)
	}
	if err := emptyBody(w, r); err != nil {
		return "", err
	}
	return id, nil
}

// isClientID reports whether s could be a client id: not empty, bounded,
// printable UTF-8.
func isClientID(s string) bool {
	if s == "" || len(s) > maxClientIDBytes || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return false
		}
	}
	return true
}

// clientsHint points to the listing, where client ids are found.
const clientsHint = "List the OAuth clients with GET /v1/oauth-clients."

// errOAuthDisabled answers the client routes of a server without an
// authorization server.
var errOAuthDisabled = apierror.New(http.StatusNotFound, apierror.CodeNotFound, "OAuth is not enabled on this server",
	"Enable skillgate's authorization server (auth.oauth.enabled in platform.yaml) to manage OAuth clients.")
