// Package api serves skillgate's REST API under /v1: managed API keys
// (create, list, show, update, revoke, rotate) and the audit log. It is a
// thin HTTP edge over apikey.Manager, which holds every rule of the key
// lifecycle: this package authenticates each request (with the
// Authorization header only; keys in URLs are refused here), checks the
// scope the route needs, applies the caller's rate limit, decodes strictly
// validated JSON, and answers with the same structured errors as the rest
// of skillgate. Responses are never cached, since some carry a new secret.
package api
