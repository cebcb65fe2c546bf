package skills

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
)

// Catalog is the set of skills found by Load. It never changes after Load
// and is safe for concurrent use. Files are read from the fs.FS given to
// Load, which must stay open as long as the Catalog is used.
type Catalog struct {
	fsys    fs.FS
	entries []*entry // sorted by ID
	byID    map[string]*entry
}

// entry is one skill plus what the Catalog keeps about it privately.
type entry struct {
	skill    Skill
	markdown string
	files    map[string]bool
}

func newEntry(s Skill, markdown string) *entry {
	e := &entry{skill: s, markdown: markdown, files: make(map[string]bool, len(s.Files))}
	for _, f := range s.Files {
		e.files[f] = true
	}
	return e
}

func newCatalog(fsys fs.FS, entries []*entry) *Catalog {
	slices.SortFunc(entries, func(a, b *entry) int { return strings.Compare(a.skill.ID, b.skill.ID) })
	c := &Catalog{fsys: fsys, entries: entries, byID: make(map[string]*entry, len(entries))}
	for _, e := range entries {
		c.byID[e.skill.ID] = e
	}
	return c
}

// All returns every skill, sorted by ID.
func (c *Catalog) All() []Skill {
	out := make([]Skill, 0, len(c.entries))
	for _, e := range c.entries {
		out = append(out, e.skill.clone())
	}
	return out
}

// Visible returns the skills in the drives v sees, sorted by ID.
func (c *Catalog) Visible(v Viewer) []Skill {
	var out []Skill
	for _, e := range c.entries {
		if v.Sees(e.skill.Drive) {
			out = append(out, e.skill.clone())
		}
	}
	return out
}

// Get returns the skill with the given ID, or an error wrapping
// ErrNotFound. It does not check visibility; callers do.
func (c *Catalog) Get(id string) (Skill, error) {
	e, err := c.lookup(id)
	if err != nil {
		return Skill{}, err
	}
	return e.skill.clone(), nil
}

// SkillMarkdown returns the whole text of the skill's SKILL.md, front
// matter included, as it was when loaded.
func (c *Catalog) SkillMarkdown(id string) (string, error) {
	e, err := c.lookup(id)
	if err != nil {
		return "", err
	}
	return e.markdown, nil
}

func (c *Catalog) lookup(id string) (*entry, error) {
	e, ok := c.byID[id]
	if !ok {
		return nil, fmt.Errorf("skill %q: %w", id, ErrNotFound)
	}
	return e, nil
}

// checkFile validates name and confirms it is one of the skill's files.
func (e *entry) checkFile(name string) (string, error) {
	p, err := validatePath(name)
	if err != nil {
		return "", err
	}
	if !e.files[p] {
		return "", fmt.Errorf("%w: no file %q", ErrPathOutsideSkill, p)
	}
	return p, nil
}
