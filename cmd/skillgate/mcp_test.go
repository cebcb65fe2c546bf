package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"
)

// transportKind names the ways a client can reach skillgate.
type transportKind string

const (
	streamableModern transportKind = "streamable-2026" // stateless, no session
	streamableLegacy transportKind = "streamable-2025" // initialize handshake, Mcp-Session-Id
	sseHeader        transportKind = "sse-header"      // legacy SSE, key in the header
	sseQuery         transportKind = "sse-query"       // legacy SSE, key in ?api_key=
)

var allTransports = []transportKind{streamableModern, streamableLegacy, sseHeader, sseQuery}

// connect returns an initialized mcp-go client for key over kind.
func connect(t *testing.T, ts *testServer, kind transportKind, key string) *client.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	headers := map[string]string{"Authorization": "Bearer " + key}
	var (
		c    *client.Client
		err  error
		opts []client.ClientOption
	)
	switch kind {
	case streamableModern:
		c, err = client.NewStreamableHttpClient(ts.baseURL+"/mcp", transport.WithHTTPHeaders(headers))
	case streamableLegacy:
		c, err = client.NewStreamableHttpClient(ts.baseURL+"/mcp", transport.WithHTTPHeaders(headers))
		opts = append(opts, client.WithProtocolVersion(mcp.ProtocolVersion20251125))
	case sseHeader:
		c, err = client.NewSSEMCPClient(ts.baseURL+"/sse", transport.WithHeaders(headers))
	case sseQuery:
		c, err = client.NewSSEMCPClient(ts.baseURL + "/sse?api_key=" + key)
	}
	if err != nil {
		t.Fatalf("new %s client: %v", kind, err)
	}
	for _, o := range opts {
		o(c)
	}
	t.Cleanup(func() { c.Close() })
	// The SSE transport keeps its stream open on Start's context, so that
	// context lives as long as the test, not as long as this function.
	streamCtx, stopStream := context.WithCancel(context.Background())
	t.Cleanup(stopStream)
	if err := c.Start(streamCtx); err != nil {
		t.Fatalf("start %s client: %v", kind, err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{Params: mcp.InitializeParams{
		ClientInfo: mcp.Implementation{Name: "skillgate-test", Version: "1"},
	}}); err != nil {
		t.Fatalf("initialize %s: %v", kind, err)
	}
	return c
}

func toolNames(t *testing.T, c *client.Client) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := c.ListTools(ctx, mcp.ListToolsRequest{})
	if err != nil {
		t.Fatalf("tools/list: %v", err)
	}
	names := make([]string, 0, len(res.Tools))
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
	}
	slices.Sort(names)
	return names
}

func callTool(t *testing.T, c *client.Client, name string, args map[string]any) (*mcp.CallToolResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return c.CallTool(ctx, mcp.CallToolRequest{Params: mcp.CallToolParams{Name: name, Arguments: args}})
}

func resultText(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

func TestPersonaToolsOnEveryTransport(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	all := []string{"get_skill", "list_skills", "read_skill_file", "run_skill_script"}
	readOnly := []string{"get_skill", "list_skills", "read_skill_file"}
	want := map[string][]string{"admin": all, "analyst": all, "viewer": readOnly}
	for _, kind := range allTransports {
		for role, wantTools := range want {
			t.Run(string(kind)+"/"+role, func(t *testing.T) {
				c := connect(t, ts, kind, testKeys[role])
				if got := toolNames(t, c); !slices.Equal(got, wantTools) {
					t.Errorf("tools/list = %v, want %v", got, wantTools)
				}
			})
		}
	}
	ts.assertNoSecretsLogged(t)
}

func TestHiddenToolCannotBeCalled(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	for _, kind := range allTransports {
		t.Run(string(kind), func(t *testing.T) {
			c := connect(t, ts, kind, testKeys["viewer"])
			res, err := callTool(t, c, "run_skill_script", map[string]any{
				"skill_id": "shared/hello-world", "script": "scripts/greet.sh",
			})
			if err == nil {
				t.Fatalf("viewer called run_skill_script: %v", resultText(res))
			}
			if !strings.Contains(err.Error(), "not available to persona") {
				t.Errorf("error = %v, want it to say the persona does not allow the tool", err)
			}
		})
	}
}

func TestRunScript(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	for _, kind := range []transportKind{streamableModern, sseQuery} {
		t.Run(string(kind), func(t *testing.T) {
			c := connect(t, ts, kind, testKeys["analyst"])
			res, err := callTool(t, c, "run_skill_script", map[string]any{
				"skill_id": "shared/hello-world", "script": "scripts/greet.sh", "args": []any{"Ada"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.IsError || !strings.Contains(resultText(res), "Ada") || !strings.Contains(resultText(res), `"exit_code":0`) {
				t.Errorf("run result = %s (isError %v), want a greeting for Ada with exit code 0", resultText(res), res.IsError)
			}
		})
	}
}

// listToolsErr initializes an MCP session with token and lists tools,
// returning the first error.
func listToolsErr(t *testing.T, ts *testServer, token string) error {
	t.Helper()
	c, err := client.NewStreamableHttpClient(ts.baseURL+"/mcp",
		transport.WithHTTPHeaders(map[string]string{"Authorization": "Bearer " + token}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Initialize(ctx, mcp.InitializeRequest{}); err != nil {
		return err
	}
	_, err = c.ListTools(ctx, mcp.ListToolsRequest{})
	return err
}

func TestNoPersonaIsRefused(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	if err := listToolsErr(t, ts, testKeys["nobody"]); err == nil || !strings.Contains(err.Error(), "persona") {
		t.Fatalf("a caller whose roles match no persona got in (err = %v)", err)
	}
}
