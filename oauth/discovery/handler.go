package discovery

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/go-jose/go-jose/v4"

	"github.com/skillgate/skillgate/internal/apierror"
)

// Cache lifetimes of the documents. Metadata changes only with the
// configuration; keys rotate, so the JWKS is cached for less.
const (
	metadataCacheControl = "public, max-age=3600"
	jwksCacheControl     = "public, max-age=300"
)

// allowedMethods is the Allow header of every document.
const allowedMethods = "GET, HEAD, OPTIONS"

// Handler serves the discovery documents. Build it with New.
type Handler struct {
	keys KeySource
	// docs are the encoded metadata documents by path, built once by New
	// so that serving one can never fail.
	docs map[string][]byte
}

// New validates c and builds the documents it describes.
func New(c Config) (*Handler, error) {
	if err := ValidateIssuer(c.Issuer); err != nil {
		return nil, err
	}
	if c.Keys == nil {
		return nil, errors.New("discovery: Keys is required (it gives the JWKS)")
	}
	scopes := make([]string, 0, len(c.Scopes))
	for _, s := range c.Scopes {
		if !validScope(s) {
			return nil, fmt.Errorf("discovery: scope %q is not a valid scope token (RFC 6749 section 3.3)", s)
		}
		if !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	h := &Handler{keys: c.Keys, docs: make(map[string][]byte, 1+len(resourcePaths))}
	docs := map[string]any{AuthorizationServerPath: newAuthorizationServerMetadata(c, scopes)}
	for _, p := range resourcePaths {
		docs[ProtectedResourcePath+p] = newProtectedResourceMetadata(c.Issuer, p, scopes)
	}
	for path, doc := range docs {
		b, err := marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("discovery: encode %s: %w", path, err)
		}
		h.docs[path] = b
	}
	return h, nil
}

// Mount registers every discovery path on mux, unauthenticated: the
// metadata documents, the JWKS, a 404 for openid-configuration (skillgate
// is not an OpenID Provider, and a partial document misleads clients) and
// a 404 for every other path under /.well-known/.
func (h *Handler) Mount(mux *http.ServeMux) {
	for path, body := range h.docs {
		mux.Handle(path, h.document(body))
	}
	mux.Handle(JWKSPath, http.HandlerFunc(h.serveJWKS))
	mux.HandleFunc(openIDConfigurationPath, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
			"skillgate is not an OpenID Provider",
			"Read the OAuth authorization server metadata at "+AuthorizationServerPath+" instead."))
	})
	mux.HandleFunc(wellKnownPrefix, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, apierror.New(http.StatusNotFound, apierror.CodeNotFound,
			"No such well-known document",
			"skillgate serves "+AuthorizationServerPath+", "+ProtectedResourcePath+"/mcp, "+
				ProtectedResourcePath+"/sse, "+ProtectedResourcePath+" and "+JWKSPath+"."))
	})
}

// document serves a fixed metadata document.
func (h *Handler) document(body []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !allowMethod(w, r) {
			return
		}
		writeJSON(w, r, metadataCacheControl, body)
	})
}

// serveJWKS serves the public keys of the KeySource. A key source that
// fails gives 503: a client must not cache an empty set and reject every
// token until it expires.
func (h *Handler) serveJWKS(w http.ResponseWriter, r *http.Request) {
	if !allowMethod(w, r) {
		return
	}
	set, err := h.keys.PublicKeys(r.Context())
	if err == nil {
		var body []byte
		if body, err = marshal(publicOnly(set)); err == nil {
			writeJSON(w, r, jwksCacheControl, body)
			return
		}
	}
	w.Header().Set("Retry-After", "30")
	writeError(w, apierror.New(http.StatusServiceUnavailable, apierror.CodeUnavailable,
		"Signing keys are temporarily unavailable", "Retry in a little while."))
}

// publicOnly returns the public halves of the keys in set, leaving out any
// key that has none (a symmetric key). It never returns a nil Keys, so the
// set encodes as {"keys":[]} rather than {"keys":null}.
func publicOnly(set jose.JSONWebKeySet) jose.JSONWebKeySet {
	out := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(set.Keys))}
	for _, k := range set.Keys {
		if pub := k.Public(); pub.Valid() && pub.IsPublic() {
			out.Keys = append(out.Keys, pub)
		}
	}
	return out
}

// allowMethod answers a CORS preflight or a method other than GET and HEAD,
// and reports whether the request remains to be served.
func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	case http.MethodOptions:
		// A browser client that sends MCP-Protocol-Version with its
		// discovery request preflights it.
		h := w.Header()
		h.Set("Allow", allowedMethods)
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, HEAD")
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			h.Set("Access-Control-Allow-Headers", "MCP-Protocol-Version")
		}
		h.Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return false
	}
	w.Header().Set("Allow", allowedMethods)
	writeError(w, apierror.New(http.StatusMethodNotAllowed, apierror.CodeMethodNotAllowed,
		"Discovery documents are read with GET", ""))
	return false
}

// writeJSON sends a document. HEAD gets the headers only.
func writeJSON(w http.ResponseWriter, r *http.Request, cacheControl string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", cacheControl)
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// writeError sends a structured error that browser clients may read.
func writeError(w http.ResponseWriter, e *apierror.Error) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	apierror.Write(w, e)
}
