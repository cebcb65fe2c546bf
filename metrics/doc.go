// Package metrics exposes skillgate's Prometheus metrics: HTTP requests by
// route, authentication decisions, rate limit and quota refusals, tool
// calls, open MCP sessions and the audit log's queue, beside the Go runtime
// and process collectors. Every collector lives on a Metrics' own registry,
// never on the global default one, so that several servers in one process
// (as in tests) never share or clash over counters. Labels take values
// from small fixed sets (routes, credential sources, tool names, results)
// or from the configuration (persona names): never a key, token, user,
// client address, raw path or query string.
package metrics
