package oauth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/skillgate/skillgate/store"
)

// registeredFromConfig is the RegisteredFrom of clients from platform.yaml.
const registeredFromConfig = "config"

// ConfiguredClient is a client written in platform.yaml.
type ConfiguredClient struct {
	// ID is the client_id. Required.
	ID string
	// Name is shown on the consent page.
	Name string
	// SecretSHA256 is the SHA-256 of the client secret; nil for a public
	// client.
	SecretSHA256 []byte
	// RedirectURIs are required for the authorization_code grant.
	RedirectURIs []string
	// GrantTypes default to authorization_code.
	GrantTypes []string
	// Scope, if set, is the client's registered scope string.
	Scope string
}

// SeedClients stores the clients of platform.yaml: each is created, or
// updated when it exists from an earlier start. A dynamically registered
// client with the same ID is not overwritten (an error). Clients that an
// earlier configuration had and this one has not are deleted, which
// revokes their grants: removing a client from platform.yaml must stop it.
// Clients with a secret authenticate with client_secret_basic (the method
// they are registered with), the others are public ("none"). They have no
// registration access token, so RFC 7592 cannot change them.
func (s *Server) SeedClients(ctx context.Context, clients []ConfiguredClient) error {
	now := s.now()
	seen := make(map[string]bool, len(clients))
	for _, cc := range clients {
		if cc.ID == "" {
			return errors.New("oauth: a configured client has no id")
		}
		if seen[cc.ID] {
			return fmt.Errorf("oauth: client %q is configured twice", cc.ID)
		}
		seen[cc.ID] = true
		if cc.SecretSHA256 != nil && len(cc.SecretSHA256) != sha256.Size {
			return fmt.Errorf("oauth: client %q: the secret hash must be a SHA-256 (%d bytes)", cc.ID, sha256.Size)
		}
		m := clientMetadata{
			RedirectURIs:            slices.Clone(cc.RedirectURIs),
			GrantTypes:              slices.Clone(cc.GrantTypes),
			TokenEndpointAuthMethod: authMethodNone,
			ClientName:              cc.Name,
			Scope:                   cc.Scope,
		}
		if cc.SecretSHA256 != nil {
			m.TokenEndpointAuthMethod = authMethodClientSecretBasic
		}
		if oerr := s.validateClientMetadata(&m); oerr != nil {
			return fmt.Errorf("oauth: client %q: %s", cc.ID, oerr.Description)
		}
		c := store.OAuthClient{
			ID:                      cc.ID,
			SecretHash:              slices.Clone(cc.SecretSHA256),
			Name:                    m.ClientName,
			RedirectURIs:            m.RedirectURIs,
			GrantTypes:              m.GrantTypes,
			ResponseTypes:           m.ResponseTypes,
			TokenEndpointAuthMethod: m.TokenEndpointAuthMethod,
			Scope:                   m.Scope,
			CreatedAt:               now,
			UpdatedAt:               now,
			RegisteredFrom:          registeredFromConfig,
		}
		old, err := s.opts.Store.Client(ctx, cc.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			err = s.opts.Store.CreateClient(ctx, c)
		case err != nil:
		case old.RegisteredFrom != registeredFromConfig:
			return fmt.Errorf("oauth: client %q: a dynamically registered client has this id; choose another id for the configured client", cc.ID)
		case sameClient(old, c):
			continue
		default:
			err = s.opts.Store.UpdateClient(ctx, c)
		}
		if err != nil {
			return fmt.Errorf("oauth: store client %q: %w", cc.ID, err)
		}
	}
	all, err := s.opts.Store.ListClients(ctx)
	if err != nil {
		return fmt.Errorf("oauth: list clients: %w", err)
	}
	for _, c := range all {
		if c.RegisteredFrom != registeredFromConfig || seen[c.ID] {
			continue
		}
		if err := s.opts.Store.DeleteClient(ctx, c.ID, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("oauth: delete client %q, no longer configured: %w", c.ID, err)
		}
		s.opts.Logger.InfoContext(ctx, "deleted an OAuth client no longer in the configuration", "client_id", c.ID)
		s.audit(ctx, store.AuditEvent{Action: "oauth.client.delete", Target: c.ID, Result: store.ResultOK,
			Detail: "no longer configured"})
	}
	return nil
}

// sameClient reports whether a configured client's stored registration is
// already what the configuration says, so a restart writes nothing.
func sameClient(a, b store.OAuthClient) bool {
	return slices.Equal(a.SecretHash, b.SecretHash) && a.Name == b.Name &&
		slices.Equal(a.RedirectURIs, b.RedirectURIs) && slices.Equal(a.GrantTypes, b.GrantTypes) &&
		slices.Equal(a.ResponseTypes, b.ResponseTypes) && a.TokenEndpointAuthMethod == b.TokenEndpointAuthMethod &&
		a.Scope == b.Scope && len(a.Metadata) == 0
}

// client returns the registered client id names. An unknown client_id is
// invalid_client (401): the MCP SDKs register again when they see it, as
// after a database reset.
func (s *Server) client(ctx context.Context, id string) (store.OAuthClient, *oauthError) {
	if id == "" {
		return store.OAuthClient{}, newError(http.StatusUnauthorized, errInvalidClient, "client_id is missing",
			"Register the client (POST /register) and send its client_id.")
	}
	if s.docs != nil && isMetadataURL(id) {
		c, err := s.docs.client(ctx, id)
		if err != nil {
			return store.OAuthClient{}, newError(http.StatusUnauthorized, errInvalidClient, err.Error(),
				"The client's metadata document must be served over HTTPS from a public address, as JSON naming its own URL as client_id.")
		}
		return c, nil
	}
	c, err := s.opts.Store.Client(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.OAuthClient{}, newError(http.StatusUnauthorized, errInvalidClient, "unknown client_id",
			"The client must register again (POST /register): its client_id is not known here.")
	case err != nil:
		s.opts.Logger.ErrorContext(ctx, "loading a client", "err", err)
		return store.OAuthClient{}, newError(http.StatusServiceUnavailable, errUnavailable,
			"the authorization server is temporarily unavailable", "Retry shortly.")
	}
	return c, nil
}
