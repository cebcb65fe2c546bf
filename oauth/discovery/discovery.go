// Package discovery serves skillgate's OAuth discovery documents: the
// authorization server metadata of RFC 8414, the protected resource
// metadata of RFC 9728 (one document per MCP transport, as the MCP
// authorization specification, revision 2025-11-25, asks) and the JSON Web
// Key Set that verifies the tokens skillgate issues.
//
// Every URL in every document is derived from Config.Issuer, never from the
// request: a Host or X-Forwarded-Host header cannot make skillgate point a
// client at another server.
package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// Paths of the endpoints the authorization server metadata advertises,
// relative to the issuer.
const (
	AuthorizePath = "/authorize"
	TokenPath     = "/token"
	RegisterPath  = "/register"
	RevokePath    = "/revoke"
	JWKSPath      = "/.well-known/jwks.json"
)

// Well-known paths served by Handler.
const (
	AuthorizationServerPath = "/.well-known/oauth-authorization-server"
	ProtectedResourcePath   = "/.well-known/oauth-protected-resource"
	openIDConfigurationPath = "/.well-known/openid-configuration"
	wellKnownPrefix         = "/.well-known/"
)

// Paths of the protected resources: the MCP transports, and the origin
// itself.
const (
	MCPResourcePath = "/mcp"
	SSEResourcePath = "/sse"
)

// resourcePaths are the protected resources, each relative to the issuer;
// "" is the issuer itself.
var resourcePaths = [...]string{MCPResourcePath, SSEResourcePath, ""}

// ResourceName is the human-readable name in the protected resource
// metadata.
const ResourceName = "skillgate"

// KeySource gives the public keys that verify the tokens skillgate signs.
type KeySource interface {
	PublicKeys(ctx context.Context) (jose.JSONWebKeySet, error)
}

// Config configures a Handler.
type Config struct {
	// Issuer is the public base URL of the server: an http(s) origin with no
	// path, query, fragment or trailing slash, e.g. https://skills.example.com.
	Issuer string
	// Scopes are the scopes_supported of every document.
	Scopes []string
	// Keys gives the JWKS. Required.
	Keys KeySource
	// ClientIDMetadataDocuments advertises support for OAuth Client ID
	// Metadata Documents (client_id_metadata_document_supported).
	ClientIDMetadataDocuments bool
}

// ResourceMetadataURL returns the URL of the protected resource metadata of
// the resource at resourcePath ("/mcp", "/sse", or "" for the origin),
// built as RFC 9728 section 3.1 says: the well-known path inserted between
// the origin and the resource's path. issuer must be a valid Config.Issuer.
func ResourceMetadataURL(issuer, resourcePath string) string {
	return issuer + ProtectedResourcePath + resourcePath
}

// Resources returns the identifiers of the protected resources:
// <issuer>/mcp, <issuer>/sse and <issuer>. issuer must be a valid
// Config.Issuer.
func Resources(issuer string) []string {
	out := make([]string, 0, len(resourcePaths))
	for _, p := range resourcePaths {
		out = append(out, issuer+p)
	}
	return out
}

// ValidateIssuer reports why issuer is not an acceptable Config.Issuer, or
// nil if it is.
func ValidateIssuer(issuer string) error {
	const want = "must be an http(s) origin such as https://skills.example.com"
	fail := func(why string) error {
		return fmt.Errorf("discovery: issuer %q %s (%s)", issuer, want, why)
	}
	if issuer == "" {
		return errors.New("discovery: issuer is required: " + want)
	}
	for i := 0; i < len(issuer); i++ {
		if c := issuer[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return fail("contains a space, a quote, a backslash, a control or a non-ASCII character")
		}
	}
	u, err := url.Parse(issuer)
	switch {
	case err != nil:
		return fail("does not parse")
	case u.Scheme != "http" && u.Scheme != "https", !strings.HasPrefix(issuer, u.Scheme+":"):
		return fail("scheme must be http or https, in lower case")
	case u.Opaque != "" || u.Host == "" || u.Hostname() == "":
		return fail("host missing")
	case u.User != nil:
		return fail("no user or password")
	case u.Path == "/":
		return fail("no trailing slash")
	case u.Path != "" || u.RawPath != "":
		return fail("no path")
	case u.RawQuery != "" || u.ForceQuery || strings.Contains(issuer, "?"):
		return fail("no query")
	case u.Fragment != "" || u.RawFragment != "" || strings.Contains(issuer, "#"):
		return fail("no fragment")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fail("port must be 1-65535")
		}
	} else if strings.HasSuffix(u.Host, ":") {
		return fail("empty port")
	}
	if u.String() != issuer {
		return fail("not in canonical form")
	}
	return nil
}

