package oauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// mcpRegistration is what MCP clients (Claude Code, the SDKs) send.
const mcpRegistration = `{
	"client_name": "Claude Code",
	"redirect_uris": ["http://localhost:6274/callback"],
	"grant_types": ["authorization_code", "refresh_token"],
	"response_types": ["code"],
	"token_endpoint_auth_method": "none"
}`

// manyRegistrations lets a test register more clients than the default
// rate allows.
func manyRegistrations(o *Options) { o.RegistrationRate = 1000 }

// registration is a parsed successful registration response.
type registration struct {
	raw  []byte
	body map[string]any
}

func (r registration) str(name string) string { s, _ := r.body[name].(string); return s }

// register registers a client and fails the test unless it gets 201.
func (ts *testServer) register(t testing.TB, body string) registration {
	t.Helper()
	resp, b := ts.postJSON(t, "/register", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("register: status %d: %s", resp.StatusCode, b)
	}
	return registration{raw: b, body: decodeObject(t, b)}
}

func stringList(v any) []string {
	l, _ := v.([]any)
	out := []string{}
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func TestRegister(t *testing.T) {
	type check func(t testing.TB, ts *testServer, m map[string]any)
	echo := func(field string, want ...string) check {
		return func(t testing.TB, _ *testServer, m map[string]any) {
			t.Helper()
			if got := stringList(m[field]); !slices.Equal(got, want) {
				t.Errorf("%s = %q, want %q", field, got, want)
			}
		}
	}
	equals := func(field string, want any) check {
		return func(t testing.TB, _ *testServer, m map[string]any) {
			t.Helper()
			if got := m[field]; got != want {
				t.Errorf("%s = %#v, want %#v", field, got, want)
			}
		}
	}
	absent := func(fields ...string) check {
		return func(t testing.TB, _ *testServer, m map[string]any) {
			t.Helper()
			for _, f := range fields {
				if v, ok := m[f]; ok {
					t.Errorf("%s = %#v, want it absent", f, v)
				}
			}
		}
	}
	publicClient := func(t testing.TB, ts *testServer, m map[string]any) {
		t.Helper()
		c, err := ts.DB.Client(context.Background(), m["client_id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if c.SecretHash != nil {
			t.Errorf("stored secret hash for a public client")
		}
	}
	secretWorks := func(t testing.TB, ts *testServer, m map[string]any) {
		t.Helper()
		secret, _ := m["client_secret"].(string)
		if len(secret) < 43 {
			t.Fatalf("client_secret = %q, want 32 random bytes", secret)
		}
		if m["client_secret_expires_at"] != json.Number("0") {
			t.Errorf("client_secret_expires_at = %#v, want 0", m["client_secret_expires_at"])
		}
		c, err := ts.DB.Client(context.Background(), m["client_id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(secret))
		if !bytes.Equal(c.SecretHash, sum[:]) {
			t.Errorf("stored secret hash is not the SHA-256 of the secret")
		}
	}
	informational := map[string]any{
		"client_uri": "https://app.example.com", "logo_uri": "https://app.example.com/logo.png",
		"policy_uri": "https://app.example.com/privacy", "tos_uri": "https://app.example.com/tos",
		"software_id": "4NRB1-0XZABZI9E6-5SM3R", "software_version": "2.1",
	}

	tests := []struct {
		name        string
		body        string
		contentType string // default application/json
		wantStatus  int
		wantError   string  // for errors
		wantInDesc  string  // substring of error_description
		checks      []check // for successes
		secret      bool    // whether a client_secret is expected
	}{
		{
			name: "minimal MCP registration", body: mcpRegistration, wantStatus: 201,
			checks: []check{
				echo("redirect_uris", "http://localhost:6274/callback"),
				echo("grant_types", "authorization_code", "refresh_token"),
				echo("response_types", "code"),
				equals("token_endpoint_auth_method", "none"),
				equals("client_name", "Claude Code"),
				absent("client_secret", "client_secret_expires_at", "scope", "client_uri"),
				publicClient,
			},
		},
		{
			name: "defaults of RFC 7591", body: `{"redirect_uris":["https://app.example.com/cb"]}`, wantStatus: 201, secret: true,
			checks: []check{
				echo("grant_types", "authorization_code"),
				echo("response_types", "code"),
				equals("token_endpoint_auth_method", "client_secret_basic"),
				absent("client_name"),
				secretWorks,
			},
		},
		{
			name:       "confidential with client_secret_post",
			body:       `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"client_secret_post"}`,
			wantStatus: 201, secret: true,
			checks: []check{equals("token_endpoint_auth_method", "client_secret_post"), secretWorks},
		},
		{
			name: "unknown fields ignored, informational fields kept",
			body: `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none",
				"application_type":"native","software_statement":"eyJ.x.y","jwks":{"keys":[]},"foo":[1,null],
				"client_name#ja-Jpan-JP":"クライアント","contacts":["ops@example.com"],
				"client_uri":"https://app.example.com","logo_uri":"https://app.example.com/logo.png",
				"policy_uri":"https://app.example.com/privacy","tos_uri":"https://app.example.com/tos",
				"software_id":"4NRB1-0XZABZI9E6-5SM3R","software_version":"2.1"}`,
			wantStatus: 201,
			checks: []check{
				absent("application_type", "software_statement", "jwks", "foo", "client_name#ja-Jpan-JP"),
				echo("contacts", "ops@example.com"),
				func(t testing.TB, ts *testServer, m map[string]any) {
					for k, v := range informational {
						if m[k] != v {
							t.Errorf("%s = %#v, want %#v", k, m[k], v)
						}
					}
					c, err := ts.DB.Client(context.Background(), m["client_id"].(string))
					if err != nil {
						t.Fatal(err)
					}
					var stored map[string]any
					if err := json.Unmarshal(c.Metadata, &stored); err != nil {
						t.Fatalf("stored metadata %s: %v", c.Metadata, err)
					}
					if len(stored) != len(informational)+1 {
						t.Errorf("stored metadata = %s, want the informational fields only", c.Metadata)
					}
				},
			},
		},
		{
			name: "empty scope accepted as absent", body: `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none","scope":""}`,
			wantStatus: 201, checks: []check{absent("scope")},
		},
		{
			name: "supported scope echoed", body: `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none","scope":"skills:read skills:execute"}`,
			wantStatus: 201, checks: []check{equals("scope", "skills:read skills:execute")},
		},
		{
			name: "null fields taken as absent", body: `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"none","scope":null,"client_name":null,"grant_types":null}`,
			wantStatus: 201, checks: []check{absent("scope", "client_name"), echo("grant_types", "authorization_code")},
		},
		{
			name: "loopback redirect on any port", body: `{"redirect_uris":["http://127.0.0.1/callback","http://[::1]:0/callback"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 201, checks: []check{echo("redirect_uris", "http://127.0.0.1/callback", "http://[::1]:0/callback")},
		},
		{
			name: "private-use scheme redirect", body: `{"redirect_uris":["com.example.app:/oauth2redirect"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 201, checks: []check{echo("redirect_uris", "com.example.app:/oauth2redirect")},
		},
		{
			name: "client credentials without redirect URIs", body: `{"grant_types":["client_credentials"],"client_name":"ci"}`,
			wantStatus: 201, secret: true,
			checks: []check{echo("redirect_uris"), echo("response_types"), echo("grant_types", "client_credentials"), secretWorks},
		},
		{
			name: "content type with charset", body: mcpRegistration, contentType: "application/json; charset=utf-8", wantStatus: 201,
		},
		{
			name: "duplicates collapsed", body: `{"redirect_uris":["https://a.example.com/cb","https://a.example.com/cb"],"grant_types":["authorization_code","authorization_code"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 201, checks: []check{echo("redirect_uris", "https://a.example.com/cb"), echo("grant_types", "authorization_code")},
		},

		{name: "http redirect on a public host", body: `{"redirect_uris":["http://app.example.com/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri", wantInDesc: "must use https"},
		{name: "redirect with fragment", body: `{"redirect_uris":["https://app.example.com/cb#x"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri", wantInDesc: "fragment"},
		{name: "private-use scheme without a dot", body: `{"redirect_uris":["myapp:/cb"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri", wantInDesc: "private-use"},
		{name: "redirect_uris missing", body: `{"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri", wantInDesc: "redirect_uris is required"},
		{name: "redirect_uris empty", body: `{"redirect_uris":[],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri", wantInDesc: "redirect_uris is required"},
		{name: "too many redirect_uris", body: `{"redirect_uris":[` + manyURIs(maxRedirectURIs+1) + `],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_redirect_uri", wantInDesc: "at most"},
		{name: "redirect_uris not an array", body: `{"redirect_uris":"https://app.example.com/cb"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "redirect_uris must be an array of strings"},
		{name: "redirect_uris of numbers", body: `{"redirect_uris":[1]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "redirect_uris"},
		{name: "client_name not a string", body: `{"redirect_uris":["https://app.example.com/cb"],"client_name":42}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "client_name must be a string"},
		{name: "scope not a string", body: `{"redirect_uris":["https://app.example.com/cb"],"scope":["skills:read"]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "scope must be a string"},
		{name: "client_name too long", body: `{"redirect_uris":["https://app.example.com/cb"],"client_name":"` + strings.Repeat("n", maxClientNameLength+1) + `"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "client_name"},
		{name: "unsupported scope", body: `{"redirect_uris":["https://app.example.com/cb"],"scope":"skills:read admin"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: `"admin"`},
		{name: "unsupported grant type", body: `{"redirect_uris":["https://app.example.com/cb"],"grant_types":["authorization_code","implicit"]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: `"implicit"`},
		{name: "unsupported response type", body: `{"redirect_uris":["https://app.example.com/cb"],"response_types":["code","token"]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: `"token"`},
		{name: "authorization_code and client_credentials together", body: `{"redirect_uris":["https://app.example.com/cb"],"grant_types":["authorization_code","client_credentials"],"response_types":["code"],"token_endpoint_auth_method":"client_secret_basic"}`,
			wantStatus: 201, secret: true},
		{name: "code without authorization_code", body: `{"grant_types":["client_credentials"],"response_types":["code"]}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "response_types code needs grant_types authorization_code"},
		{name: "unsupported auth method", body: `{"redirect_uris":["https://app.example.com/cb"],"token_endpoint_auth_method":"private_key_jwt"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: `"private_key_jwt"`},
		{name: "client credentials for a public client", body: `{"grant_types":["client_credentials"],"token_endpoint_auth_method":"none"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "needs a client secret"},
		{name: "logo_uri not http", body: `{"redirect_uris":["https://app.example.com/cb"],"logo_uri":"javascript:alert(1)"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "logo_uri"},
		{name: "bad JSON", body: `{"redirect_uris":[`, wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "JSON object"},
		{name: "JSON array", body: `[]`, wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "JSON object"},
		{name: "JSON null", body: `null`, wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "JSON object"},
		{name: "trailing data", body: mcpRegistration + `{}`, wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "JSON object"},
		{name: "empty body", body: ``, wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "JSON object"},
		{name: "wrong content type", body: mcpRegistration, contentType: "application/x-www-form-urlencoded",
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "Content-Type: application/json"},
		{name: "no content type", body: mcpRegistration, contentType: "-",
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "Content-Type: application/json"},
		{name: "huge body", body: `{"client_name":"` + strings.Repeat("x", maxRegistrationBytes) + `"}`,
			wantStatus: 400, wantError: "invalid_client_metadata", wantInDesc: "body too large"},
	}
	ts := newTestServer(t, manyRegistrations)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			header := []string{"Content-Type", "application/json"}
			switch tc.contentType {
			case "":
			case "-":
				header = nil
			default:
				header[1] = tc.contentType
			}
			resp, b := ts.do(t, http.MethodPost, "/register", strings.NewReader(tc.body), header...)
			checkNoNull(t, b)
			if tc.wantStatus != http.StatusCreated {
				m := checkError(t, resp, b, tc.wantStatus, tc.wantError)
				if d, _ := m["error_description"].(string); !strings.Contains(d, tc.wantInDesc) {
					t.Errorf("error_description = %q, want it to mention %q", d, tc.wantInDesc)
				}
				if got := resp.Header.Get("Cache-Control"); got != "no-store" {
					t.Errorf("Cache-Control = %q", got)
				}
				return
			}
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status = %d, want 201: %s", resp.StatusCode, b)
			}
			m := decodeObject(t, b)
			checkRegistration(t, ts, m)
			if _, ok := m["client_secret"]; ok != tc.secret {
				t.Errorf("client_secret present = %v, want %v", ok, tc.secret)
			}
			for _, c := range tc.checks {
				c(t, ts, m)
			}
		})
	}
}

// checkRegistration checks what every registration response holds.
func checkRegistration(t testing.TB, ts *testServer, m map[string]any) {
	t.Helper()
	id, _ := m["client_id"].(string)
	if !strings.HasPrefix(id, "cl_") || len(id) > 64 || len(id) < 40 {
		t.Errorf("client_id = %q, want cl_ and 32 random bytes, at most 64 characters", id)
	}
	if n, ok := m["client_id_issued_at"].(json.Number); !ok {
		t.Errorf("client_id_issued_at = %#v, want a number", m["client_id_issued_at"])
	} else if v, err := n.Int64(); err != nil || v < 1_700_000_000 {
		t.Errorf("client_id_issued_at = %v, want unix seconds", n)
	}
	if tok, _ := m["registration_access_token"].(string); len(tok) < 43 {
		t.Errorf("registration_access_token = %q", tok)
	}
	if got, want := m["registration_client_uri"], testIssuer+"/register/"+id; got != want {
		t.Errorf("registration_client_uri = %v, want %s", got, want)
	}
	for _, f := range []string{"redirect_uris", "grant_types", "response_types"} {
		if _, ok := m[f].([]any); !ok {
			t.Errorf("%s = %#v, want an array", f, m[f])
		}
	}
	if _, ok := m["token_endpoint_auth_method"].(string); !ok {
		t.Errorf("no token_endpoint_auth_method")
	}
	c, err := ts.DB.Client(context.Background(), id)
	if err != nil {
		t.Fatalf("registered client not stored: %v", err)
	}
	tok, _ := m["registration_access_token"].(string)
	sum := sha256.Sum256([]byte(tok))
	if !bytes.Equal(c.RegistrationTokenHash, sum[:]) {
		t.Errorf("stored registration token hash is not the SHA-256 of the token")
	}
	if c.RegisteredFrom != "127.0.0.1" {
		t.Errorf("RegisteredFrom = %q, want 127.0.0.1", c.RegisteredFrom)
	}
	if c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
		t.Errorf("CreatedAt = %v, UpdatedAt = %v", c.CreatedAt, c.UpdatedAt)
	}
}

func manyURIs(n int) string {
	l := make([]string, n)
	for i := range l {
		l[i] = `"https://app.example.com/cb` + strconv.Itoa(i) + `"`
	}
	return strings.Join(l, ",")
}

func TestRegisterMethod(t *testing.T) {
	ts := newTestServer(t)
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		t.Run(method, func(t *testing.T) {
			resp, b := ts.do(t, method, "/register", nil)
			checkError(t, resp, b, http.StatusMethodNotAllowed, "invalid_request")
			if got := resp.Header.Get("Allow"); got != "POST" {
				t.Errorf("Allow = %q, want POST", got)
			}
		})
	}
}

func TestRegisterPolicy(t *testing.T) {
	const iat = "initial-access-token-0123456789"
	tokenPolicy := func(o *Options) {
		o.Registration = RegistrationToken
		o.InitialAccessTokenHash = hashOf(iat)
	}
	closed := func(o *Options) { o.Registration = RegistrationClosed }
	tests := []struct {
		name       string
		policy     func(*Options)
		header     []string
		wantStatus int
		wantError  string
		challenge  string // expected WWW-Authenticate
	}{
		{"open", func(*Options) {}, nil, 201, "", ""},
		{"token: right token", tokenPolicy, []string{"Authorization", "Bearer " + iat}, 201, "", ""},
		{"token: scheme case-insensitive", tokenPolicy, []string{"Authorization", "bearer " + iat}, 201, "", ""},
		{"token: wrong token", tokenPolicy, []string{"Authorization", "Bearer " + iat + "x"}, 401, "invalid_token", `Bearer realm="skillgate", error="invalid_token"`},
		{"token: missing token", tokenPolicy, nil, 401, "invalid_token", `Bearer realm="skillgate"`},
		{"token: basic credentials", tokenPolicy, []string{"Authorization", "Basic aWF0Og=="}, 401, "invalid_token", `Bearer realm="skillgate"`},
		{"closed", closed, nil, 403, "access_denied", ""},
		{"closed with a token", closed, []string{"Authorization", "Bearer " + iat}, 403, "access_denied", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts := newTestServer(t, tc.policy)
			resp, b := ts.postJSON(t, "/register", mcpRegistration, tc.header...)
			if tc.wantStatus == http.StatusCreated {
				if resp.StatusCode != http.StatusCreated {
					t.Fatalf("status = %d: %s", resp.StatusCode, b)
				}
				checkRegistration(t, ts, decodeObject(t, b))
				return
			}
			m := checkError(t, resp, b, tc.wantStatus, tc.wantError)
			if got := resp.Header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate = %q, want %q", got, tc.challenge)
			}
			if tc.wantError == "access_denied" && !strings.Contains(string(b), "platform.yaml") {
				t.Errorf("no hint about platform.yaml: %v", m)
			}
			if clients, _ := ts.DB.ListClients(context.Background()); len(clients) != 0 {
				t.Errorf("%d clients stored after a refusal", len(clients))
			}
		})
	}
}

// frozenLimiter is a rate limiter whose clock stands still, so that no
// request is allowed by time passing during a slow test.
func frozenLimiter(o *Options) {
	now := time.Now()
	o.Limiter = ratelimit.New(ratelimit.WithClock(func() time.Time { return now }))
}

func TestRegisterRateLimit(t *testing.T) {
	ts := newTestServer(t, frozenLimiter)
	for i := range DefaultRegistrationRate {
		resp, b := ts.postJSON(t, "/register", mcpRegistration)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("registration %d: status %d: %s", i+1, resp.StatusCode, b)
		}
	}
	resp, b := ts.postJSON(t, "/register", mcpRegistration)
	checkError(t, resp, b, http.StatusTooManyRequests, "temporarily_unavailable")
	if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
		t.Errorf("Retry-After = %q, want whole seconds", resp.Header.Get("Retry-After"))
	}
	if got := resp.Header.Get("RateLimit-Limit"); got != strconv.Itoa(DefaultRegistrationRate) {
		t.Errorf("RateLimit-Limit = %q", got)
	}
	// Invalid registrations count too: they cost as much.
	if clients, _ := ts.DB.ListClients(context.Background()); len(clients) != DefaultRegistrationRate {
		t.Errorf("%d clients stored, want %d", len(clients), DefaultRegistrationRate)
	}

	// Another address has its own budget.
	req := httptest.NewRequest(http.MethodPost, "/register", strings.NewReader(mcpRegistration))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "192.0.2.7:41000"
	rec := httptest.NewRecorder()
	ts.serveRegister(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("from another address: status %d: %s", rec.Code, rec.Body)
	}
	c, err := ts.DB.Client(context.Background(), decodeObject(t, rec.Body.Bytes())["client_id"].(string))
	if err != nil || c.RegisteredFrom != "192.0.2.7" {
		t.Errorf("RegisteredFrom = %q (%v), want 192.0.2.7", c.RegisteredFrom, err)
	}
}

// auditRecorder keeps audit events in memory.
type auditRecorder struct{ events chan store.AuditEvent }

func (a auditRecorder) Record(_ context.Context, e store.AuditEvent) { a.events <- e }

func TestRegisterAudit(t *testing.T) {
	rec := auditRecorder{events: make(chan store.AuditEvent, 10)}
	ts := newTestServer(t, func(o *Options) { o.Audit = rec })
	r := ts.register(t, mcpRegistration)
	select {
	case e := <-rec.events:
		if e.Action != "oauth.register" || e.Target != r.str("client_id") || e.Result != store.ResultOK ||
			e.Detail != "Claude Code" || !strings.HasPrefix(e.ClientAddr, "127.0.0.1:") {
			t.Errorf("audit event = %+v", e)
		}
	default:
		t.Fatal("no audit event")
	}
}

// A closed server always answers 403, never 429: the refusal costs
// nothing, and clients must learn registration is closed, not to wait.
func TestRegisterClosedIsNotRateLimited(t *testing.T) {
	ts := newTestServer(t, func(o *Options) { o.Registration = RegistrationClosed })
	for range DefaultRegistrationRate + 2 {
		resp, b := ts.postJSON(t, "/register", mcpRegistration)
		checkError(t, resp, b, http.StatusForbidden, "access_denied")
	}
}

// Wrong initial access tokens are rate limited like registrations, so the
// token cannot be guessed quickly.
func TestRegisterTokenGuessingIsRateLimited(t *testing.T) {
	ts := newTestServer(t, frozenLimiter, func(o *Options) {
		o.Registration = RegistrationToken
		o.InitialAccessTokenHash = hashOf("the-token")
	})
	for range DefaultRegistrationRate {
		resp, b := ts.postJSON(t, "/register", mcpRegistration, bearer("guess")...)
		checkError(t, resp, b, http.StatusUnauthorized, "invalid_token")
	}
	resp, b := ts.postJSON(t, "/register", mcpRegistration, bearer("the-token")...)
	checkError(t, resp, b, http.StatusTooManyRequests, "temporarily_unavailable")
}
