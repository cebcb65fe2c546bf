package oauth

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/store"
)

// ClientView is a registered client as an administrator sees it: what it
// registered, where from, and when it last obtained a token. It never holds
// a secret nor the hash of one (client secret, registration access token).
type ClientView struct {
	ID string `json:"client_id"`
	// Name is the registered client_name made safe to display (control
	// and bidirectional characters dropped, cut to a bounded length); ""
	// when the client gave none.
	Name                    string   `json:"client_name"`
	RedirectURIs            []string `json:"redirect_uris"`
	GrantTypes              []string `json:"grant_types"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Scope                   string   `json:"scope,omitempty"`
	// Configured is true for a client written in platform.yaml, which
	// only the configuration can delete.
	Configured bool `json:"configured"`
	// RegisteredFrom is "config" for a configured client, otherwise the
	// network address that registered it dynamically. Informational.
	RegisteredFrom string    `json:"registered_from"`
	CreatedAt      time.Time `json:"created_at"`
	// LastUsedAt is when the client last obtained a token (kept to about
	// a minute); nil if it never has. A pointer, as for API keys, so that
	// JSON says null rather than year 1.
	LastUsedAt *time.Time `json:"last_used_at"`
}

// newClientView returns what an administrator sees of c.
func newClientView(c store.OAuthClient) ClientView {
	v := ClientView{
		ID: c.ID, Name: displayName(c.Name),
		RedirectURIs: c.RedirectURIs, GrantTypes: c.GrantTypes,
		TokenEndpointAuthMethod: c.TokenEndpointAuthMethod, Scope: c.Scope,
		Configured: c.RegisteredFrom == registeredFromConfig, RegisteredFrom: c.RegisteredFrom,
		CreatedAt: c.CreatedAt,
	}
	if !c.LastUsedAt.IsZero() {
		t := c.LastUsedAt
		v.LastUsedAt = &t
	}
	// The store returns nil for empty lists; an administrator's tools
	// (and JSON clients in typed languages) get [] instead.
	if v.RedirectURIs == nil {
		v.RedirectURIs = []string{}
	}
	if v.GrantTypes == nil {
		v.GrantTypes = []string{}
	}
	return v
}

// ListClients returns every client stored (configured or registered
// dynamically), newest first: dynamic registration makes clients pile up,
// and the one an administrator looks for is usually recent. Clients known
// only by a metadata document URL are not stored and not listed. It needs
// the admin scope.
func (s *Server) ListClients(ctx context.Context, a apikey.Actor) ([]ClientView, error) {
	if err := needAdmin(a); err != nil {
		return nil, err
	}
	clients, err := s.opts.Store.ListClients(ctx)
	if err != nil {
		return nil, fmt.Errorf("list OAuth clients: %w", err)
	}
	slices.SortStableFunc(clients, func(x, y store.OAuthClient) int {
		return cmp.Or(y.CreatedAt.Compare(x.CreatedAt), cmp.Compare(x.ID, y.ID))
	})
	views := make([]ClientView, 0, len(clients))
	for _, c := range clients {
		views = append(views, newClientView(c))
	}
	return views, nil
}

// RevokeClientGrants revokes every live grant of the client with id and
// returns how many it revoked: their access and refresh tokens stop working
// at once here, and on other replicas as soon as they see the keys version
// the store changed (what cached tokens are checked against), as for a
// revocation at /revoke. The client stays registered, and so do the
// consents given to it: whoever signs in through it again gets tokens
// without being asked to approve it again. To stop a client for good,
// delete it. It needs the admin scope, and is audited as
// "oauth.client.revoke_grants".
func (s *Server) RevokeClientGrants(ctx context.Context, a apikey.Actor, id string) (n int, err error) {
	var target string // set once id is known to be a client's
	defer func() {
		s.auditAdmin(ctx, a, "oauth.client.revoke_grants", target, err, fmt.Sprintf("revoked %d grants", n))
	}()
	if err := needAdmin(a); err != nil {
		return 0, err
	}
	if _, err := s.storedClient(ctx, id); err != nil {
		return 0, err
	}
	target = id
	n, err = s.opts.Store.RevokeClientGrants(ctx, id, "revoked by an administrator", s.now())
	if err != nil {
		return 0, fmt.Errorf("revoke grants of OAuth client %s: %w", id, err)
	}
	return n, nil
}

// DeleteClient deletes a dynamically registered client, its consents, and
// revokes its grants, in one transaction: its tokens stop working at once
// and its client_id is unknown from then on (an MCP client registers
// again). A client written in platform.yaml is refused as a conflict: the
// next start would create it again, so it is removed from the
// configuration instead. It needs the admin scope, and is audited as
// "oauth.client.delete", like a client deleting itself (RFC 7592).
func (s *Server) DeleteClient(ctx context.Context, a apikey.Actor, id string) (err error) {
	var target, name string // set once id is known to be a client's
	defer func() { s.auditAdmin(ctx, a, "oauth.client.delete", target, err, name) }()
	if err := needAdmin(a); err != nil {
		return err
	}
	c, err := s.storedClient(ctx, id)
	if err != nil {
		return err
	}
	target, name = id, c.Name
	if c.RegisteredFrom == registeredFromConfig {
		return apikey.Conflict("OAuth client "+id+" is configured in platform.yaml and cannot be deleted here",
			"Remove it from auth.oauth.clients in platform.yaml and restart skillgate: that deletes it and revokes its grants. To stop its current tokens now, revoke its grants (POST /v1/oauth-clients/{id}/revoke-grants).")
	}
	err = s.opts.Store.DeleteClient(ctx, id, s.now())
	switch {
	case errors.Is(err, store.ErrNotFound): // deleted meanwhile
		return clientNotFound()
	case err != nil:
		return fmt.Errorf("delete OAuth client %s: %w", id, err)
	}
	return nil
}

// storedClient loads the client with id, or returns the not-found refusal.
func (s *Server) storedClient(ctx context.Context, id string) (store.OAuthClient, error) {
	c, err := s.opts.Store.Client(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.OAuthClient{}, clientNotFound()
	case err != nil:
		return store.OAuthClient{}, fmt.Errorf("load OAuth client %s: %w", id, err)
	}
	return c, nil
}

// clientNotFound does not repeat the id: what was typed where an id goes
// may be a client secret, which has the same shape.
func clientNotFound() error {
	return apikey.NotFound("OAuth client not found", "List the OAuth clients with GET /v1/oauth-clients to find the client's id.")
}

// needAdmin refuses an actor without the admin scope: managing clients
// affects every user's tokens.
func needAdmin(a apikey.Actor) error {
	if auth.Grants(a.Scopes, auth.ScopeAdmin) {
		return nil
	}
	return apikey.Forbidden(auth.ScopeAdmin, "Managing OAuth clients needs the "+auth.ScopeAdmin+" scope")
}

// auditAdmin records an administrator's change to a client, refused or
// not, under the actor's identity, as the key manager records key changes.
// target is empty unless it names a stored client: what was typed for an
// unknown one may be a secret pasted in the wrong place. detail describes
// a success; a refusal records its message instead, a failure nothing.
func (s *Server) auditAdmin(ctx context.Context, a apikey.Actor, action, target string, err error, detail string) {
	result := store.ResultOK
	switch {
	case err == nil:
	case apikey.KindOf(err) != 0:
		result, detail = store.ResultDenied, err.Error()
	default:
		result, detail = store.ResultError, ""
	}
	s.audit(ctx, store.AuditEvent{
		Time: s.now(), KeyID: a.Principal.ManagedKeyID(), Principal: a.Identity(),
		Action: action, Target: target, Result: result, ClientAddr: a.ClientAddr, Detail: detail,
	})
}
