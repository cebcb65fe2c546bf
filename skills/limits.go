package skills

import "time"

// Limits on what Load accepts, what Catalog.ReadFile returns and what a
// Runner allows. They are deliberately generous for hand-written skills and
// small enough that a hostile drive cannot exhaust memory or disk.
const (
	// MaxSkills is the most skills Load accepts across all drives.
	MaxSkills = 10000
	// MaxFilesPerSkill is the most files one skill folder may hold.
	MaxFilesPerSkill = 1000
	// MaxSkillMarkdownBytes is the largest SKILL.md Load accepts.
	MaxSkillMarkdownBytes = 256 << 10
	// MaxReadBytes is the largest file Catalog.ReadFile returns.
	MaxReadBytes = 1 << 20
	// MaxCopyBytes is the most bytes a Runner copies into a script's
	// working directory (the sum of all the skill's files).
	MaxCopyBytes = 64 << 20
	// MaxPathBytes is the longest path, relative to the skill folder,
	// accepted anywhere.
	MaxPathBytes = 1024
	// MaxFolderNameBytes is the longest drive, team, user or skill
	// folder name.
	MaxFolderNameBytes = 255
	// MaxNameBytes is the longest front-matter name.
	MaxNameBytes = 64
	// MaxDescriptionBytes is the longest front-matter description.
	MaxDescriptionBytes = 1024

	// MaxArgs is the most arguments a script may be given.
	MaxArgs = 64
	// MaxArgBytes is the longest single script argument.
	MaxArgBytes = 4096

	// DefaultTimeout is used when RunnerConfig.Timeout is zero.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxOutputBytes is used when RunnerConfig.MaxOutputBytes is
	// zero; it applies to stdout and stderr separately.
	DefaultMaxOutputBytes = 64 << 10
	// WaitDelay bounds how long Run waits for a killed script to exit, and
	// then for processes that escaped its process group to release its
	// output pipes.
	WaitDelay = 2 * time.Second
)
