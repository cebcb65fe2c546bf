package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/skillgate/skillgate/auth/apikey"
)

// patchFields are the fields PATCH /v1/api-keys/{id} accepts, in the
// order errors mention them.
var patchFields = []string{
	"name", "description", "enabled", "expires_at", "monthly_execution_quota",
	"rate_limit_per_minute", "allowed_skill_ids", "claims",
}

// updateKey serves PATCH /v1/api-keys/{id}.
func (h *Handler) updateKey(w http.ResponseWriter, r *http.Request, a apikey.Actor) error {
	id, err := keyID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	u, err := decodePatch(body)
	if err != nil {
		return err
	}
	v, err := h.keys.Update(r.Context(), a, id, u)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}

// decodePatch reads a merge patch (RFC 7396 style): a field left out stays
// as it is, and null means the field's "none" where it has one:
// expires_at null is "never expires", allowed_skill_ids null is "every
// skill", description and claims null clear them. The other fields cannot
// be null. The body is read field by field, since decoding straight into
// a struct cannot tell a field left out from one set to null.
func decodePatch(body []byte) (apikey.UpdateParams, error) {
	var u apikey.UpdateParams
	hint := "Send at least one of: " + strings.Join(patchFields, ", ") + "."
	if body == nil {
		return u, badRequest("The patch is empty: nothing to change", hint)
	}
	var fields map[string]json.RawMessage
	if err := decodeObject(body, &fields); err != nil {
		return u, err
	}
	if len(fields) == 0 {
		return u, badRequest("The patch is empty: nothing to change", hint)
	}
	names := slices.Sorted(maps.Keys(fields))
	for _, name := range names {
		if !slices.Contains(patchFields, name) {
			return u, unknownField(name)
		}
	}
	for _, name := range names {
		raw := fields[name]
		var err error
		switch name {
		case "name":
			u.Name, err = required[string](name, raw)
		case "description":
			u.Description, err = orZero[string](name, raw)
		case "enabled":
			u.Enabled, err = required[bool](name, raw)
		case "monthly_execution_quota":
			u.MonthlyQuota, err = required[int64](name, raw)
		case "rate_limit_per_minute":
			u.RateLimitPerMinute, err = required[int](name, raw)
		case "claims":
			u.Claims, err = orZero[map[string]string](name, raw)
		case "allowed_skill_ids":
			// null decodes to a nil list: every skill.
			u.AllowedSkillIDs, err = orZero[[]string](name, raw)
		case "expires_at":
			u.ExpiresAt, err = patchExpiry(raw)
		}
		if err != nil {
			return u, err
		}
	}
	return u, nil
}

// required decodes a field that cannot be null.
func required[T any](name string, raw json.RawMessage) (*T, error) {
	if isNull(raw) {
		return nil, badRequest("Field "+quoteName(name)+" cannot be null", "Leave the field out to keep its value.")
	}
	return orZero[T](name, raw)
}

// orZero decodes a field whose null means T's zero value.
func orZero[T any](name string, raw json.RawMessage) (*T, error) {
	v := new(T)
	if err := decodeField(name, raw, v); err != nil {
		return nil, err
	}
	return v, nil
}

// patchExpiry decodes expires_at: a time, or null for never (the zero
// time, to the manager).
func patchExpiry(raw json.RawMessage) (*time.Time, error) {
	if isNull(raw) {
		return new(time.Time), nil
	}
	var s string
	if err := decodeField("expires_at", raw, &s); err != nil {
		return nil, err
	}
	t, err := parseTimeField("expires_at", s)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
