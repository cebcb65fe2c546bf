package dashboard_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzPages sends arbitrary methods, paths and form bodies, signed in as an
// administrator and with the session's anti-forgery token, to the real
// dashboard: no input may cause a server error or a panic, and every
// answer is a page or a redirect within the dashboard.
func FuzzPages(f *testing.F) {
	d := newTestDashboard(f)
	f.Add("POST", "/dashboard/keys", "name=x&user=u&roles=agent&rate_limit=-1&expires=2030-02-30")
	f.Add("POST", "/dashboard/keys", "name=x&user=u&roles=agent&monthly_quota=99999999999999999999&scopes=admin")
	f.Add("POST", "/dashboard/keys/key_x/update", "name=&allowed_skills=%00")
	f.Add("POST", "/dashboard/keys/key_x/rotate", "grace_hours=1e400")
	f.Add("GET", "/dashboard/keys?state=nope&cursor=%%&parent=..", "")
	f.Add("GET", "/dashboard/audit?result=maybe&cursor=-3&key=%C0%80", "")
	f.Add("POST", "/dashboard/clients/a%2F..%2Fb/delete", "")
	f.Add("GET", "/dashboard/signin?next=//evil.example&reason=<script>", "")
	signedIn := d.browser(f)
	signedIn.signIn(d.admin)
	f.Fuzz(func(t *testing.T, method, path, body string) {
		b := *signedIn
		b.t = t
		u, err := url.Parse(d.url + "/dashboard/" + strings.TrimPrefix(path, "/dashboard/"))
		if err != nil || len(body) > 1<<16 || method == "" || strings.Contains(u.Path, "signout") {
			return // signing out would end the session the other inputs use
		}
		form := body
		if method == http.MethodPost {
			form += "&csrf=" + url.QueryEscape(b.csrf("/dashboard/keys"))
		}
		req, err := http.NewRequest(method, u.String(), strings.NewReader(form))
		if err != nil {
			return
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		p := b.do(req)
		if p.status >= http.StatusInternalServerError {
			t.Fatalf("%s %s: status %d\n%s", method, u, p.status, p.body)
		}
		if loc := p.header.Get("Location"); loc != "" && !strings.HasPrefix(loc, "/dashboard/") {
			t.Errorf("%s %s: redirect to %q, outside the dashboard", method, u, loc)
		}
	})
}
