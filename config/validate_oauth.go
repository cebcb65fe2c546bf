package config

import (
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/skillgate/skillgate/oauth"
)

// minInitialAccessToken is the shortest initial access token accepted.
const minInitialAccessToken = 32

func (v *validator) oauth(o OAuth) {
	switch o.Registration {
	case "", "open", "closed":
	case "token":
		if utf8.RuneCountInString(o.InitialAccessToken) < minInitialAccessToken {
			v.add("auth.oauth.initial_access_token", "registration \"token\" needs an initial access token of at least %d characters (generate one with: openssl rand -hex 32)", minInitialAccessToken)
		}
	default:
		v.add("auth.oauth.registration", "must be open, token or closed")
	}
	for _, d := range []struct {
		field string
		value Duration
	}{
		{"access_token_ttl", o.AccessTokenTTL}, {"refresh_token_ttl", o.RefreshTokenTTL},
		{"refresh_grace", o.RefreshGrace}, {"signing_key_rotation", o.SigningKeyRotation},
	} {
		if d.value < 0 {
			v.add("auth.oauth."+d.field, "cannot be negative")
		}
	}
	if o.PinnedClients != nil {
		for i, c := range *o.PinnedClients {
			field := indexField("auth.oauth.pinned_clients", i)
			if u, err := url.Parse(c.ClientID); err != nil || u.Scheme != "https" || u.Path == "" || u.Path == "/" {
				v.add(field+".client_id", "must be the https URL of the client's metadata document")
			}
			if len(c.RedirectURIs) == 0 {
				v.add(field+".redirect_uris", "a client needs at least one redirect URI")
			}
			for j, u := range c.RedirectURIs {
				if err := oauth.CheckRedirectURI(u); err != nil {
					v.add(indexField(field+".redirect_uris", j), "%s", err.Error())
				}
			}
		}
	}
	idAt := map[string]string{}
	for i, c := range o.Clients {
		field := indexField("auth.oauth.clients", i)
		switch {
		case strings.TrimSpace(c.ClientID) == "":
			v.add(field+".client_id", "client_id is missing")
		case strings.HasPrefix(strings.ToLower(c.ClientID), "https://"):
			v.add(field+".client_id", "a URL client_id names a client metadata document; list such clients under auth.oauth.pinned_clients")
		case idAt[c.ClientID] != "":
			v.add(field+".client_id", "same client_id as %s", v.ref(idAt[c.ClientID]))
		default:
			idAt[c.ClientID] = field + ".client_id"
		}
		if c.ClientSecret != "" && utf8.RuneCountInString(c.ClientSecret) < MinKeyLength {
			v.add(field+".client_secret", "client secret is too weak: shorter than %d characters", MinKeyLength)
		}
		if len(c.RedirectURIs) == 0 {
			v.add(field+".redirect_uris", "a client needs at least one redirect URI")
		}
		for j, u := range c.RedirectURIs {
			if err := oauth.CheckRedirectURI(u); err != nil {
				v.add(indexField(field+".redirect_uris", j), "%s", err.Error())
			}
		}
		for j, g := range c.GrantTypes {
			if !slices.Contains([]string{"authorization_code", "refresh_token"}, g) {
				v.add(indexField(field+".grant_types", j), "must be authorization_code or refresh_token")
			}
		}
	}
}
