package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/skillgate/skillgate/auth/apikey"
)

// form reads the fields of a posted form. The first field that does not
// parse is kept as err, as a refusal the page shows; the key manager checks
// everything else, as it does for the REST API.
type form struct {
	r   *http.Request
	err error
}

func (f *form) text(name string) string { return strings.TrimSpace(f.r.PostFormValue(name)) }

// list reads a field of names separated by commas or spaces. Empty is nil,
// never an empty list: to the key manager nil means "the default" (the
// roles' scopes, every skill) where an empty list means "none".
func (f *form) list(name string) []string {
	out := strings.FieldsFunc(f.text(name), func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	if len(out) == 0 {
		return nil
	}
	return out
}

// int64 reads a whole number, 0 when empty.
func (f *form) int64(name, label string) int64 {
	s := f.text(name)
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		f.fail("%s must be a whole number, 0 or more", label)
		return 0
	}
	return n
}

func (f *form) int(name, label string) int {
	n := f.int64(name, label)
	if n > 1<<31-1 {
		f.fail("%s is too large", label)
		return 0
	}
	return int(n)
}

// date reads a yyyy-mm-dd date as the end of that day, UTC; zero when
// empty.
func (f *form) date(name, label string) time.Time {
	s := f.text(name)
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		f.fail("%s must be a date, yyyy-mm-dd", label)
		return time.Time{}
	}
	return d.Add(24*time.Hour - time.Second)
}

// duration reads a number of hours; nil when empty.
func (f *form) hours(name, label string) *time.Duration {
	s := f.text(name)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n < 0 || n > 24*365*10 {
		f.fail("%s must be a number of hours, 0 or more", label)
		return nil
	}
	d := time.Duration(n * float64(time.Hour)).Round(time.Second)
	return &d
}

func (f *form) fail(format string, args ...any) {
	if f.err == nil {
		f.err = &apikey.Error{Kind: apikey.KindInvalid, Message: fmt.Sprintf(format, args...)}
	}
}

// createParams reads the new-key form.
func createParams(r *http.Request) (apikey.CreateParams, error) {
	f := &form{r: r}
	p := apikey.CreateParams{
		Name: f.text("name"), Description: f.text("description"),
		User: f.text("user"), Org: f.text("org"), Teams: f.list("teams"),
		Roles: f.list("roles"), Scopes: f.list("scopes"),
		ExpiresAt:          f.date("expires", "Expiry"),
		MonthlyQuota:       f.int64("monthly_quota", "Monthly quota"),
		RateLimitPerMinute: f.int("rate_limit", "Rate limit"),
		AllowedSkillIDs:    f.list("allowed_skills"),
		ParentID:           f.text("parent_id"),
	}
	return p, f.err
}

// updateParams reads the edit form of key v, keeping only the fields that
// differ from v: a field shown and sent back unchanged changes nothing.
func updateParams(r *http.Request, v apikey.View) (apikey.UpdateParams, error) {
	f := &form{r: r}
	var u apikey.UpdateParams
	if name := f.text("name"); name != v.Name {
		u.Name = &name
	}
	if d := f.text("description"); d != v.Description {
		u.Description = &d
	}
	if q := f.int64("monthly_quota", "Monthly quota"); q != v.MonthlyExecutionQuota {
		u.MonthlyQuota = &q
	}
	if rl := f.int("rate_limit", "Rate limit"); rl != v.RateLimitPerMinute {
		u.RateLimitPerMinute = &rl
	}
	if exp := f.date("expires", "Expiry"); f.text("expires") != dateOf(v.ExpiresAt) {
		u.ExpiresAt = &exp
	}
	if skills := f.list("allowed_skills"); strings.Join(skills, ",") != strings.Join(v.AllowedSkillIDs, ",") {
		u.AllowedSkillIDs = &skills
	}
	return u, f.err
}

// dateOf is how the edit form shows an expiry: yyyy-mm-dd, or empty for
// never.
func dateOf(t *time.Time) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}
