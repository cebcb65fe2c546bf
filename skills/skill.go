package skills

import (
	"slices"
	"strings"
)

// DriveKind says who a drive belongs to.
type DriveKind string

// The drive kinds, named as their folders under the root (in the singular).
const (
	DriveShared DriveKind = "shared" // shared/<skill>
	DriveTeam   DriveKind = "team"   // teams/<team>/<skill>
	DriveUser   DriveKind = "user"   // users/<user>/<skill>
)

// Drive is where a skill lives. Owner is the team or user name; it is empty
// for the shared drive.
type Drive struct {
	Kind  DriveKind
	Owner string
}

// String returns the drive's folder path from the root, such as "shared"
// or "teams/analytics".
func (d Drive) String() string {
	switch d.Kind {
	case DriveTeam:
		return "teams/" + d.Owner
	case DriveUser:
		return "users/" + d.Owner
	default:
		return string(d.Kind)
	}
}

// Skill describes one loaded skill. Values returned by a Catalog are
// copies; changing them does not change the Catalog.
type Skill struct {
	// ID is the skill's folder path from the root, e.g. "shared/hello-world".
	ID string
	// Name and Description come from the SKILL.md front matter.
	Name        string
	Description string
	Drive       Drive
	// Body is the Markdown after the front matter.
	Body string
	// Files lists the skill's regular files as slash paths relative to the
	// skill folder, sorted, including "SKILL.md". Hidden files and symbolic
	// links are never listed.
	Files []string
}

func (s Skill) clone() Skill {
	s.Files = slices.Clone(s.Files)
	return s
}

// Viewer describes who is looking at skills: the user whose drive they see
// and the teams whose drives they see. Everyone sees the shared drive. The
// zero Viewer sees only shared skills.
type Viewer struct {
	User  string
	Teams []string
}

// Sees reports whether v may see skills in drive d.
func (v Viewer) Sees(d Drive) bool {
	switch d.Kind {
	case DriveShared:
		return true
	case DriveTeam:
		return d.Owner != "" && slices.Contains(v.Teams, d.Owner)
	case DriveUser:
		return d.Owner != "" && d.Owner == v.User
	default:
		return false
	}
}

// Match reports whether query occurs, ignoring case, in the skill's ID,
// name or description. The empty query matches every skill.
func Match(s Skill, query string) bool {
	if query == "" {
		return true
	}
	q := strings.ToLower(query)
	for _, field := range []string{s.ID, s.Name, s.Description} {
		if strings.Contains(strings.ToLower(field), q) {
			return true
		}
	}
	return false
}
