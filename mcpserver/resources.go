package mcpserver

import (
	"context"
	"errors"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/skillgate/skillgate/auth"
)

// resourceURI is the MCP resource URI of a skill's SKILL.md.
func resourceURI(id string) string { return "skill://" + id + "/SKILL.md" }

// skillIDFromURI is the inverse of resourceURI.
func skillIDFromURI(uri string) (string, bool) {
	id, ok := strings.CutPrefix(uri, "skill://")
	if !ok {
		return "", false
	}
	return strings.CutSuffix(id, "/SKILL.md")
}

// addResources registers every skill's SKILL.md as a resource. Which of them
// a caller sees is decided per request: filterResources trims resources/list
// and readResource refuses the rest.
func (s *Server) addResources() {
	for _, sk := range s.skills.All() {
		s.mcp.AddResource(mcp.NewResource(resourceURI(sk.ID), sk.Name,
			mcp.WithResourceDescription(sk.Description),
			mcp.WithMIMEType("text/markdown"),
		), s.readResource)
	}
}

// filterResources is an after-hook of resources/list that keeps only the
// resources the caller may use; with no caller in the context it keeps none.
func (s *Server) filterResources(ctx context.Context, _ any, _ *mcp.ListResourcesRequest, result *mcp.ListResourcesResult) {
	c, err := s.callerFrom(ctx)
	kept := result.Resources[:0]
	for _, r := range result.Resources {
		if err != nil || !c.can(auth.ScopeSkillsRead) {
			break
		}
		id, ok := skillIDFromURI(r.URI)
		if !ok {
			continue
		}
		if _, err := s.skill(c, id); err == nil {
			kept = append(kept, r)
		}
	}
	result.Resources = kept
}

func (s *Server) readResource(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	c, err := s.callerFrom(ctx)
	if err != nil {
		return nil, err
	}
	if !c.can(auth.ScopeSkillsRead) {
		return nil, errors.New("reading skills needs the skills:read scope, which this credential does not hold")
	}
	id, ok := skillIDFromURI(req.Params.URI)
	if !ok {
		return nil, errSkillNotFound
	}
	sk, err := s.skill(c, id)
	if err != nil {
		return nil, err
	}
	md, err := s.skills.SkillMarkdown(sk.ID)
	if err != nil {
		return nil, err
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{
		URI: req.Params.URI, MIMEType: "text/markdown", Text: md,
	}}, nil
}
