package auth

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Credential is a credential as presented by a client, before verification.
type Credential struct {
	// Token is the credential itself. It is a secret: never log it.
	Token string
	// QueryParam names the query parameter it came from; empty for the
	// Authorization header.
	QueryParam string
}

// CredentialFromRequest extracts the caller's credential from the
// Authorization header or, when queryParams is not empty, from the first of
// those query parameters that is present. It returns ErrNoCredential when
// there is none and an error wrapping ErrMalformedCredential, with a message
// fit for the client, when what is there is not usable. Error messages never
// contain the credential.
func CredentialFromRequest(r *http.Request, queryParams []string) (Credential, error) {
	var found []Credential
	switch values := r.Header.Values("Authorization"); len(values) {
	case 0:
	case 1:
		token, err := parseBearer(values[0])
		if err != nil {
			return Credential{}, err
		}
		found = append(found, Credential{Token: token})
	default:
		return Credential{}, fmt.Errorf("%w: more than one Authorization header", ErrMalformedCredential)
	}
	if len(queryParams) > 0 && r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return Credential{}, fmt.Errorf("%w: the query string cannot be parsed", ErrMalformedCredential)
		}
		for _, name := range queryParams {
			values, ok := q[name]
			if !ok {
				continue
			}
			if len(values) != 1 {
				return Credential{}, fmt.Errorf("%w: query parameter %s given %d times", ErrMalformedCredential, name, len(values))
			}
			if err := checkToken(values[0]); err != nil {
				return Credential{}, fmt.Errorf("%w (query parameter %s)", err, name)
			}
			found = append(found, Credential{Token: values[0], QueryParam: name})
		}
	}
	switch len(found) {
	case 0:
		return Credential{}, ErrNoCredential
	case 1:
		return found[0], nil
	default:
		return Credential{}, fmt.Errorf("%w: a credential was sent more than once (header and query parameter); send exactly one", ErrMalformedCredential)
	}
}

// parseBearer parses an Authorization header value of the form
// "Bearer <token>" (RFC 6750 section 2.1; the scheme is case-insensitive).
func parseBearer(value string) (string, error) {
	scheme, token, ok := strings.Cut(value, " ")
	if !ok && strings.EqualFold(scheme, "Bearer") {
		// net/http trims the space of "Bearer " away.
		return "", fmt.Errorf("%w: the token is empty", ErrMalformedCredential)
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		// The scheme is repeated only when it is plainly a scheme name: a
		// value without a space may be a bare key, which is never echoed.
		if !ok || len(scheme) > maxSchemeEcho || !isLetters(scheme) {
			return "", fmt.Errorf("%w: the Authorization header must be \"Bearer <token>\"", ErrMalformedCredential)
		}
		return "", fmt.Errorf("%w: the Authorization header uses scheme %q; it must be \"Bearer <token>\"", ErrMalformedCredential, scheme)
	}
	token = strings.TrimLeft(token, " ")
	if err := checkToken(token); err != nil {
		return "", err
	}
	return token, nil
}

// checkToken enforces RFC 6750's b64token syntax and MaxTokenLength.
func checkToken(token string) error {
	switch {
	case token == "":
		return fmt.Errorf("%w: the token is empty", ErrMalformedCredential)
	case len(token) > MaxTokenLength:
		return fmt.Errorf("%w: the token is longer than %d bytes", ErrMalformedCredential, MaxTokenLength)
	case !isToken68(token):
		return fmt.Errorf("%w: the token contains characters that are not allowed (letters, digits and -._~+/= only)", ErrMalformedCredential)
	}
	return nil
}

// isToken68 reports whether s matches 1*( ALPHA / DIGIT / "-" / "." / "_" /
// "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	if s == "" {
		return false
	}
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/':
		default:
			return false
		}
	}
	return true
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}

// LooksLikeJWT reports whether token has the shape of a JWS compact
// serialization whose header is a JSON object naming an algorithm. Such a
// token is only ever verified as a JWT, never tried as an API key.
func LooksLikeJWT(token string) bool {
	header, rest, ok := strings.Cut(token, ".")
	if !ok || strings.Count(rest, ".") != 1 || len(header) > MaxTokenLength {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return false
	}
	var h struct {
		Alg *string `json:"alg"`
	}
	return json.Unmarshal(raw, &h) == nil && h.Alg != nil
}

// WithoutQueryCredentials returns r with the named query parameters removed
// from its URL and RequestURI, so that nothing downstream (handlers, access
// logs, URLs echoed to clients) ever sees a credential sent in the query.
func WithoutQueryCredentials(r *http.Request, queryParams []string) *http.Request {
	if len(queryParams) == 0 || r.URL.RawQuery == "" {
		return r
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return r
	}
	removed := false
	for _, name := range queryParams {
		if _, ok := q[name]; ok {
			q.Del(name)
			removed = true
		}
	}
	if !removed {
		return r
	}
	r2 := r.Clone(r.Context())
	r2.URL.RawQuery = q.Encode()
	r2.RequestURI = r2.URL.RequestURI()
	return r2
}
