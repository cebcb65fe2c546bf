package api

import (
	"net/http"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/config"
)

// createRequest is the body of POST /v1/api-keys. Lists left out or null
// take their defaults (scopes: what the roles allow; allowed_skill_ids:
// every skill), while an empty list means none: encoding/json keeps that
// distinction, decoding null to nil and [] to an empty slice.
type createRequest struct {
	Name                  string            `json:"name"`
	Description           string            `json:"description"`
	User                  string            `json:"user"`
	Org                   string            `json:"org"`
	Teams                 []string          `json:"teams"`
	Roles                 []string          `json:"roles"`
	Scopes                []string          `json:"scopes"`
	Claims                map[string]string `json:"claims"`
	ExpiresAt             *string           `json:"expires_at"`
	ExpiresIn             *string           `json:"expires_in"`
	MonthlyExecutionQuota int64             `json:"monthly_execution_quota"`
	RateLimitPerMinute    int               `json:"rate_limit_per_minute"`
	AllowedSkillIDs       []string          `json:"allowed_skill_ids"`
	ParentID              string            `json:"parent_id"`
}

// createKey serves POST /v1/api-keys.
func (h *Handler) createKey(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if body == nil {
		return badRequest("Creating a key needs a JSON body", `Send at least {"name": "...", "user": "...", "roles": ["..."]}.`)
	}
	var req createRequest
	if err := decodeObject(body, &req); err != nil {
		return err
	}
	if req.ParentID != "" && !isKeyID(req.ParentID) {
		// Not repeated: it may be a secret pasted in the wrong field.
		return badRequest(`Field "parent_id" must be a key id (key_...)`, "Give the parent's id, never its secret.")
	}
	p := apikey.CreateParams{
		Name: req.Name, Description: req.Description, User: req.User, Org: req.Org,
		Teams: req.Teams, Roles: req.Roles, Scopes: req.Scopes, Claims: req.Claims,
		MonthlyQuota: req.MonthlyExecutionQuota, RateLimitPerMinute: req.RateLimitPerMinute,
		AllowedSkillIDs: req.AllowedSkillIDs, ParentID: req.ParentID,
	}
	if p.ExpiresAt, err = req.expiry(h.now()); err != nil {
		return err
	}
	c, err := h.keys.Create(r.Context(), a, p)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/api-keys/"+c.Key.ID)
	return writeJSON(w, http.StatusCreated, c)
}

// expiry returns the absolute expiry the request asks for, the zero time
// for none.
func (req createRequest) expiry(now time.Time) (time.Time, error) {
	switch {
	case req.ExpiresAt != nil && req.ExpiresIn != nil:
		return time.Time{}, badRequest("Give expires_at or expires_in, not both", "expires_at is a time, expires_in a duration from now.")
	case req.ExpiresAt != nil:
		return parseTimeField("expires_at", *req.ExpiresAt)
	case req.ExpiresIn != nil:
		d, err := config.ParseDuration(*req.ExpiresIn)
		if err != nil || d <= 0 {
			return time.Time{}, badRequest("Field \"expires_in\" must be a positive duration", `For example "30d", "12h" or "90m".`)
		}
		return now.Add(d), nil
	}
	return time.Time{}, nil
}

// parseTimeField parses the RFC 3339 value of a body field.
func parseTimeField(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, badRequest("Field \""+field+"\" must be an RFC 3339 time", `For example "2026-12-31T23:59:59Z".`)
	}
	return t, nil
}
