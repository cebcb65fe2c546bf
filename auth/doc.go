// Package auth turns an HTTP request into a Principal: it extracts the
// caller's credential (a Bearer header, or a query parameter for legacy SSE
// clients that cannot set headers), hands it to the verifier that owns that
// kind of credential, and puts the resulting Principal in the request context.
// It knows nothing of MCP, personas or skills. Verifiers for each credential
// kind (static and managed API keys in auth/apikey; OIDC and OAuth tokens
// later) plug in through the Verifier interface, so every source yields the
// same Principal and everything downstream works unchanged.
package auth