// validScope reports whether s is a scope token of RFC 6749 section 3.3.
func validScope(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// authorizationServerMetadata is the document of RFC 8414 section 2. Every
// field is omitempty, so that none is ever null.
type authorizationServerMetadata struct {
	Issuer                                     string   `json:"issuer,omitempty"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint,omitempty"`
	TokenEndpoint                              string   `json:"token_endpoint,omitempty"`
	RegistrationEndpoint                       string   `json:"registration_endpoint,omitempty"`
	RevocationEndpoint                         string   `json:"revocation_endpoint,omitempty"`
	JWKSURI                                    string   `json:"jwks_uri,omitempty"`
	ScopesSupported                            []string `json:"scopes_supported,omitempty"`
	ResponseTypesSupported                     []string `json:"response_types_supported,omitempty"`
	ResponseModesSupported                     []string `json:"response_modes_supported,omitempty"`
	GrantTypesSupported                        []string `json:"grant_types_supported,omitempty"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported,omitempty"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported,omitempty"`
	RevocationEndpointAuthMethodsSupported     []string `json:"revocation_endpoint_auth_methods_supported,omitempty"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported,omitempty"`
	ClientIDMetadataDocumentSupported          bool     `json:"client_id_metadata_document_supported,omitempty"`
}

// protectedResourceMetadata is the document of RFC 9728 section 2.
type protectedResourceMetadata struct {
	Resource               string   `json:"resource,omitempty"`
	AuthorizationServers   []string `json:"authorization_servers,omitempty"`
	ScopesSupported        []string `json:"scopes_supported,omitempty"`
	BearerMethodsSupported []string `json:"bearer_methods_supported,omitempty"`
	ResourceName           string   `json:"resource_name,omitempty"`
}

// clientAuthMethods are the client authentication methods of the token and
// revocation endpoints.
var clientAuthMethods = []string{"none", "client_secret_basic", "client_secret_post"}

func newAuthorizationServerMetadata(c Config, scopes []string) authorizationServerMetadata {
	return authorizationServerMetadata{
		Issuer:                                     c.Issuer,
		AuthorizationEndpoint:                      c.Issuer + AuthorizePath,
		TokenEndpoint:                              c.Issuer + TokenPath,
		RegistrationEndpoint:                       c.Issuer + RegisterPath,
		RevocationEndpoint:                         c.Issuer + RevokePath,
		JWKSURI:                                    c.Issuer + JWKSPath,
		ScopesSupported:                            scopes,
		ResponseTypesSupported:                     []string{"code"},
		ResponseModesSupported:                     []string{"query"},
		GrantTypesSupported:                        []string{"authorization_code", "refresh_token", "client_credentials"},
		CodeChallengeMethodsSupported:              []string{"S256"},
		TokenEndpointAuthMethodsSupported:          slices.Clone(clientAuthMethods),
		RevocationEndpointAuthMethodsSupported:     slices.Clone(clientAuthMethods),
		AuthorizationResponseIssParameterSupported: true,
		ClientIDMetadataDocumentSupported:          c.ClientIDMetadataDocuments,
	}
}

func newProtectedResourceMetadata(issuer, resourcePath string, scopes []string) protectedResourceMetadata {
	return protectedResourceMetadata{
		Resource:               issuer + resourcePath,
		AuthorizationServers:   []string{issuer},
		ScopesSupported:        scopes,
		BearerMethodsSupported: []string{"header"},
		ResourceName:           ResourceName,
	}
}

// marshal encodes v as the body of a response.
func marshal(v any) ([]byte, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}
