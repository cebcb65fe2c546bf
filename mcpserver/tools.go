package mcpserver

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/skillgate/skillgate/auth/apikey"
	"github.com/skillgate/skillgate/skills"
	"github.com/skillgate/skillgate/store"
)

// The MCP tools skillgate serves. Personas allow and deny them by these names.
const (
	toolListSkills    = "list_skills"
	toolGetSkill      = "get_skill"
	toolReadSkillFile = "read_skill_file"
	toolRunScript     = "run_skill_script"
)

// ToolNames returns the names of the MCP tools a Server registers, which
// personas allow and deny by name.
func ToolNames() []string {
	return []string{toolListSkills, toolGetSkill, toolReadSkillFile, toolRunScript}
}

// Pagination of list_skills.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

func (s *Server) addTools() {
	s.mcp.AddTool(mcp.NewTool(toolListSkills,
		mcp.WithDescription("List the skills you can use, optionally filtered by a search query. Results are paginated: pass next_cursor back as cursor for the next page."),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithString("query", mcp.Description("Case-insensitive text to find in a skill's id, name or description.")),
		mcp.WithString("cursor", mcp.Description("next_cursor from the previous page.")),
		mcp.WithNumber("limit", mcp.Description(fmt.Sprintf("Skills per page, 1-%d (default %d).", maxPageSize, defaultPageSize))),
	), s.withCaller(s.listSkills))

	s.mcp.AddTool(mcp.NewTool(toolGetSkill,
		mcp.WithDescription("Get a skill's instructions (its SKILL.md) and the list of its files."),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithString("skill_id", mcp.Required(), mcp.Description("The skill's id, as list_skills returns it, e.g. shared/hello-world.")),
	), s.withCaller(s.getSkill))

	s.mcp.AddTool(mcp.NewTool(toolReadSkillFile,
		mcp.WithDescription("Read one text file of a skill."),
		mcp.WithReadOnlyHintAnnotation(true),
		mcp.WithString("skill_id", mcp.Required(), mcp.Description("The skill's id.")),
		mcp.WithString("path", mcp.Required(), mcp.Description("The file's path inside the skill, as get_skill lists it, e.g. scripts/greet.sh.")),
	), s.withCaller(s.readSkillFile))

	s.mcp.AddTool(mcp.NewTool(toolRunScript,
		mcp.WithDescription("Run a script from a skill's scripts/ folder with the given arguments (no shell), in a private copy of the skill, with a timeout. Returns the exit code, output and duration."),
		mcp.WithDestructiveHintAnnotation(false),
		mcp.WithString("skill_id", mcp.Required(), mcp.Description("The skill's id.")),
		mcp.WithString("script", mcp.Required(), mcp.Description("The script's path inside the skill, e.g. scripts/greet.sh.")),
		mcp.WithArray("args", mcp.WithStringItems(), mcp.Description("Arguments passed to the script as argv, never through a shell.")),
	), s.withCaller(s.runScript))
}

// toolHandler is a tool handler that is given the resolved caller.
type toolHandler func(ctx context.Context, c caller, req mcp.CallToolRequest) (*mcp.CallToolResult, error)

// withCaller resolves the caller for a tool call and checks, once more
// than mcp-go's filter and the gate, that the persona allows the tool and
// the caller holds its scope: a handler is never reached by a caller who
// may not call it. Every call that reaches here is audited.
func (s *Server) withCaller(h toolHandler) server.ToolHandlerFunc {
	return func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		start := time.Now()
		c, err := s.callerFrom(ctx)
		if err != nil {
			s.observer.ToolCall(req.Params.Name, "", resultDenied, time.Since(start))
			return mcp.NewToolResultError("Access denied: " + err.Error()), nil
		}
		var res *mcp.CallToolResult
		result := resultDenied
		switch scope := toolScope(req.Params.Name); {
		case !c.persona.AllowsTool(req.Params.Name):
			res = mcp.NewToolResultErrorf("Tool %s is not available to persona %s.", req.Params.Name, c.persona.Name)
		case !c.can(scope):
			res = mcp.NewToolResultErrorf("Tool %s needs the %s scope, which this credential does not hold.", req.Params.Name, scope)
		default:
			res, err = h(ctx, c, req)
			result = resultOK
			if err != nil || res == nil || res.IsError {
				result = resultError
			}
		}
		s.observer.ToolCall(req.Params.Name, c.persona.Name, result, time.Since(start))
		s.recordToolCall(ctx, c, req, res, err)
		return res, err
	}
}

