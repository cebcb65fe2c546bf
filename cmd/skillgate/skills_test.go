package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
)

func TestReadSkillFileRefusesTraversal(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	c := connect(t, ts, streamableModern, testKeys["admin"])
	for _, path := range []string{"../../../../etc/passwd", "/etc/passwd", "scripts/../../code-review/SKILL.md", "..", "scripts\\..\\SKILL.md", "nope.md"} {
		t.Run(path, func(t *testing.T) {
			res, err := callTool(t, c, "read_skill_file", map[string]any{"skill_id": "shared/hello-world", "path": path})
			if err != nil {
				t.Fatal(err)
			}
			if !res.IsError || !strings.Contains(resultText(res), "Path refused") {
				t.Errorf("read_skill_file(%q) = %q (isError %v), want refused", path, resultText(res), res.IsError)
			}
		})
	}
	res, err := callTool(t, c, "read_skill_file", map[string]any{"skill_id": "shared/hello-world", "path": "scripts/greet.sh"})
	if err != nil || res.IsError || !strings.HasPrefix(resultText(res), "#!") {
		t.Errorf("reading a real file failed: %v %v", err, res)
	}
}

func listAll(t *testing.T, ts *testServer, key string) []string {
	t.Helper()
	c := connect(t, ts, streamableModern, key)
	var ids []string
	cursor := ""
	for range 50 {
		args := map[string]any{"limit": 1}
		if cursor != "" {
			args["cursor"] = cursor
		}
		res, err := callTool(t, c, "list_skills", args)
		if err != nil || res.IsError {
			t.Fatalf("list_skills: %v %v", err, res)
		}
		var page struct {
			Skills []struct {
				ID string `json:"id"`
			} `json:"skills"`
			NextCursor string `json:"next_cursor"`
		}
		if err := json.Unmarshal([]byte(resultText(res)), &page); err != nil {
			t.Fatalf("list_skills result: %v", err)
		}
		for _, s := range page.Skills {
			ids = append(ids, s.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			return ids
		}
	}
	t.Fatal("list_skills did not finish within 50 pages")
	return nil
}

func TestSkillVisibility(t *testing.T) {
	ts := newTestServer(t, testServerOptions{})
	const team, denied = "teams/analytics/sql-style", "shared/commit-messages"
	tests := []struct {
		role       string
		wantTeam   bool
		wantDenied bool
	}{
		{"admin", false, true},   // no team: does not see the team drive
		{"analyst", true, false}, // team member; persona denies shared/commit-*
		{"viewer", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			ids := listAll(t, ts, testKeys[tc.role])
			if !slices.IsSorted(ids) || len(slices.Compact(slices.Clone(ids))) != len(ids) {
				t.Errorf("pages are not sorted and distinct: %v", ids)
			}
			if got := slices.Contains(ids, team); got != tc.wantTeam {
				t.Errorf("sees %s = %v, want %v (all: %v)", team, got, tc.wantTeam, ids)
			}
			if got := slices.Contains(ids, denied); got != tc.wantDenied {
				t.Errorf("sees %s = %v, want %v", denied, got, tc.wantDenied)
			}
			c := connect(t, ts, streamableLegacy, testKeys[tc.role])
			for id, visible := range map[string]bool{team: tc.wantTeam, denied: tc.wantDenied} {
				res, err := callTool(t, c, "get_skill", map[string]any{"skill_id": id})
				if err != nil {
					t.Fatal(err)
				}
				if res.IsError == visible {
					t.Errorf("get_skill(%s) isError = %v, want %v: %s", id, res.IsError, !visible, resultText(res))
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				_, rerr := c.ReadResource(ctx, mcp.ReadResourceRequest{Params: mcp.ReadResourceParams{URI: "skill://" + id + "/SKILL.md"}})
				cancel()
				if (rerr == nil) != visible {
					t.Errorf("resources/read(%s) error = %v, want visible=%v", id, rerr, visible)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			list, err := c.ListResources(ctx, mcp.ListResourcesRequest{})
			if err != nil {
				t.Fatal(err)
			}
			var uris []string
			for _, r := range list.Resources {
				uris = append(uris, strings.TrimSuffix(strings.TrimPrefix(r.URI, "skill://"), "/SKILL.md"))
			}
			slices.Sort(uris)
			if !slices.Equal(uris, ids) {
				t.Errorf("resources/list = %v, want the same skills as list_skills %v", uris, ids)
			}
		})
	}
}

// writeSkillDir makes a skills folder holding one shared skill with one
// script, and returns the folder.
func writeSkillDir(t *testing.T, name, description, script string) string {
	t.Helper()
	dir := t.TempDir()
	skill := filepath.Join(dir, "shared", name)
	if err := os.MkdirAll(filepath.Join(skill, "scripts"), 0o755); err != nil {
		t.Fatal(err)
	}
	md := "---\nname: " + name + "\ndescription: " + description + "\n---\n# " + name + "\n"
	if err := os.WriteFile(filepath.Join(skill, "SKILL.md"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(skill, "scripts", name+".sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestScriptTimeout(t *testing.T) {
	// The child sleeps in the background too, so killing only the shell
	// would leave it running: the whole process group must go.
	dir := writeSkillDir(t, "slow", "Sleeps for a long time.", "#!/bin/sh\nsleep 30 &\nsleep 30\n")
	ts := newTestServer(t, testServerOptions{scriptTimeout: "500ms", skillsDir: dir})
	c := connect(t, ts, streamableModern, testKeys["admin"])
	start := time.Now()
	res, err := callTool(t, c, "run_skill_script", map[string]any{"skill_id": "shared/slow", "script": "scripts/slow.sh"})
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		TimedOut bool `json:"timed_out"`
		ExitCode int  `json:"exit_code"`
	}
	if err := json.Unmarshal([]byte(resultText(res)), &out); err != nil {
		t.Fatalf("result %q: %v", resultText(res), err)
	}
	if !out.TimedOut || !res.IsError {
		t.Errorf("result = %+v (isError %v), want a timeout", out, res.IsError)
	}
	t.Logf("script killed after %v", time.Since(start))
}
