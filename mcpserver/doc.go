// Package mcpserver wires skillgate's parts to MCP over HTTP: it
// authenticates every request (package auth), resolves the caller's persona
// on every request (package personas) rather than trusting session state,
// exposes the skills the caller may use (package skills) as MCP tools and
// resources through mark3labs/mcp-go, and serves them over streamable HTTP at
// /mcp and legacy SSE at /sse. It also binds each MCP session to the identity
// that opened it, so no other caller can use, read or close it.
package mcpserver