// recordToolCall writes the audit row of a tool call: who called which tool
// on which skill, and whether it succeeded. Arguments are not recorded:
// they may hold anything.
func (s *Server) recordToolCall(ctx context.Context, c caller, req mcp.CallToolRequest, res *mcp.CallToolResult, err error) {
	if s.audit == nil {
		return
	}
	result := store.ResultOK
	if err != nil || res == nil || res.IsError {
		result = store.ResultError
	}
	detail := ""
	if id := req.GetString("skill_id", ""); id != "" {
		detail = "skill " + id
	}
	s.audit.Record(ctx, store.AuditEvent{
		KeyID: c.principal.ManagedKeyID(), Principal: c.principal.Identity(), Action: store.ActionToolCall,
		Target: req.Params.Name, Result: result, Detail: detail,
		ClientAddr: clientAddr(ctx),
	})
}

type skillSummary struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Drive       string `json:"drive"`
	ResourceURI string `json:"resource_uri"`
}

type skillPage struct {
	Skills     []skillSummary `json:"skills"`
	NextCursor string         `json:"next_cursor,omitempty"`
}

func (s *Server) listSkills(_ context.Context, c caller, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	query := req.GetString("query", "")
	limit := req.GetInt("limit", defaultPageSize)
	if limit < 1 || limit > maxPageSize {
		return mcp.NewToolResultErrorf("limit must be between 1 and %d.", maxPageSize), nil
	}
	after := ""
	if cur := req.GetString("cursor", ""); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		if err != nil || len(raw) == 0 {
			return mcp.NewToolResultError("cursor is not valid: pass next_cursor from the previous page unchanged."), nil
		}
		after = string(raw)
	}
	usable := s.usableSkills(c)
	// The cursor is the last id of the previous page, so pages stay stable
	// when skills are added or removed between calls.
	start := sort.Search(len(usable), func(i int) bool { return usable[i].ID > after })
	page := skillPage{Skills: []skillSummary{}}
	for _, sk := range usable[start:] {
		if !skills.Match(sk, query) {
			continue
		}
		if len(page.Skills) == limit {
			page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(page.Skills[limit-1].ID))
			break
		}
		page.Skills = append(page.Skills, skillSummary{
			ID: sk.ID, Name: sk.Name, Description: sk.Description,
			Drive: sk.Drive.String(), ResourceURI: resourceURI(sk.ID),
		})
	}
	return jsonResult(page)
}

type skillDetail struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Drive       string   `json:"drive"`
	Files       []string `json:"files"`
	Markdown    string   `json:"markdown"`
}

func (s *Server) getSkill(ctx context.Context, c caller, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	id, err := req.RequireString("skill_id")
	if err != nil {
		return mcp.NewToolResultError("skill_id is required."), nil
	}
	sk, err := s.skill(c, id)
	if err != nil {
		return s.skillError(ctx, err), nil
	}
	md, err := s.skills.SkillMarkdown(sk.ID)
	if err != nil {
		return s.skillError(ctx, err), nil
	}
	return jsonResult(skillDetail{
		ID: sk.ID, Name: sk.Name, Description: sk.Description,
		Drive: sk.Drive.String(), Files: sk.Files, Markdown: md,
	})
}

func (s *Server) readSkillFile(ctx context.Context, c caller, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	id, err := req.RequireString("skill_id")
	if err != nil {
		return mcp.NewToolResultError("skill_id is required."), nil
	}
	path, err := req.RequireString("path")
	if err != nil {
		return mcp.NewToolResultError("path is required."), nil
	}
	sk, err := s.skill(c, id)
	if err != nil {
		return s.skillError(ctx, err), nil
	}
	data, err := s.skills.ReadFile(ctx, sk.ID, path)
	if err != nil {
		return s.skillError(ctx, err), nil
	}
	return mcp.NewToolResultText(string(data)), nil
}

type runResult struct {
	ExitCode        int    `json:"exit_code"`
	Stdout          string `json:"stdout"`
	Stderr          string `json:"stderr"`
	StdoutTruncated bool   `json:"stdout_truncated,omitempty"`
	StderrTruncated bool   `json:"stderr_truncated,omitempty"`
	DurationMillis  int64  `json:"duration_ms"`
	TimedOut        bool   `json:"timed_out,omitempty"`
}

