package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/skillgate/skillgate/ratelimit"
	"github.com/skillgate/skillgate/store"
)

// codeInvalidToken is the error of a missing or wrong bearer token (RFC
// 6750 section 3.1): the initial access token of the "token" registration
// policy, or a registration access token (RFC 7592).
const codeInvalidToken = "invalid_token"

// serveRegister is the dynamic client registration endpoint (RFC 7591).
// MCP clients register themselves here before their first authorization
// request, so under the default open policy anyone may; the registration
// rate per network address is limited.
func (s *Server) serveRegister(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, r, newError(http.StatusMethodNotAllowed, errInvalidRequest,
			"client registration takes POST with a JSON body of client metadata (RFC 7591)", ""))
		return
	}
	if s.opts.Registration == RegistrationClosed {
		writeError(w, r, newError(http.StatusForbidden, errAccessDenied,
			"dynamic client registration is disabled on this server",
			"Ask the administrator to configure this client in platform.yaml, and use the client_id it is given there."))
		return
	}
	// Limited before the initial access token is checked, so that it
	// cannot be guessed quickly.
	ctx := r.Context()
	addr := clientIP(r)
	d, err := s.opts.Limiter.Allow(ctx, "register:"+ratelimit.Address(r), s.opts.RegistrationRate)
	if err != nil {
		s.opts.Logger.ErrorContext(ctx, "rate limiting a client registration", "err", err)
		writeError(w, r, newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", "Retry shortly."))
		return
	}
	if d.Limit > 0 {
		ratelimit.SetHeaders(w.Header(), d)
	}
	if !d.Allowed {
		retry := max(int64((d.RetryAfter+time.Second-1)/time.Second), 1)
		w.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
		writeError(w, r, newError(http.StatusTooManyRequests, errUnavailable,
			fmt.Sprintf("too many client registrations from this address: at most %d per minute", d.Limit),
			fmt.Sprintf("Retry in %d seconds (see the Retry-After header). A client should register once and keep its client_id.", retry)))
		return
	}
	if s.opts.Registration == RegistrationToken {
		token, ok := bearerCredential(r)
		if !ok || !equalHash(s.opts.InitialAccessTokenHash, hashOf(token)) {
			if ok {
				s.audit(ctx, store.AuditEvent{Action: "oauth.register", Result: store.ResultDenied,
					ClientAddr: r.RemoteAddr, Detail: "wrong initial access token"})
			}
			writeBearerError(w, ok, "client registration needs a valid initial access token (Authorization: Bearer <token>)",
				"Ask the administrator for the registration token, or for a client configured in platform.yaml.")
			return
		}
	}
	body, oerr := readJSONBody(w, r)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	m, oerr := s.parseClientMetadata(body)
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}

	now := s.now()
	regToken := randomToken("", 32)
	c := store.OAuthClient{
		ID:                      randomToken("cl_", 32),
		RegistrationTokenHash:   hashOf(regToken),
		Name:                    m.ClientName,
		RedirectURIs:            m.RedirectURIs,
		GrantTypes:              m.GrantTypes,
		ResponseTypes:           m.ResponseTypes,
		TokenEndpointAuthMethod: m.TokenEndpointAuthMethod,
		Scope:                   m.Scope,
		Metadata:                m.Info.encode(),
		CreatedAt:               now,
		UpdatedAt:               now,
		RegisteredFrom:          addr,
	}
	var secret string
	if isConfidential(c.TokenEndpointAuthMethod) {
		secret = randomToken("", 32)
		c.SecretHash = hashOf(secret)
	}
	if err := s.opts.Store.CreateClient(ctx, c); err != nil {
		s.opts.Logger.ErrorContext(ctx, "storing a registered client", "err", err)
		writeError(w, r, newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", "Retry shortly."))
		return
	}
	s.audit(ctx, store.AuditEvent{Action: "oauth.register", Target: c.ID, Result: store.ResultOK,
		ClientAddr: r.RemoteAddr, Detail: c.Name})
	resp := s.clientResponse(c)
	if secret != "" {
		resp.withSecret(secret)
	}
	resp.RegistrationAccessToken = regToken
	writeJSON(w, http.StatusCreated, resp)
}

// readJSONBody reads a request body that must be JSON of at most
// maxRegistrationBytes.
func readJSONBody(w http.ResponseWriter, r *http.Request) ([]byte, *oauthError) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, newError(http.StatusBadRequest, errInvalidClientMeta,
			"the request body must be client metadata with Content-Type: application/json", "Send the metadata as a JSON object (RFC 7591 section 3.1).")
	}
	if r.ContentLength > maxRegistrationBytes {
		return nil, bodyTooLarge()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistrationBytes))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, bodyTooLarge()
		}
		return nil, newError(http.StatusBadRequest, errInvalidClientMeta, "the request body could not be read", "")
	}
	return body, nil
}

