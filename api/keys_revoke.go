package api

import (
	"net/http"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/config"
)

// revokeKey serves DELETE /v1/api-keys/{id} and POST
// /v1/api-keys/{id}/revoke. Revoking a revoked key succeeds again.
func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	id, err := keyID(r)
	if err != nil {
		return err
	}
	if err := emptyBody(w, r); err != nil {
		return err
	}
	rev, err := h.keys.Revoke(r.Context(), a, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rev)
}

// revokeSecretRequest is the body of POST /v1/api-keys/revoke. Key is a
// plain secret: it is never logged nor repeated in an error.
type revokeSecretRequest struct {
	Key string `json:"key"`
}

// revokeSecret serves POST /v1/api-keys/revoke: revocation by the secret
// itself, for a leaked key whose id the finder does not know.
func (h *Handler) revokeSecret(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req revokeSecretRequest
	if body != nil {
		if err := decodeObject(body, &req); err != nil {
			return err
		}
	}
	if req.Key == "" {
		return badRequest(`Field "key" is required`, `Send {"key": "<the plain API key>"}; to revoke by id, POST /v1/api-keys/{id}/revoke.`)
	}
	rev, err := h.keys.RevokeSecret(r.Context(), a, req.Key)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rev)
}

// rotateRequest is the optional body of POST /v1/api-keys/{id}/rotate.
type rotateRequest struct {
	// GracePeriod is how long the old secret keeps working, such as "7d"
	// or "0s"; nil means the configured default.
	GracePeriod *string `json:"grace_period"`
}

// rotateKey serves POST /v1/api-keys/{id}/rotate.
func (h *Handler) rotateKey(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	id, err := keyID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	var req rotateRequest
	if body != nil {
		if err := decodeObject(body, &req); err != nil {
			return err
		}
	}
	var grace *time.Duration
	if req.GracePeriod != nil {
		d, err := config.ParseDuration(*req.GracePeriod)
		if err != nil {
			return badRequest(`Field "grace_period" must be a duration`, `For example "7d", "12h", or "0s" to retire the old secret at once.`)
		}
		grace = &d
	}
	c, err := h.keys.Rotate(r.Context(), a, id, grace)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

// emptyBody refuses a body on an endpoint that takes none, other than an
// empty object.
func emptyBody(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil || body == nil {
		return err
	}
	return decodeObject(body, &struct{}{})
}