func (s *Server) runScript(ctx context.Context, c caller, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	id, err := req.RequireString("skill_id")
	if err != nil {
		return mcp.NewToolResultError("skill_id is required."), nil
	}
	script, err := req.RequireString("script")
	if err != nil {
		return mcp.NewToolResultError("script is required."), nil
	}
	args, err := stringArgs(req)
	if err != nil {
		return mcp.NewToolResultError(err.Error()), nil
	}
	sk, err := s.skill(c, id)
	if err != nil {
		return s.skillError(ctx, err), nil
	}
	// The quota is spent last, once everything that could refuse the call
	// has passed, and before the script runs: an execution is counted
	// whether the script then succeeds or not, and a refused call never
	// spends anything.
	if err := s.runner.Check(s.skills, sk.ID, script, args); err != nil {
		return s.skillError(ctx, err), nil
	}
	if s.quota != nil {
		if err := s.quota.SpendExecution(ctx, c.principal); err != nil {
			return s.quotaError(ctx, err), nil
		}
	}
	res, err := s.runner.Run(ctx, s.skills, sk.ID, script, args)
	if err != nil {
		return s.skillError(ctx, err), nil
	}
	out := runResult{
		ExitCode: res.ExitCode, Stdout: res.Stdout, Stderr: res.Stderr,
		StdoutTruncated: res.StdoutTruncated, StderrTruncated: res.StderrTruncated,
		DurationMillis: res.Duration.Milliseconds(), TimedOut: res.TimedOut,
	}
	s.log.InfoContext(ctx, "skill script run", "skill", sk.ID, "script", script,
		"caller", c.principal.Identity(), "exit_code", res.ExitCode, "timed_out", res.TimedOut,
		"duration_ms", out.DurationMillis)
	result, err := jsonResult(out)
	if err != nil {
		return nil, err
	}
	// A failed run is still a result the agent should read, flagged as an error.
	result.IsError = res.TimedOut || res.ExitCode != 0
	return result, nil
}

// quotaError turns a refused spend into a tool error that says
// quota_exceeded, the limit and when it resets.
func (s *Server) quotaError(ctx context.Context, err error) *mcp.CallToolResult {
	if qe, ok := errors.AsType[*apikey.QuotaExceededError](err); ok {
		s.observer.QuotaRejected()
		return mcp.NewToolResultErrorf("quota_exceeded: the monthly execution quota (%d) of API key %s is used up; it resets at %s. Listing and reading skills still work.",
			qe.Limit, qe.KeyID, qe.ResetsAt.Format(time.RFC3339))
	}
	s.log.ErrorContext(ctx, "spending execution quota", "err", err)
	return mcp.NewToolResultError("The execution quota could not be checked because of a server error; nothing was run. Retry in a few seconds.")
}

// stringArgs reads the optional "args" argument, which must be a list of strings.
func stringArgs(req mcp.CallToolRequest) ([]string, error) {
	raw, ok := req.GetArguments()["args"]
	if !ok || raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, errors.New("args must be a list of strings")
	}
	args := make([]string, 0, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("args[%d] must be a string", i)
		}
		args = append(args, s)
	}
	return args, nil
}

// skillError turns an error from the skills package into a tool error the
// agent can act on, without internal detail; unexpected errors are logged.
func (s *Server) skillError(ctx context.Context, err error) *mcp.CallToolResult {
	switch {
	case errors.Is(err, errSkillNotFound), errors.Is(err, skills.ErrNotFound):
		return mcp.NewToolResultError("Skill not found. Call list_skills to see the skills you can use.")
	case errors.Is(err, skills.ErrInvalidPath), errors.Is(err, skills.ErrPathOutsideSkill):
		return mcp.NewToolResultError("Path refused: it must name a file inside the skill, as get_skill lists it (no absolute paths, no '..', no links out of the skill).")
	case errors.Is(err, skills.ErrNotScript):
		return mcp.NewToolResultError("Not a runnable script: scripts must be files under the skill's scripts/ folder starting with a #! line.")
	case errors.Is(err, skills.ErrInvalidArgs):
		return mcp.NewToolResultError("Arguments refused: " + lastPart(err))
	case errors.Is(err, skills.ErrTooLarge):
		return mcp.NewToolResultError("File too large to return.")
	case errors.Is(err, context.Canceled):
		return mcp.NewToolResultError("The call was cancelled.")
	case errors.Is(err, skills.ErrBinary):
		return mcp.NewToolResultError("File is binary; only text files can be read.")
	default:
		s.log.ErrorContext(ctx, "skill tool failed", "err", err)
		return mcp.NewToolResultError("The skill could not be used because of a server error.")
	}
}

// lastPart returns the message after the last ": " of err, which for the
// skills package's wrapped errors is the specific reason.
func lastPart(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		return msg[i+2:]
	}
	return msg
}

func jsonResult(v any) (*mcp.CallToolResult, error) {
	res, err := mcp.NewToolResultJSON(v)
	if err != nil {
		return nil, fmt.Errorf("encode tool result: %w", err)
	}
	return res, nil
}