func bodyTooLarge() *oauthError {
	return newError(http.StatusBadRequest, errInvalidClientMeta,
		fmt.Sprintf("body too large: client metadata is limited to %d KiB", maxRegistrationBytes>>10), "")
}

// bearerCredential returns the token of an Authorization: Bearer header.
func bearerCredential(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

// writeBearerError refuses a request whose bearer token is missing or
// wrong, with the challenge of RFC 6750 section 3: no error code when no
// token was presented.
func writeBearerError(w http.ResponseWriter, presented bool, description, hint string) {
	challenge := `Bearer realm="skillgate"`
	if presented {
		challenge += `, error="invalid_token"`
	}
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, http.StatusUnauthorized, newError(http.StatusUnauthorized, codeInvalidToken, description, hint))
}

// clientIP is the address of the client's end of the connection, without
// the port, recorded as where a client registered from. Forwarding headers are not trusted: anyone could set them.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// Client metadata values of RFC 7591 section 2 this server supports.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantClientCredentials = "client_credentials"

	responseTypeCode = "code"

	authMethodNone              = "none"
	authMethodClientSecretBasic = "client_secret_basic"
	authMethodClientSecretPost  = "client_secret_post"
)

var (
	supportedGrantTypes  = []string{grantAuthorizationCode, grantRefreshToken, grantClientCredentials}
	supportedAuthMethods = []string{authMethodNone, authMethodClientSecretBasic, authMethodClientSecretPost}
)

// Limits on registered metadata.
const (
	maxClientNameLength  = 200  // characters
	maxRedirectURIs      = 20   // per client
	maxInfoFieldLength   = 2000 // bytes, each informational string
	maxContacts          = 20
	maxRegistrationBytes = 64 << 10
)

// clientMetadata is the validated metadata of a registration (RFC 7591) or
// an update (RFC 7592), defaults applied.
type clientMetadata struct {
	RedirectURIs            []string
	GrantTypes              []string
	ResponseTypes           []string
	TokenEndpointAuthMethod string
	ClientName              string
	Scope                   string
	Info                    clientInfo

	// ClientID and ClientSecret are what an RFC 7592 update carries to
	// identify the client; a registration's are ignored.
	ClientID     string
	ClientSecret string
}

// clientInfo holds the informational fields of RFC 7591 section 2 that are
// kept and echoed back; they are stored as OAuthClient.Metadata.
type clientInfo struct {
	ClientURI       string   `json:"client_uri,omitempty"`
	LogoURI         string   `json:"logo_uri,omitempty"`
	PolicyURI       string   `json:"policy_uri,omitempty"`
	TosURI          string   `json:"tos_uri,omitempty"`
	Contacts        []string `json:"contacts,omitempty"`
	SoftwareID      string   `json:"software_id,omitempty"`
	SoftwareVersion string   `json:"software_version,omitempty"`
}

func (i clientInfo) empty() bool {
	return i.ClientURI == "" && i.LogoURI == "" && i.PolicyURI == "" && i.TosURI == "" &&
		len(i.Contacts) == 0 && i.SoftwareID == "" && i.SoftwareVersion == ""
}

// encode returns the JSON object OAuthClient.Metadata holds, nil if empty.
func (i clientInfo) encode() []byte {
	if i.empty() {
		return nil
	}
	b, _ := json.Marshal(i) // strings and a slice of strings: cannot fail
	return b
}

// decodeClientInfo reads OAuthClient.Metadata. Unreadable metadata (never
// written by this package) is ignored rather than failing the client.
func decodeClientInfo(b []byte) clientInfo {
	var i clientInfo
	if len(b) > 0 {
		_ = json.Unmarshal(b, &i)
	}
	return i
}

func metadataError(format string, args ...any) *oauthError {
	return newError(http.StatusBadRequest, errInvalidClientMeta, fmt.Sprintf(format, args...),
		"See RFC 7591 section 2 for the client metadata fields; this server supports grant_types authorization_code, refresh_token and client_credentials, response_types code, and token_endpoint_auth_method none, client_secret_basic or client_secret_post.")
}

func redirectURIError(format string, args ...any) *oauthError {
	return newError(http.StatusBadRequest, errInvalidRedirectURI, fmt.Sprintf(format, args...),
		"Register https redirect URIs, http://127.0.0.1:<port>/... or http://localhost:<port>/... for a native app's local listener (any port matches), or a private-use scheme like com.example.app:/callback.")
}

