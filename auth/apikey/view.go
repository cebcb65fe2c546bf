package apikey

import (
	"time"

	"github.com/skillgate/skillgate/store"
)

// View is a key as the REST API and the CLI show it: every property, its
// state and usage now, and its secrets by prefix. It never holds a secret.
type View struct {
	ID                    string            `json:"id"`
	Name                  string            `json:"name"`
	Description           string            `json:"description,omitempty"`
	User                  string            `json:"user,omitempty"`
	Org                   string            `json:"org,omitempty"`
	Teams                 []string          `json:"teams,omitempty"`
	Roles                 []string          `json:"roles"`
	Scopes                []string          `json:"scopes"`
	Claims                map[string]string `json:"claims,omitempty"`
	State                 store.KeyState    `json:"state"`
	Enabled               bool              `json:"enabled"`
	Prefix                string            `json:"prefix"`
	CreatedAt             time.Time         `json:"created_at"`
	CreatedBy             string            `json:"created_by,omitempty"`
	ExpiresAt             *time.Time        `json:"expires_at"`
	RevokedAt             *time.Time        `json:"revoked_at,omitempty"`
	LastUsedAt            *time.Time        `json:"last_used_at"`
	MonthlyExecutionQuota int64             `json:"monthly_execution_quota"`
	CurrentMonthUsage     int64             `json:"current_month_usage"`
	UsageResetsAt         time.Time         `json:"usage_resets_at"`
	RateLimitPerMinute    int               `json:"rate_limit_per_minute"`
	AllowedSkillIDs       []string          `json:"allowed_skill_ids"`
	ParentID              string            `json:"parent_id,omitempty"`
	Secrets               []SecretView      `json:"secrets,omitempty"`
}

// SecretView is one secret of a key, by its prefix.
type SecretView struct {
	Prefix    string     `json:"prefix"`
	State     string     `json:"state"` // current, grace or expired
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Created is the answer to a creation or a rotation: the key, and the
// plain secret, shown this once.
type Created struct {
	Key    View   `json:"key"`
	Secret string `json:"secret"`
}

// NewView returns k as seen at now, with its secrets (nil for none).
func NewView(k store.APIKey, secrets []store.Secret, now time.Time) View {
	v := View{
		ID: k.ID, Name: k.Name, Description: k.Description,
		User: k.User, Org: k.Org, Teams: k.Teams, Roles: k.Roles,
		Scopes: k.Scopes, Claims: k.Claims,
		State: k.State(now), Enabled: !k.Disabled,
		CreatedAt: k.CreatedAt, CreatedBy: k.CreatedBy,
		ExpiresAt: optTime(k.ExpiresAt), RevokedAt: optTime(k.RevokedAt), LastUsedAt: optTime(k.LastUsedAt),
		MonthlyExecutionQuota: k.MonthlyQuota,
		CurrentMonthUsage:     k.Usage.In(store.Period(now)),
		UsageResetsAt:         store.PeriodEnd(now),
		RateLimitPerMinute:    k.RateLimitPerMinute,
		AllowedSkillIDs:       k.AllowedSkillIDs,
		ParentID:              k.ParentID,
	}
	if v.Roles == nil {
		v.Roles = []string{}
	}
	for _, s := range secrets {
		sv := SecretView{Prefix: s.Prefix, CreatedAt: s.CreatedAt, ExpiresAt: optTime(s.ExpiresAt), State: "current"}
		switch {
		case s.ExpiresAt.IsZero():
			if v.Prefix == "" {
				v.Prefix = s.Prefix
			}
		case now.Before(s.ExpiresAt):
			sv.State = "grace"
		default:
			sv.State = "expired"
		}
		v.Secrets = append(v.Secrets, sv)
	}
	return v
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
