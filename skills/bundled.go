package skills

import (
	"embed"
	"io/fs"
)

//go:embed all:bundled
var bundled embed.FS

// Bundled returns the example skills compiled into the binary, laid out as
// drives (shared/..., teams/...) ready for Load. It is read-only, has no
// symbolic links and needs no closing.
func Bundled() fs.FS {
	sub, err := fs.Sub(bundled, "bundled")
	if err != nil {
		// fs.Sub fails only for an invalid path; "bundled" is valid.
		panic(err)
	}
	return sub
}