// parseClientMetadata decodes and validates the JSON body of a
// registration or an update. Unknown fields are ignored; a known field of
// the wrong type is an invalid_client_metadata error naming it. A null
// field is taken as absent.
func (s *Server) parseClientMetadata(body []byte) (clientMetadata, *oauthError) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || raw == nil {
		return clientMetadata{}, metadataError("the request body must be a JSON object of client metadata (RFC 7591)")
	}
	var m clientMetadata
	var oerr *oauthError
	str := func(name string, dst *string) {
		if oerr == nil {
			oerr = decodeField(raw, name, dst, "a string")
		}
	}
	list := func(name string, dst *[]string) {
		if oerr == nil {
			oerr = decodeField(raw, name, dst, "an array of strings")
		}
	}
	list("redirect_uris", &m.RedirectURIs)
	list("grant_types", &m.GrantTypes)
	list("response_types", &m.ResponseTypes)
	str("token_endpoint_auth_method", &m.TokenEndpointAuthMethod)
	str("client_name", &m.ClientName)
	str("scope", &m.Scope)
	str("client_id", &m.ClientID)
	str("client_secret", &m.ClientSecret)
	str("client_uri", &m.Info.ClientURI)
	str("logo_uri", &m.Info.LogoURI)
	str("policy_uri", &m.Info.PolicyURI)
	str("tos_uri", &m.Info.TosURI)
	list("contacts", &m.Info.Contacts)
	str("software_id", &m.Info.SoftwareID)
	str("software_version", &m.Info.SoftwareVersion)
	if oerr != nil {
		return clientMetadata{}, oerr
	}
	if oerr := s.validateClientMetadata(&m); oerr != nil {
		return clientMetadata{}, oerr
	}
	return m, nil
}

// decodeField decodes raw[name] into dst, leaving dst alone when the field
// is absent or null.
func decodeField[T any](raw map[string]json.RawMessage, name string, dst *T, want string) *oauthError {
	v, ok := raw[name]
	if !ok || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil
	}
	if err := json.Unmarshal(v, dst); err != nil {
		return metadataError("%s must be %s", name, want)
	}
	return nil
}

// validateClientMetadata checks m and applies the defaults of RFC 7591
// section 2, except that response_types defaults to ["code"] only for
// clients of the authorization code grant (a client_credentials client has
// no use for it).
func (s *Server) validateClientMetadata(m *clientMetadata) *oauthError {
	// Grant and response types.
	m.GrantTypes = distinct(m.GrantTypes)
	if len(m.GrantTypes) == 0 {
		m.GrantTypes = []string{grantAuthorizationCode}
	}
	for _, g := range m.GrantTypes {
		if !slices.Contains(supportedGrantTypes, g) {
			return metadataError("grant_types: %q is not supported; use authorization_code, refresh_token or client_credentials", g)
		}
	}
	authCode := slices.Contains(m.GrantTypes, grantAuthorizationCode)
	m.ResponseTypes = distinct(m.ResponseTypes)
	if len(m.ResponseTypes) == 0 && authCode {
		m.ResponseTypes = []string{responseTypeCode}
	}
	for _, rt := range m.ResponseTypes {
		if rt != responseTypeCode {
			return metadataError("response_types: %q is not supported; the only response type is code", rt)
		}
	}
	hasCode := slices.Contains(m.ResponseTypes, responseTypeCode)
	switch {
	case authCode && !hasCode:
		return metadataError("grant_types authorization_code needs response_types code")
	case hasCode && !authCode:
		return metadataError("response_types code needs grant_types authorization_code")
	}

	// Client authentication.
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = authMethodClientSecretBasic // RFC 7591 section 2
	}
	if !slices.Contains(supportedAuthMethods, m.TokenEndpointAuthMethod) {
		return metadataError("token_endpoint_auth_method: %q is not supported; use none (public clients, with PKCE), client_secret_basic or client_secret_post", m.TokenEndpointAuthMethod)
	}
	if m.TokenEndpointAuthMethod == authMethodNone && slices.Contains(m.GrantTypes, grantClientCredentials) {
		return metadataError("grant_types client_credentials needs a client secret: token_endpoint_auth_method must be client_secret_basic or client_secret_post")
	}

	// Redirect URIs.
	m.RedirectURIs = distinct(m.RedirectURIs)
	if authCode && len(m.RedirectURIs) == 0 {
		return redirectURIError("redirect_uris is required for the authorization_code grant")
	}
	if len(m.RedirectURIs) > maxRedirectURIs {
		return redirectURIError("at most %d redirect_uris may be registered", maxRedirectURIs)
	}
	for _, u := range m.RedirectURIs {
		if err := checkRedirectURI(u); err != nil {
			return redirectURIError("%s", err.Error())
		}
	}
	if m.RedirectURIs == nil {
		m.RedirectURIs = []string{}
	}

	// Name and scope.
	m.ClientName = strings.TrimSpace(m.ClientName)
	if utf8.RuneCountInString(m.ClientName) > maxClientNameLength {
		return metadataError("client_name must not be longer than %d characters", maxClientNameLength)
	}
	if strings.ContainsFunc(m.ClientName, unicode.IsControl) {
		return metadataError("client_name must not contain control characters")
	}
	scopes := parseScope(m.Scope)
	for _, sc := range scopes {
		if !slices.Contains(s.opts.SupportedScopes, sc) {
			return metadataError("scope: %q is not supported; supported scopes: %s", sc, strings.Join(s.opts.SupportedScopes, " "))
		}
	}
	m.Scope = strings.Join(scopes, " ")

	// Informational fields.
	for _, f := range []struct {
		name  string
		value *string
	}{
		{"client_uri", &m.Info.ClientURI}, {"logo_uri", &m.Info.LogoURI},
		{"policy_uri", &m.Info.PolicyURI}, {"tos_uri", &m.Info.TosURI},
	} {
		if oerr := checkInfoURI(f.name, *f.value); oerr != nil {
			return oerr
		}
	}
	if len(m.Info.Contacts) > maxContacts {
		return metadataError("contacts: at most %d may be given", maxContacts)
	}
	for _, f := range []struct {
		name  string
		value string
	}{{"software_id", m.Info.SoftwareID}, {"software_version", m.Info.SoftwareVersion}} {
		if len(f.value) > maxInfoFieldLength {
			return metadataError("%s must not be longer than %d bytes", f.name, maxInfoFieldLength)
		}
	}
	for _, c := range m.Info.Contacts {
		if len(c) > maxInfoFieldLength {
			return metadataError("contacts: each must not be longer than %d bytes", maxInfoFieldLength)
		}
	}
	if len(m.Info.Contacts) == 0 {
		m.Info.Contacts = nil
	}
	return nil
}

