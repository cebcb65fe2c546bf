package apikey

import (
	"fmt"
	"unicode"
	"unicode/utf8"

	"github.com/skillgate/skillgate/auth"
)

// Bounds on what a key may hold, so that one key cannot bloat every
// request that carries it.
const (
	maxNameLen        = 128
	maxDescriptionLen = 1024
	maxNameListLen    = 64 // roles, teams, scopes, skills
	maxItemLen        = 256
	maxClaims         = 32
	maxClaimValueLen  = 1024
	maxRatePerMinute  = 1_000_000
)

func (p CreateParams) validate() error {
	if p.Name == "" {
		return invalidf("name is required")
	}
	if err := checkText("name", p.Name, maxNameLen); err != nil {
		return err
	}
	if err := checkText("description", p.Description, maxDescriptionLen); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"user", p.User}, {"org", p.Org}, {"parent_id", p.ParentID}} {
		if err := checkText(f.name, f.v, maxItemLen); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		l    []string
	}{{"teams", p.Teams}, {"roles", p.Roles}, {"scopes", p.Scopes}, {"allowed_skill_ids", p.AllowedSkillIDs}} {
		if err := checkList(f.name, f.l); err != nil {
			return err
		}
	}
	for _, s := range p.Scopes {
		if !auth.ValidScope(s) {
			return &Error{Kind: KindInvalid, Message: fmt.Sprintf("unknown scope %q", s),
				Hint: fmt.Sprintf("Scopes are %v, or a pattern such as keys:*.", auth.KnownScopes())}
		}
	}
	if err := checkClaims(p.Claims); err != nil {
		return err
	}
	return checkLimits(p.MonthlyQuota, p.RateLimitPerMinute)
}

func checkLimits(quota int64, rate int) error {
	if quota < 0 {
		return invalidf("monthly_execution_quota must be 0 (unlimited) or more")
	}
	if rate < 0 || rate > maxRatePerMinute {
		return invalidf("rate_limit_per_minute must be between 0 (unlimited) and %d", maxRatePerMinute)
	}
	return nil
}

func checkClaims(claims map[string]string) error {
	if len(claims) > maxClaims {
		return invalidf("at most %d claims", maxClaims)
	}
	for k, v := range claims {
		if k == "" {
			return invalidf("a claim name is empty")
		}
		if err := checkText("claim name", k, maxNameLen); err != nil {
			return err
		}
		if err := checkText("claim "+k, v, maxClaimValueLen); err != nil {
			return err
		}
	}
	return nil
}

func checkList(field string, l []string) error {
	if len(l) > maxNameListLen {
		return invalidf("%s: at most %d entries", field, maxNameListLen)
	}
	seen := make(map[string]bool, len(l))
	for _, s := range l {
		if s == "" {
			return invalidf("%s: an entry is empty", field)
		}
		if seen[s] {
			return invalidf("%s: %q is listed twice", field, s)
		}
		seen[s] = true
		if err := checkText(field, s, maxItemLen); err != nil {
			return err
		}
	}
	return nil
}

// checkText refuses text that is too long, not UTF-8 or holds control
// characters (which could forge lines in logs and terminals).
func checkText(field, s string, max int) error {
	switch {
	case len(s) > max:
		return invalidf("%s is longer than %d bytes", field, max)
	case !utf8.ValidString(s):
		return invalidf("%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return invalidf("%s holds a control character", field)
		}
	}
	return nil
}
