// Package loadgen drives MCP servers over real HTTP for skillgate's load
// tool: it opens sessions (streamable HTTP or legacy SSE), has each of them
// call one tool in a closed loop for a given time, and records every call's
// latency, so that two servers driven alike can be compared. It also opens
// idle sessions, to measure what a session costs a server at rest.
package loadgen
