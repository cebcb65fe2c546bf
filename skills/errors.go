package skills

import "errors"

// Sentinel errors. Returned errors wrap them with context; match them with
// errors.Is.
var (
	// ErrNotFound means no skill has the given ID.
	ErrNotFound = errors.New("skill not found")
	// ErrInvalidSkill means a SKILL.md is malformed: no front matter,
	// invalid YAML, or a missing or oversized name or description.
	ErrInvalidSkill = errors.New("invalid skill")
	// ErrInvalidName means a drive, team, user or skill folder name is not
	// made of [A-Za-z0-9._-] or starts with '.'.
	ErrInvalidName = errors.New("invalid name")
	// ErrInvalidPath means a path is malformed: empty, absolute, not
	// clean, with a ".." or hidden element, a backslash or a NUL byte.
	ErrInvalidPath = errors.New("invalid path")
	// ErrPathOutsideSkill means a well-formed path does not name a regular
	// file inside the skill folder (including through symbolic links).
	ErrPathOutsideSkill = errors.New("path is not a file inside the skill")
	// ErrTooLarge means a file or a whole skill is over its limit.
	ErrTooLarge = errors.New("too large")
	// ErrBinary means a file is not UTF-8 text.
	ErrBinary = errors.New("file is binary, not UTF-8 text")
	// ErrNotScript means the path given to Run is not a file under the
	// skill's scripts/ folder, or has no "#!" line.
	ErrNotScript = errors.New("not a script")
	// ErrInvalidArgs means script arguments are over the limits or hold a
	// NUL byte.
	ErrInvalidArgs = errors.New("invalid script arguments")
	// ErrInvalidConfig means a RunnerConfig is unusable.
	ErrInvalidConfig = errors.New("invalid runner config")
)