// checkInfoURI accepts an absent value or an absolute http(s) URL: these
// may be shown as links on the consent page.
func checkInfoURI(name, value string) *oauthError {
	if value == "" {
		return nil
	}
	u, err := url.Parse(value)
	if len(value) > maxInfoFieldLength || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return metadataError("%s must be an absolute http(s) URL of at most %d bytes", name, maxInfoFieldLength)
	}
	return nil
}

// distinct returns l without repeated values, in order; nil for none.
func distinct(l []string) []string {
	var out []string
	for _, v := range l {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// clientResponseBody is a client information response (RFC 7591 section
// 3.2.1, RFC 7592 section 3). No field is ever null: the arrays are always
// set, and everything optional is omitted when empty.
type clientResponseBody struct {
	ClientID                string `json:"client_id"`
	ClientIDIssuedAt        int64  `json:"client_id_issued_at"`
	ClientSecret            string `json:"client_secret,omitempty"`
	ClientSecretExpiresAt   *int64 `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string `json:"registration_access_token,omitempty"`
	RegistrationClientURI   string `json:"registration_client_uri,omitempty"`

	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	ClientName              string   `json:"client_name,omitempty"`
	Scope                   string   `json:"scope,omitempty"`
	clientInfo
}

// clientResponse describes c as registered. The caller adds the secrets it
// knows in clear: the client secret once, at registration, and the
// registration access token.
func (s *Server) clientResponse(c store.OAuthClient) clientResponseBody {
	body := clientResponseBody{
		ClientID:                c.ID,
		ClientIDIssuedAt:        c.CreatedAt.Unix(),
		RedirectURIs:            nonNil(c.RedirectURIs),
		GrantTypes:              nonNil(c.GrantTypes),
		ResponseTypes:           nonNil(c.ResponseTypes),
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod,
		ClientName:              c.Name,
		Scope:                   c.Scope,
		clientInfo:              decodeClientInfo(c.Metadata),
	}
	if c.RegistrationTokenHash != nil {
		body.RegistrationClientURI = s.registrationClientURI(c.ID)
	}
	return body
}

// withSecret adds a client secret issued in this response, which never
// expires (RFC 7591: client_secret_expires_at 0).
func (b *clientResponseBody) withSecret(secret string) {
	var never int64
	b.ClientSecret, b.ClientSecretExpiresAt = secret, &never
}

func (s *Server) registrationClientURI(clientID string) string {
	return s.opts.Issuer + "/register/" + url.PathEscape(clientID)
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// isConfidential reports whether a token endpoint authentication method
// uses a client secret.
func isConfidential(method string) bool {
	return method == authMethodClientSecretBasic || method == authMethodClientSecretPost
}
