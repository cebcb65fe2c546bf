// Package oidc verifies JWTs issued by the organisation's own identity
// providers (Keycloak, Okta, Entra ID, Auth0, Google, Dex...) and turns them
// into the same auth.Principal an API key yields. Each configured issuer is
// a Provider: it finds the issuer's signing keys through OpenID discovery,
// keeps them cached, refetches them when a token names a key it has not
// seen (at most once per refresh interval, so a flood of bogus key ids
// cannot hammer the provider), and maps the token's claims to roles, teams
// and scopes by a per-provider claim mapping. Signature, algorithm and
// issuer checks are go-oidc's; audience, authorized party and validity
// times are checked here, with the configured clock skew. A provider that
// cannot be reached at startup does not stop the server: it is retried in
// the background and its tokens are refused as "unreachable" meanwhile.
package oidc
