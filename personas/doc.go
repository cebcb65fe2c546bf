// Package personas turns a caller's roles into a policy: the persona that
// decides which MCP tools and which skills the caller may see and use. A
// persona allows and denies names by glob, deny winning; when several
// personas match a caller's roles the one with the highest priority wins.
// The package knows nothing of how the caller was authenticated.
package personas
