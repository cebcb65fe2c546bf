package store

import (
	"context"
	"errors"
	"time"
)

// OAuthClient is a client of skillgate's authorization server, registered
// dynamically (RFC 7591) or written in platform.yaml. Secrets are kept only
// as SHA-256 hashes.
type OAuthClient struct {
	// ID is the client_id. Required, unique.
	ID string
	// SecretHash is the SHA-256 of the client secret; nil for a public
	// client (token_endpoint_auth_method "none").
	SecretHash []byte
	// RegistrationTokenHash is the SHA-256 of the RFC 7592 registration
	// access token; nil when the client cannot manage itself (clients
	// from platform.yaml).
	RegistrationTokenHash []byte
	// Name is client_name, shown on the consent page.
	Name string
	// RedirectURIs are the registered redirect URIs, in order.
	RedirectURIs []string
	// GrantTypes, ResponseTypes and TokenEndpointAuthMethod are the
	// registered values (RFC 7591 section 2).
	GrantTypes              []string
	ResponseTypes           []string
	TokenEndpointAuthMethod string
	// Scope is the registered scope string, if any.
	Scope string
	// Metadata holds the other registered fields the server echoes back
	// (client_uri, logo_uri, contacts, software_id...), as a JSON object;
	// nil when there are none.
	Metadata []byte
	// CreatedAt is when the client was registered. Required.
	CreatedAt time.Time
	// UpdatedAt is when it was last changed (RFC 7592 update).
	UpdatedAt time.Time
	// LastUsedAt is when it last obtained a token, updated at most about
	// once a minute.
	LastUsedAt time.Time
	// RegisteredFrom is the network address that registered it, or
	// "config" for clients from platform.yaml. Informational.
	RegisteredFrom string
}

// OAuthIdentity is who a grant was made for: the credential that signed in
// on skillgate's sign-in page (an API key, linked to the grant so that its
// limits and revocation apply to every token issued from it) or an identity
// provider's user. It is a snapshot of the auth.Principal, without secrets,
// that verification checks again on every request.
type OAuthIdentity struct {
	// Source is the principal's source ("managed_key", "static_key",
	// "oidc").
	Source string
	// CredentialID is the linked key's id ("key_..." or "static:<name>");
	// empty for identity-provider users.
	CredentialID string
	// SecretID names the key secret that signed in (hex SHA-256; not
	// usable as a credential), so that tokens die with a secret rotated
	// away.
	SecretID string
	// Subject, Issuer, User, Org, Teams and Roles describe an
	// identity-provider user; for keys they are informational.
	Subject string
	Issuer  string
	User    string
	Org     string
	Teams   []string
	Roles   []string
}

// Key returns a string naming the identity, used to remember consent: the
// same identity approving the same client again is not asked twice.
func (id OAuthIdentity) Key() string {
	if id.CredentialID != "" {
		return id.Source + "|" + id.CredentialID
	}
	return id.Source + "|" + id.Issuer + "|" + id.Subject
}

// OAuthRequest is an authorization request between /authorize and the
// person's decision: validated parameters, the secrets that bind the
// sign-in and consent forms to it and to the browser that began it, and,
// once signed in, who signed in. It lives for minutes.
type OAuthRequest struct {
	// ID is a public handle, "req_..." with 128 random bits or more.
	// Required, unique.
	ID string
	// BrowserHash is the SHA-256 of the cookie set on the browser that
	// sent the authorization request; the forms are accepted only from it.
	BrowserHash []byte
	// ClientID, RedirectURI, State, CodeChallenge, Resource and Scopes are
	// the validated request parameters.
	ClientID      string
	RedirectURI   string
	State         string
	CodeChallenge string
	Resource      string
	Scopes        []string
	// Identity is who signed in; nil until then.
	Identity *OAuthIdentity
	// CreatedAt and ExpiresAt bound its life. Both required.
	CreatedAt time.Time
	ExpiresAt time.Time
}

// OAuthCode is an authorization code, kept by its hash. A redeemed code's
// row stays until it expires, so a second redemption is recognised.
type OAuthCode struct {
	// Hash is the SHA-256 of the code. Required, unique.
	Hash []byte
	// ClientID, RedirectURI, CodeChallenge (S256), Resource and Scopes bind
	// the code to its request.
	ClientID      string
	RedirectURI   string
	CodeChallenge string
	Resource      string
	Scopes        []string
	// GrantID is the grant the code starts; created with the code.
	GrantID string
	// ExpiresAt is when the code stops being redeemable. Required.
	ExpiresAt time.Time
	// RedeemedAt is when it was redeemed; zero if not yet.
	RedeemedAt time.Time
}

