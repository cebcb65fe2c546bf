// Package api serves skillgate's REST API under /v1: managed API keys
// (create, list, show, update, revoke, rotate), the OAuth clients of the
// authorization server (list, revoke their grants, delete; administrators
// only) and the audit log. It is a thin HTTP edge over apikey.Manager and
// oauth.Server, which hold every rule of the key lifecycle and of client
// administration: this package authenticates each request (with the
// Authorization header only; keys in URLs are refused here), checks the
// scope the route needs, applies the caller's rate limit, decodes strictly
// validated JSON, and answers with the same structured errors as the rest
// of skillgate. Responses are never cached, since some carry a new secret.
package api
