package oauth

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"slices"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/store"
)

// tokenResponse is RFC 6749 section 5.1's successful response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// accessClaims are the claims of skillgate's access tokens (RFC 9068).
type accessClaims struct {
	jwt.RegisteredClaims
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
	// GrantID names the grant the token was issued under; revoking the
	// grant stops the token.
	GrantID string `json:"sid"`
	// KeyID is the API key linked to the grant, if any.
	KeyID string `json:"key_id,omitempty"`
}

// serveToken is the token endpoint (RFC 6749 section 3.2).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if oerr := s.parseTokenForm(w, r); oerr != nil {
		writeError(w, r, oerr)
		return
	}
	var (
		resp *tokenResponse
		oerr *oauthError
	)
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		resp, oerr = s.exchangeCode(r)
	case "refresh_token":
		resp, oerr = s.refresh(r)
	case "client_credentials":
		resp, oerr = s.clientCredentials(r)
	case "":
		oerr = newError(http.StatusBadRequest, errInvalidRequest, "grant_type is missing", "")
	default:
		oerr = newError(http.StatusBadRequest, errUnsupportedGrantType, "grant_type must be authorization_code, refresh_token or client_credentials", "")
	}
	if oerr != nil {
		writeError(w, r, oerr)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// parseTokenForm accepts only a POSTed form of bounded size in which no
// parameter repeats.
func (s *Server) parseTokenForm(w http.ResponseWriter, r *http.Request) *oauthError {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return newError(http.StatusMethodNotAllowed, errInvalidRequest, "use POST", "")
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/x-www-form-urlencoded" {
		return newError(http.StatusBadRequest, errInvalidRequest, "the body must be application/x-www-form-urlencoded", "")
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return newError(http.StatusBadRequest, errInvalidRequest, "the form cannot be parsed or is too large", "")
	}
	for name, values := range r.PostForm {
		if len(values) > 1 {
			return newError(http.StatusBadRequest, errInvalidRequest, "the parameter "+name+" is given more than once", "")
		}
	}
	return nil
}

// issue makes the token response for a grant: an access token for
// scopes, and a refresh token when refresh is non-empty.
func (s *Server) issue(ctx context.Context, g store.OAuthGrant, scopes []string, refresh string) (*tokenResponse, *oauthError) {
	now := s.now()
	exp := now.Add(s.opts.AccessTokenTTL)
	if !g.ExpiresAt.IsZero() && g.ExpiresAt.Before(exp) {
		// A token never outlives its grant: for sign-ins at an identity
		// provider, the grant's end is the only bound there is.
		exp = g.ExpiresAt
	}
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer: s.opts.Issuer, Subject: subjectOf(g.Identity), Audience: jwt.ClaimStrings{g.Resource},
			IssuedAt: jwt.NewNumericDate(now), NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(exp), ID: randomToken("", 16),
		},
		Scope: joinScopes(scopes), ClientID: g.ClientID, GrantID: g.ID, KeyID: g.Identity.CredentialID,
	}
	token, err := s.signer.Sign(ctx, claims)
	if err != nil {
		s.opts.Logger.ErrorContext(ctx, "signing an access token", "err", err)
		return nil, unavailable()
	}
	if err := s.opts.Store.TouchClient(ctx, g.ClientID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.opts.Logger.WarnContext(ctx, "recording client use", "err", err)
	}
	return &tokenResponse{
		AccessToken: token, TokenType: "Bearer", ExpiresIn: int64(exp.Sub(now) / time.Second),
		Scope: joinScopes(scopes), RefreshToken: refresh,
	}, nil
}

// subjectOf is the sub claim of tokens issued for id: the linked key's id,
// or the identity provider's subject.
func subjectOf(id store.OAuthIdentity) string {
	if id.CredentialID != "" {
		return id.CredentialID
	}
	return id.Subject
}

// checkedPrincipal checks the grant's identity again; a key revoked since
// the grant ends the grant.
func (s *Server) checkedPrincipal(ctx context.Context, g store.OAuthGrant) (auth.Principal, *oauthError) {
	p, err := s.principalOf(ctx, g.Identity)
	if err == nil {
		return p, nil
	}
	if auth.Refused(err) {
		if rerr := s.opts.Store.RevokeGrant(ctx, g.ID, "linked credential no longer valid", s.now()); rerr != nil {
			s.opts.Logger.WarnContext(ctx, "revoking a grant whose key is gone", "err", rerr)
		}
		return auth.Principal{}, newError(http.StatusBadRequest, errInvalidGrant, "the API key this grant was made with is no longer valid ("+auth.ErrorResponse(err, "").Message+")", "Sign in again.")
	}
	s.opts.Logger.ErrorContext(ctx, "checking a grant's credential", "err", err)
	return auth.Principal{}, unavailable()
}

// resourceParam checks an optional resource parameter against want.
func (s *Server) resourceParam(r *http.Request, want string) *oauthError {
	raw := r.PostForm.Get("resource")
	if raw == "" {
		return nil
	}
	if got, ok := s.resource(raw); !ok || got != want {
		return newError(http.StatusBadRequest, errInvalidTarget, "resource must be "+want+", the resource this grant is for", "")
	}
	return nil
}

// narrowScopes applies an optional scope parameter: it may only narrow.
func narrowScopes(raw string, granted []string) ([]string, *oauthError) {
	if raw == "" {
		return granted, nil
	}
	asked := parseScope(raw)
	if !subset(asked, granted) {
		return nil, newError(http.StatusBadRequest, errInvalidScope, "scope asks for more than was granted ("+joinScopes(granted)+")", "")
	}
	return asked, nil
}

func unavailable() *oauthError {
	return newError(http.StatusServiceUnavailable, errUnavailable, "the authorization server is temporarily unavailable", "Retry in a few seconds.")
}

// hasGrantType reports whether c registered grant type gt.
func hasGrantType(c store.OAuthClient, gt string) bool { return slices.Contains(c.GrantTypes, gt) }

// managedKeyOf names the managed key an identity signed in with, for audit
// rows; "" for static keys and identity-provider users.
func managedKeyOf(id store.OAuthIdentity) string {
	if id.Source == string(auth.SourceManagedKey) {
		return id.CredentialID
	}
	return ""
}
