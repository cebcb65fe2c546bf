package dashboard

import (
	"fmt"
	"net/http"

	"github.com/skillgate/skillgate/ratelimit"
)

// allow applies the visitor's credential's rate limit, in the budget its
// API and MCP requests spend too, and answers the request itself when it
// is refused.
func (h *Handler) allow(w http.ResponseWriter, r *http.Request, v visitor) bool {
	p := v.actor.Principal
	if h.opts.Limiter == nil || p.RateLimitPerMinute <= 0 {
		return true
	}
	d, err := h.opts.Limiter.Allow(r.Context(), p.Identity(), p.RateLimitPerMinute)
	if err != nil {
		// Fail closed, as the API and MCP do: a limit that cannot be
		// counted is not waived.
		h.opts.Logger.ErrorContext(r.Context(), "rate limiter failed", "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", "5")
		l := h.frame(v, "Unavailable", nil)
		l.Problem = "Rate limiting is temporarily unavailable. Try again in a few seconds."
		h.render(w, r, http.StatusServiceUnavailable, "error", l)
		return false
	}
	ratelimit.SetHeaders(w.Header(), d)
	if !d.Allowed {
		retry := ratelimit.SetRetryAfter(w.Header(), d)
		l := h.frame(v, "Slow down", nil)
		l.Problem = fmt.Sprintf("Your key allows %d requests a minute, and they are used up. Try again in %d s.", p.RateLimitPerMinute, retry)
		h.render(w, r, http.StatusTooManyRequests, "error", l)
		return false
	}
	return true
}

// signInRate caps sign-in attempts per client address and minute, so that
// keys cannot be guessed through the form (they could not be anyway: 256
// random bits) nor the audit log flooded with refusals.
const signInRate = 10

// allowSignIn counts a sign-in attempt against its address's budget. A
// limiter failure does not lock everyone out of the dashboard: the key is
// still checked in full.
func (h *Handler) allowSignIn(r *http.Request) bool {
	if h.opts.Limiter == nil {
		return true
	}
	d, err := h.opts.Limiter.Allow(r.Context(), "dashboard-signin:"+ratelimit.Address(r), signInRate)
	if err != nil {
		h.opts.Logger.WarnContext(r.Context(), "rate limiting a dashboard sign-in", "err", err)
		return true
	}
	return d.Allowed
}
