package dashboard

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// usageDays is how many days the usage chart of a key shows.
const usageDays = 30

type keysPage struct {
	Keys                []apikey.View
	State, User, Parent string
	States              []string
	NextURL             string
	CanWrite            bool
	Now                 time.Time
}

// listKeys shows the keys the visitor may see, filtered and paged; the key
// manager decides which those are.
func (h *Handler) listKeys(w http.ResponseWriter, r *http.Request, v visitor) error {
	q := r.URL.Query()
	p := apikey.ListParams{
		State: store.KeyState(q.Get("state")), User: q.Get("user"), ParentID: q.Get("parent"),
		Cursor: q.Get("cursor"), Limit: 25,
	}
	page, err := h.opts.Keys.List(r.Context(), v.actor, p)
	if err != nil {
		return err
	}
	data := keysPage{
		Keys: page.Keys, State: q.Get("state"), User: q.Get("user"), Parent: q.Get("parent"),
		States:   []string{string(store.StateActive), string(store.StateDisabled), string(store.StateExpired), string(store.StateRevoked)},
		CanWrite: v.canWrite(), Now: h.now(),
	}
	if page.NextCursor != "" {
		next := url.Values{"cursor": {page.NextCursor}}
		for _, k := range []string{"state", "user", "parent"} {
			if s := q.Get(k); s != "" {
				next.Set(k, s)
			}
		}
		data.NextURL = Path + "/keys?" + next.Encode()
	}
	l := h.frame(v, "API keys", data)
	l.Notice = notices[q.Get("done")]
	h.render(w, r, http.StatusOK, "keys", l)
	return nil
}

type newKeyPage struct {
	Parent *apikey.View
	Form   map[string]string
}

// newKey shows the form for a key, or for a child key of ?parent=.
func (h *Handler) newKey(w http.ResponseWriter, r *http.Request, v visitor) error {
	data := newKeyPage{Form: map[string]string{}}
	id := r.URL.Query().Get("parent")
	if id == "" && !v.admin() {
		// The key manager makes a managed key's new keys its children;
		// show the form of a child key, which has no roles or owner.
		id = v.actor.Principal.ManagedKeyID()
	}
	if id != "" {
		parent, err := h.opts.Keys.Get(r.Context(), v.actor, id)
		if err != nil {
			return err
		}
		data.Parent = &parent
	}
	h.render(w, r, http.StatusOK, "key_new", h.frame(v, "New API key", data))
	return nil
}

type secretPage struct {
	Key       apikey.View
	Secret    string
	Rotated   bool
	GraceEnds *time.Time
	MCPURL    string
}

// createKey creates a key and shows its secret, this once.
func (h *Handler) createKey(w http.ResponseWriter, r *http.Request, v visitor) error {
	p, err := createParams(r)
	if err == nil {
		var c apikey.Created
		c, err = h.opts.Keys.Create(r.Context(), v.actor, p)
		if err == nil {
			h.render(w, r, http.StatusOK, "secret", h.frame(v, "Key created", secretPage{
				Key: c.Key, Secret: c.Secret, MCPURL: h.opts.BaseURL + "/mcp",
			}))
			return nil
		}
	}
	if _, ok := errors.AsType[*apikey.Error](err); !ok {
		return err
	}
	// A refusal shows the form again, filled in as sent, with the reason.
	data := newKeyPage{Form: map[string]string{}}
	for _, f := range []string{"name", "description", "user", "org", "teams", "roles", "scopes", "expires", "monthly_quota", "rate_limit", "allowed_skills"} {
		data.Form[f] = r.PostFormValue(f)
	}
	if id := r.PostFormValue("parent_id"); id != "" {
		if parent, perr := h.opts.Keys.Get(r.Context(), v.actor, id); perr == nil {
			data.Parent = &parent
		}
	}
	l := h.frame(v, "New API key", data)
	l.Problem = err.Error()
	h.render(w, r, statusOf(err), "key_new", l)
	return nil
}

type keyPage struct {
	Key      apikey.View
	Children []apikey.View
	Chart    chart
	CanWrite bool
	Expires  string
	Now      time.Time
}

// showKey shows one key: its details and secrets, its usage per day, its
// child keys, and the forms that change it.
func (h *Handler) showKey(w http.ResponseWriter, r *http.Request, v visitor) error {
	id := r.PathValue("id")
	k, err := h.opts.Keys.Get(r.Context(), v.actor, id)
	if err != nil {
		return err
	}
	children, err := h.opts.Keys.List(r.Context(), v.actor, apikey.ListParams{ParentID: id, Limit: 100})
	if err != nil {
		return err
	}
	days, err := h.opts.Keys.DailyUsage(r.Context(), v.actor, id, usageDays)
	if err != nil {
		return err
	}
	l := h.frame(v, k.Name, keyPage{
		Key: k, Children: children.Keys, Chart: newChart(days, h.now(), usageDays),
		CanWrite: v.canWrite(), Expires: dateOf(k.ExpiresAt), Now: h.now(),
	})
	l.Notice = notices[r.URL.Query().Get("done")]
	h.render(w, r, http.StatusOK, "key", l)
	return nil
}