// OAuthGrant is what one consent (or one client-credentials exchange)
// started: the identity, client, resource and scopes, and the family of
// refresh tokens issued under it. Access tokens name their grant, so
// revoking the grant stops them all, at once.
type OAuthGrant struct {
	// ID is "grt_..." with 128 random bits or more. Required, unique.
	ID       string
	ClientID string
	Identity OAuthIdentity
	Resource string
	Scopes   []string
	// CreatedAt is required. RevokedAt is zero while the grant is live.
	CreatedAt time.Time
	RevokedAt time.Time
	// RevokeReason says why it was revoked ("code replayed", "refresh
	// token reused", "revoked by client"...).
	RevokeReason string
	// Generation counts refresh rotations: the refresh token of the
	// current generation is the live one. 0 means no refresh token yet.
	Generation int
	// RotatedAt is when Generation last advanced.
	RotatedAt time.Time
	// ExpiresAt ends the grant and its refresh tokens; zero means never.
	ExpiresAt time.Time
}

// OAuthConsent records that an identity approved a client for some scopes,
// so the consent page is not shown again for the same or fewer scopes.
type OAuthConsent struct {
	ClientID    string
	IdentityKey string
	Scopes      []string
	GrantedAt   time.Time
}

// SigningKey is a private key skillgate signs its access tokens with.
type SigningKey struct {
	// ID is the kid: the RFC 7638 thumbprint of the public key. Required.
	ID string
	// Algorithm is the JWS algorithm, e.g. "ES256". Required.
	Algorithm string
	// PrivateKey is the PKCS #8 DER encoding of the private key. Required.
	PrivateKey []byte
	// CreatedAt is when the key was made and began signing. Required.
	CreatedAt time.Time
	// RetiresAt is when the key stops signing (a newer key takes over).
	RetiresAt time.Time
	// ExpiresAt is when its public key stops being published: RetiresAt
	// plus the longest token lifetime.
	ExpiresAt time.Time
}

// RefreshOutcome says what a refresh token presented to RotateRefresh was.
type RefreshOutcome int

// Outcomes of RotateRefresh.
const (
	// RefreshRotated: the token was the live one; the generation advanced
	// and the new token's hash was stored.
	RefreshRotated RefreshOutcome = iota + 1
	// RefreshReplayed: the token was the previous generation's, presented
	// again within the grace window; nothing changed, and the caller
	// answers with the current generation's token again.
	RefreshReplayed
	// RefreshReused: the token was an older one, or the previous one
	// outside the grace window; the grant has been revoked.
	RefreshReused
)

// ErrRevoked means a grant (or what hangs off it) was revoked.
var ErrRevoked = errors.New("revoked")

// ErrRedeemed means an authorization code was redeemed before. The grant
// it started has been revoked by the call that returned this.
var ErrRedeemed = errors.New("authorization code already redeemed")

