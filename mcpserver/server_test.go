package mcpserver

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skillgate/skillgate/auth"
	"github.com/skillgate/skillgate/personas"
	"github.com/skillgate/skillgate/skills"
)

func newServerForTest(t *testing.T) *Server {
	t.Helper()
	cat, err := skills.Load(context.Background(), skills.Bundled())
	if err != nil {
		t.Fatal(err)
	}
	set, err := personas.NewSet([]personas.Persona{
		{Name: "viewer", Roles: []string{"viewer"}, Tools: personas.Rules{Allow: []string{"*"}, Deny: []string{"run_*"}}, Skills: personas.Rules{Allow: []string{"*"}}, Scopes: []string{"skills:read", "skills:execute"}},
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Options{
		Auth: &auth.Authenticator{}, Personas: set, Skills: cat,
		Runner: skills.NewRunner(skills.RunnerConfig{}), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		BaseURL: "http://127.0.0.1:8080",
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Everything that decides access must refuse when no caller is in the
// context: a wiring mistake must lock out, never open up.
func TestAccessFailsClosedWithoutCaller(t *testing.T) {
	s := newServerForTest(t)
	ctx := context.Background()
	tools := []mcp.Tool{{Name: toolListSkills}, {Name: toolRunScript}}
	if got := s.filterTools(ctx, tools); len(got) != 0 {
		t.Errorf("filterTools without a caller kept %d tools", len(got))
	}
	if err := s.gate(ctx, 1, json.RawMessage(`{"method":"tools/list"}`)); err == nil {
		t.Error("gate let a request without a caller through")
	}
	res := &mcp.ListResourcesResult{Resources: []mcp.Resource{{URI: resourceURI("shared/hello-world")}}}
	s.filterResources(ctx, 1, nil, res)
	if len(res.Resources) != 0 {
		t.Errorf("filterResources without a caller kept %d resources", len(res.Resources))
	}
	if _, err := s.readResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: resourceURI("shared/hello-world")}}); err == nil {
		t.Error("readResource without a caller succeeded")
	}
}

func TestGate(t *testing.T) {
	s := newServerForTest(t)
	viewer := auth.NewContext(context.Background(), auth.Principal{Subject: "v", Roles: []string{"viewer"}})
	stranger := auth.NewContext(context.Background(), auth.Principal{Subject: "s", Roles: []string{"guest"}})
	tests := []struct {
		name    string
		ctx     context.Context
		msg     string
		wantErr string
	}{
		{"allowed call", viewer, `{"method":"tools/call","params":{"name":"list_skills"}}`, ""},
		{"denied call", viewer, `{"method":"tools/call","params":{"name":"run_skill_script"}}`, `not available to persona "viewer"`},
		// Fields mcp-go accepts in any type, or ignores, do not make the
		// message escape the gate.
		{"denied call, arguments not an object", viewer, `{"method":"tools/call","params":{"name":"run_skill_script","arguments":"x"}}`, `not available to persona "viewer"`},
		{"denied call, a number as uri", viewer, `{"method":"tools/call","params":{"name":"run_skill_script","uri":5}}`, `not available to persona "viewer"`},
		{"unknown tool is the filter's business", viewer, `{"method":"tools/list"}`, ""},
		{"no persona", stranger, `{"method":"tools/list"}`, "match no persona"},
	}
	// The gate may reuse admission's decoding of the same bytes; a
	// decoding of other bytes (here, an allowed call) must never be taken
	// for the message in hand.
	allowed := `{"method":"tools/call","params":{"name":"list_skills"}}`
	contexts := []struct {
		name string
		with func(ctx context.Context, msg string) context.Context
	}{
		{"decoded by the gate", func(ctx context.Context, _ string) context.Context { return ctx }},
		{"decoded by admission", func(ctx context.Context, msg string) context.Context {
			return withAdmitted(ctx, admitted{raw: []byte(msg), msg: jsonRPCMessages([]byte(msg))[0]})
		}},
		{"admission decoded other bytes", func(ctx context.Context, _ string) context.Context {
			return withAdmitted(ctx, admitted{raw: []byte(allowed), msg: jsonRPCMessages([]byte(allowed))[0]})
		}},
	}
	for _, tc := range tests {
		for _, cc := range contexts {
			t.Run(tc.name+"/"+cc.name, func(t *testing.T) {
				err := s.gate(cc.with(tc.ctx, tc.msg), 1, json.RawMessage(tc.msg))
				if tc.wantErr == "" {
					if err != nil {
						t.Fatalf("gate = %v, want nil", err)
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("gate = %v, want %q", err, tc.wantErr)
				}
			})
		}
	}
}

func TestResourceURIRoundTrip(t *testing.T) {
	for _, id := range []string{"shared/hello-world", "teams/analytics/sql-style"} {
		got, ok := skillIDFromURI(resourceURI(id))
		if !ok || got != id {
			t.Errorf("round trip of %q = %q, %v", id, got, ok)
		}
	}
	for _, uri := range []string{"file:///etc/passwd", "skill://shared/x", "skill://shared/x/README.md"} {
		if _, ok := skillIDFromURI(uri); ok {
			t.Errorf("skillIDFromURI(%q) accepted", uri)
		}
	}
}
