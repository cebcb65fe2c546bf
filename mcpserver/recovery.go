package mcpserver

import (
	"context"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// errInternal is all a client learns of a panic: its value may hold
// internals, so it goes to the log only.
var errInternal = errors.New("internal error")

// recoverTools turns a panicking tool handler into a generic tool error and
// logs the panic. mcp-go's own WithRecovery would send the panic's text to
// the client.
func (s *Server) recoverTools(next server.ToolHandlerFunc) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (res *mcp.CallToolResult, err error) {
		defer func() {
			if v := recover(); v != nil {
				s.log.ErrorContext(ctx, "panic in tool handler", "tool", req.Params.Name, "panic", v)
				res, err = mcp.NewToolResultError("Internal error; it has been logged."), nil
			}
		}()
		return next(ctx, req)
	}
}

// recoverResources does for resource reads what recoverTools does for tools.
func (s *Server) recoverResources(next server.ResourceHandlerFunc) server.ResourceHandlerFunc {
	return func(ctx context.Context, req mcp.ReadResourceRequest) (res []mcp.ResourceContents, err error) {
		defer func() {
			if v := recover(); v != nil {
				s.log.ErrorContext(ctx, "panic in resource handler", "uri", req.Params.URI, "panic", v)
				res, err = nil, errInternal
			}
		}()
		return next(ctx, req)
	}
}
