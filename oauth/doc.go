// Package oauth is skillgate's own OAuth 2.1 authorization server, the
// narrow profile MCP clients (Claude Code, Claude Desktop through
// mcp-remote, claude.ai, the SDKs) need: dynamic client registration (RFC
// 7591/7592), the authorization code grant with PKCE S256 and resource
// indicators (RFC 8707), refresh tokens rotated on every use, client
// credentials (where the secret may be an API key), revocation (RFC 7009),
// and ES256 access tokens whose keys rotate on a schedule. A person signs
// in on skillgate's own page with an API key, which is linked to the grant:
// every token issued from it is checked against that key, its limits and
// its revocation, on every request. Administrators list clients, revoke
// their grants and delete them through ListClients, RevokeClientGrants and
// DeleteClient, which the REST API and the dashboard share. Discovery
// documents live in oauth/discovery; storage behind store.OAuth.
package oauth
