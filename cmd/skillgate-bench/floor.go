package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/skills"
)

// floorSkill is the skill whose instructions both targets serve: the floor
// from the bundled files directly, skillgate through its get_skill tool.
const floorSkill = "shared/hello-world"

// runFloor serves the floor: a bare mcp-go server, without authentication,
// personas or audit, with one tool that answers what skillgate's get_skill
// answers for floorSkill (the same JSON, so that both encode alike), over streamable HTTP at /mcp and SSE at /sse. It
// prints "floor listening addr=HOST:PORT" on stdout once it listens.
func runFloor(ctx context.Context, args []string) error {
	flags := flag.NewFlagSet("floor", flag.ContinueOnError)
	addr := flags.String("addr", "127.0.0.1:0", "listen address")
	if err := flags.Parse(args); err != nil {
		return err
	}
	detail, err := floorDetail(ctx)
	if err != nil {
		return err
	}
	s := server.NewMCPServer("floor", "1", server.WithToolCapabilities(false))
	s.AddTool(mcp.NewTool("get_skill", mcp.WithString("skill_id", mcp.Required())),
		func(context.Context, mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultJSON(detail)
		})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	sse := server.NewSSEServer(s, server.WithSSEEndpoint("/sse"), server.WithMessageEndpoint("/message"),
		server.WithKeepAlive(true))
	mux := http.NewServeMux()
	mux.Handle("/mcp", server.NewStreamableHTTPServer(s, server.WithEndpointPath("/mcp")))
	mux.Handle("/sse", sse.SSEHandler())
	mux.Handle("/message", sse.MessageHandler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Printf("floor listening addr=%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// floorDetail is skillgate's get_skill answer for floorSkill: the same
// fields, read from the same bundled files.
func floorDetail(ctx context.Context) (map[string]any, error) {
	catalog, err := skills.Load(ctx, skills.Bundled())
	if err != nil {
		return nil, fmt.Errorf("load the bundled skills: %w", err)
	}
	sk, err := catalog.Get(floorSkill)
	if err != nil {
		return nil, fmt.Errorf("the floor's skill: %w", err)
	}
	md, err := catalog.SkillMarkdown(floorSkill)
	if err != nil {
		return nil, fmt.Errorf("the floor's skill: %w", err)
	}
	return map[string]any{
		"id": sk.ID, "name": sk.Name, "description": sk.Description,
		"drive": sk.Drive.String(), "files": sk.Files, "markdown": md,
	}, nil
}
