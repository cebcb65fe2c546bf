package skills

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Dir is a folder of skill drives on disk, opened with os.OpenRoot so that
// no path, and no symbolic link, can lead outside it. It implements fs.FS
// (with the Stat, ReadFile, ReadDir and ReadLink extensions) for Load.
//
// A Catalog loaded from a Dir goes further: it opens each file through a
// root scoped to the skill's own folder, so a link from one skill into
// another skill or drive is refused as well.
//
// The caller owns the Dir and must Close it once no Catalog loaded from it
// is in use.
type Dir struct {
	root *os.Root
	fsys fs.FS // root.FS()
}

// Interfaces Load and Catalog rely on.
var (
	_ fs.StatFS     = (*Dir)(nil)
	_ fs.ReadDirFS  = (*Dir)(nil)
	_ fs.ReadFileFS = (*Dir)(nil)
	_ fs.ReadLinkFS = (*Dir)(nil)
)

// OpenDir opens the folder dir. The caller must Close the result.
func OpenDir(dir string) (*Dir, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open skills dir: %w", err)
	}
	return &Dir{root: root, fsys: root.FS()}, nil
}

// Close releases the folder.
func (d *Dir) Close() error {
	return d.root.Close()
}

// Open implements fs.FS.
func (d *Dir) Open(name string) (fs.File, error) {
	return d.fsys.Open(name)
}

// Stat implements fs.StatFS.
func (d *Dir) Stat(name string) (fs.FileInfo, error) {
	return fs.Stat(d.fsys, name)
}

// ReadDir implements fs.ReadDirFS.
func (d *Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	return fs.ReadDir(d.fsys, name)
}

// ReadFile implements fs.ReadFileFS.
func (d *Dir) ReadFile(name string) ([]byte, error) {
	return fs.ReadFile(d.fsys, name)
}

// ReadLink implements fs.ReadLinkFS.
func (d *Dir) ReadLink(name string) (string, error) {
	return fs.ReadLink(d.fsys, name)
}

// Lstat implements fs.ReadLinkFS.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) {
	return fs.Lstat(d.fsys, name)
}

// openBeneath opens name inside the folder skillDir through a root scoped
// to that folder, so the kernel-checked confinement is the skill's folder,
// not the whole drive root. Both paths are slash paths already validated.
func (d *Dir) openBeneath(skillDir, name string) (fs.File, error) {
	sub, err := d.root.OpenRoot(filepath.FromSlash(skillDir))
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	return sub.OpenFile(filepath.FromSlash(name), openReadFlags, 0)
}
