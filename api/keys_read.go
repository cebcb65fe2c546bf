package api

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/internal/apierror"
	"github.com/skillgate/skillgate/store"
)

// listKeys serves GET /v1/api-keys.
func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	q, err := parseQuery(r, "user", "org", "parent_id", "state", "cursor", "limit")
	if err != nil {
		return err
	}
	limit, err := intParam(q, "limit")
	if err != nil {
		return err
	}
	if _, ok := q["limit"]; ok && limit == 0 {
		// 0 would mean "the default" to the manager; a client sending it
		// means something else.
		return badRequest(fmt.Sprintf("Query parameter limit must be between 1 and %d", apikey.MaxPageSize),
			fmt.Sprintf("Leave it out for pages of %d.", apikey.DefaultPageSize))
	}
	page, err := h.keys.List(r.Context(), a, apikey.ListParams{
		User: q.Get("user"), Org: q.Get("org"), ParentID: q.Get("parent_id"),
		State: store.KeyState(q.Get("state")), Cursor: q.Get("cursor"), Limit: limit,
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, page)
}

// getKey serves GET /v1/api-keys/{id}.
func (h *Handler) getKey(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	id, err := keyID(r)
	if err != nil {
		return err
	}
	v, err := h.keys.Get(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// keyID returns the {id} of the path. Something that is not shaped like a
// key id is refused without a look-up and without repeating it: a client
// that pastes a secret where the id goes must not see it echoed.
func keyID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !isKeyID(id) {
		return "", apierror.New(http.StatusNotFound, apierror.CodeNotFound, "API key not found",
			"Key ids look like key_...; list your keys with GET /v1/api-keys.")
	}
	return id, nil
}

// isKeyID reports whether s has the shape of a key id, short enough and
// plain enough to repeat in a message.
func isKeyID(s string) bool {
	return strings.HasPrefix(s, "key_") && quoteName(s) != "(unnamed)"
}