// OAuth is the storage of the authorization server. Times are UTC with
// microsecond precision, as for keys; empty lists and byte slices are
// returned as nil. Every change that revokes a grant
// (RevokeGrant, RevokeClientGrants, DeleteClient, a replayed code, a reused
// refresh token) also changes Keys.KeysVersion, so that caches of grants
// validated against it never outlive a revocation.
type OAuth interface {
	// CreateClient stores a new client; ErrExists if the ID is taken.
	CreateClient(ctx context.Context, c OAuthClient) error
	// Client returns the client with the given ID, or ErrNotFound.
	Client(ctx context.Context, id string) (OAuthClient, error)
	// ListClients returns every client, oldest first.
	ListClients(ctx context.Context) ([]OAuthClient, error)
	// UpdateClient replaces a client's registered metadata (not ID,
	// CreatedAt, RegistrationTokenHash, LastUsedAt or RegisteredFrom);
	// ErrNotFound if there is none.
	UpdateClient(ctx context.Context, c OAuthClient) error
	// DeleteClient deletes a client and revokes its grants, in one
	// transaction; ErrNotFound if there is none.
	DeleteClient(ctx context.Context, id string, at time.Time) error
	// TouchClient records that the client obtained a token at at; it may
	// skip the write when LastUsedAt is less than a minute older.
	TouchClient(ctx context.Context, id string, at time.Time) error

	// CreateRequest stores a pending authorization request.
	CreateRequest(ctx context.Context, r OAuthRequest) error
	// Request returns a request that has not expired at now, or
	// ErrNotFound.
	Request(ctx context.Context, id string, now time.Time) (OAuthRequest, error)
	// SetRequestIdentity records who signed in for a request; ErrNotFound
	// if it is gone or expired at now.
	SetRequestIdentity(ctx context.Context, id string, identity OAuthIdentity, now time.Time) error
	// DeleteRequest removes a request, decided or abandoned. Deleting a
	// request that is gone is not an error.
	DeleteRequest(ctx context.Context, id string) error

	// Consent returns the consent identityKey gave clientID, or
	// ErrNotFound.
	Consent(ctx context.Context, clientID, identityKey string) (OAuthConsent, error)
	// SaveConsent records (or widens) a consent.
	SaveConsent(ctx context.Context, c OAuthConsent) error

	// CreateCode stores a code and the grant it starts, in one
	// transaction. ErrExists if the hash or grant ID is taken.
	CreateCode(ctx context.Context, c OAuthCode, g OAuthGrant) error
	// RedeemCode marks the code with the given hash redeemed at now and
	// returns it with its grant, atomically, so that of concurrent
	// redemptions exactly one succeeds. A code redeemed before returns
	// ErrRedeemed, with the code and its (now revoked) grant so the replay
	// can be reported; an unknown or expired code returns ErrNotFound.
	RedeemCode(ctx context.Context, hash []byte, now time.Time) (OAuthCode, OAuthGrant, error)

	// CreateGrant stores a grant that no code starts (client credentials).
	CreateGrant(ctx context.Context, g OAuthGrant) error
	// Grant returns the grant with the given ID, or ErrNotFound.
	Grant(ctx context.Context, id string) (OAuthGrant, error)
	// RevokeGrant revokes a grant and its refresh tokens; revoking a
	// revoked grant is not an error. ErrNotFound if there is none.
	RevokeGrant(ctx context.Context, id, reason string, at time.Time) error
	// RevokeClientGrants revokes every live grant of a client and returns
	// how many.
	RevokeClientGrants(ctx context.Context, clientID, reason string, at time.Time) (int, error)

	// AddRefresh stores the hash of a refresh token of the grant's given
	// generation and makes that generation current. ErrRevoked if the
	// grant is revoked; ErrNotFound if there is none.
	AddRefresh(ctx context.Context, grantID string, generation int, hash []byte, at time.Time) error
	// GrantByRefresh returns the grant a refresh token hash belongs to and
	// the token's generation, or ErrNotFound.
	GrantByRefresh(ctx context.Context, hash []byte) (OAuthGrant, int, error)
	// RotateRefresh decides, atomically, what a presented refresh token
	// (by hash) means: the live one is replaced by next (RefreshRotated);
	// the previous generation presented within grace of the rotation is a
	// replay (RefreshReplayed, nothing changes); anything older, or the
	// previous one later, revokes the grant (RefreshReused). Of
	// concurrent rotations of one token exactly one is RefreshRotated.
	// ErrNotFound for an unknown hash; ErrRevoked for a revoked or expired
	// grant.
	RotateRefresh(ctx context.Context, presented, next []byte, now time.Time, grace time.Duration) (OAuthGrant, RefreshOutcome, error)

	// SigningKeys returns every signing key not expired at now, newest
	// first.
	SigningKeys(ctx context.Context, now time.Time) ([]SigningKey, error)
	// AddSigningKey stores k and makes it the only key that signs, in one
	// transaction: every older key still signing gets RetiresAt =
	// k.CreatedAt and ExpiresAt = k.CreatedAt + keepPublished (its tokens
	// must still verify until they expire). It stores nothing and returns
	// false when a key created after notBefore exists, so that replicas
	// rotating at once make one key, not several.
	AddSigningKey(ctx context.Context, k SigningKey, notBefore time.Time, keepPublished time.Duration) (bool, error)

	// ServerSecret returns the named server secret, creating it from
	// generate on first use; every caller, in every replica, gets the
	// same bytes.
	ServerSecret(ctx context.Context, name string, generate func() ([]byte, error)) ([]byte, error)
}
