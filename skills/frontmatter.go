package skills

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// frontMatter holds the SKILL.md header fields this package uses. Other
// fields (license, metadata, ...) are allowed and ignored.
type frontMatter struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

// parseSkillMarkdown splits a SKILL.md into its front matter and body and
// validates the front matter. The file must start with a "---" line and the
// front matter ends at the next "---" line. Every problem found is reported.
func parseSkillMarkdown(data []byte) (frontMatter, string, error) {
	var fm frontMatter
	if !utf8.Valid(data) {
		return fm, "", fmt.Errorf("%w: not UTF-8 text", ErrInvalidSkill)
	}
	text := strings.TrimPrefix(string(data), "\uFEFF")
	first, rest, _ := strings.Cut(text, "\n")
	if strings.TrimRight(first, " \t\r") != "---" {
		return fm, "", fmt.Errorf("%w: no front matter: the file must start with a \"---\" line", ErrInvalidSkill)
	}
	header, body, ok := cutDelimiter(rest)
	if !ok {
		return fm, "", fmt.Errorf("%w: front matter has no closing \"---\" line", ErrInvalidSkill)
	}
	if err := yaml.Unmarshal([]byte(header), &fm); err != nil {
		return fm, "", fmt.Errorf("%w: front matter: %w", ErrInvalidSkill, err)
	}
	fm.Name = strings.TrimSpace(fm.Name)
	fm.Description = strings.TrimSpace(fm.Description)

	var problems []string
	switch {
	case fm.Name == "":
		problems = append(problems, "missing name")
	case len(fm.Name) > MaxNameBytes:
		problems = append(problems, fmt.Sprintf("name longer than %d bytes", MaxNameBytes))
	case strings.ContainsAny(fm.Name, "\r\n"):
		problems = append(problems, "name spans several lines")
	}
	switch {
	case fm.Description == "":
		problems = append(problems, "missing description")
	case len(fm.Description) > MaxDescriptionBytes:
		problems = append(problems, fmt.Sprintf("description longer than %d bytes", MaxDescriptionBytes))
	}
	if len(problems) > 0 {
		return fm, "", fmt.Errorf("%w: front matter: %s", ErrInvalidSkill, strings.Join(problems, "; "))
	}
	return fm, body, nil
}

// cutDelimiter splits s at the first line that is exactly "---" (ignoring
// trailing blanks and a CR), returning the text before and after that line.
func cutDelimiter(s string) (before, after string, ok bool) {
	rest := s
	for off := 0; ; {
		line, next, more := strings.Cut(rest, "\n")
		if strings.TrimRight(line, " \t\r") == "---" {
			return s[:off], next, true
		}
		if !more {
			return "", "", false
		}
		off += len(line) + 1
		rest = next
	}
}