// updateKey applies the edit form: only the fields changed in it.
func (h *Handler) updateKey(w http.ResponseWriter, r *http.Request, v visitor) error {
	id := r.PathValue("id")
	k, err := h.opts.Keys.Get(r.Context(), v.actor, id)
	if err != nil {
		return err
	}
	u, err := updateParams(r, k)
	if err != nil {
		return err
	}
	if _, err := h.opts.Keys.Update(r.Context(), v.actor, id, u); err != nil {
		return err
	}
	http.Redirect(w, r, keyURL(id, "updated"), http.StatusSeeOther)
	return nil
}

// enableKey turns a key on or off.
func (h *Handler) enableKey(on bool) pageHandler {
	return func(w http.ResponseWriter, r *http.Request, v visitor) error {
		id := r.PathValue("id")
		if _, err := h.opts.Keys.Update(r.Context(), v.actor, id, apikey.UpdateParams{Enabled: &on}); err != nil {
			return err
		}
		done := "disabled"
		if on {
			done = "enabled"
		}
		http.Redirect(w, r, keyURL(id, done), http.StatusSeeOther)
		return nil
	}
}

// rotateKey gives a key a new secret and shows it, with when the old one
// stops working.
func (h *Handler) rotateKey(w http.ResponseWriter, r *http.Request, v visitor) error {
	f := &form{r: r}
	grace := f.hours("grace_hours", "Grace period")
	if f.err != nil {
		return f.err
	}
	c, err := h.opts.Keys.Rotate(r.Context(), v.actor, r.PathValue("id"), grace)
	if err != nil {
		return err
	}
	page := secretPage{Key: c.Key, Secret: c.Secret, Rotated: true, MCPURL: h.opts.BaseURL + "/mcp"}
	for _, s := range c.Key.Secrets {
		if s.State == "grace" && s.ExpiresAt != nil {
			page.GraceEnds = s.ExpiresAt
		}
	}
	h.render(w, r, http.StatusOK, "secret", h.frame(v, "Key rotated", page))
	return nil
}

type confirmPage struct {
	Question, Detail, Action, Button, Cancel string
}

// confirmRevoke asks before revoking: a revocation cannot be undone.
func (h *Handler) confirmRevoke(w http.ResponseWriter, r *http.Request, v visitor) error {
	id := r.PathValue("id")
	k, err := h.opts.Keys.Get(r.Context(), v.actor, id)
	if err != nil {
		return err
	}
	h.render(w, r, http.StatusOK, "confirm", h.frame(v, "Revoke "+k.Name, confirmPage{
		Question: "Revoke the key " + k.Name + " (" + k.ID + ")?",
		Detail:   "It is refused from the next request on, and so is every key it minted. This cannot be undone.",
		Action:   Path + "/keys/" + url.PathEscape(id) + "/revoke", Button: "Revoke key",
		Cancel: keyURL(id, ""),
	}))
	return nil
}

// revokeKey revokes a key and the keys it minted.
func (h *Handler) revokeKey(w http.ResponseWriter, r *http.Request, v visitor) error {
	id := r.PathValue("id")
	revoked, err := h.opts.Keys.Revoke(r.Context(), v.actor, id)
	if err != nil {
		return err
	}
	// Their sessions would end at their next page anyway (every page
	// checks the key again); deleting them now leaves no row behind.
	for _, gone := range revoked.Revoked {
		if _, err := h.opts.Sessions.DeleteWebSessionsOf(r.Context(), gone); err != nil {
			h.opts.Logger.WarnContext(r.Context(), "ending the dashboard sessions of a revoked key", "key_id", gone, "err", err)
		}
	}
	http.Redirect(w, r, keyURL(id, "revoked"), http.StatusSeeOther)
	return nil
}

// keyURL is the page of a key, with a notice code.
func keyURL(id, done string) string {
	u := Path + "/keys/" + url.PathEscape(id)
	if done != "" {
		u += "?done=" + done
	}
	return u
}

// canWrite reports whether the visitor may change keys at all; the key
// manager decides which.
func (v visitor) canWrite() bool { return auth.Grants(v.actor.Scopes, auth.ScopeKeysWrite) }
