// Package skills reads skills from drives and runs their scripts safely.
//
// A skill is a folder holding a SKILL.md file (YAML front matter with a
// name and a description, then a Markdown body) and any other files,
// usually including a scripts/ folder. Skills live in drives under a root:
//
//	shared/<skill>/          seen by everyone
//	teams/<team>/<skill>/    seen by members of <team>
//	users/<user>/<skill>/    seen by <user>
//
// A skill's ID is its folder path from the root, such as
// "shared/hello-world" or "teams/analytics/sql-style".
//
// Load builds an immutable Catalog from an fs.FS: Bundled for the example
// skills compiled into the binary, or OpenDir for a folder on disk. The
// Catalog answers which skills exist, which a Viewer sees, and reads their
// files with every path confined to the skill's own folder. A Runner runs a
// skill's script in a private temporary copy of the skill, with a clean
// environment, a timeout that kills the whole process group, and capped
// output.
//
// The package knows nothing of HTTP, MCP, credentials or personas: callers
// decide who may see what and describe them as a Viewer.
package skills
