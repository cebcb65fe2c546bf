package skills

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// workdir is the private temporary folder of one run:
//
//	<base>/skill  a copy of the skill folder; the script's working directory
//	<base>/home   HOME
//	<base>/tmp    TMPDIR
//
// Everything is created 0700 and removed by remove.
type workdir struct {
	base, skill, home, tmp string
}

func newWorkdir(parent string) (*workdir, error) {
	base, err := os.MkdirTemp(parent, "skillgate-run-*")
	if err != nil {
		return nil, err
	}
	w := &workdir{
		base:  base,
		skill: filepath.Join(base, "skill"),
		home:  filepath.Join(base, "home"),
		tmp:   filepath.Join(base, "tmp"),
	}
	for _, d := range []string{w.skill, w.home, w.tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return w, err
		}
	}
	return w, nil
}

// copySkill copies every listed file of e into w.skill, through the same
// confined open as Catalog.ReadFile. Files under scripts/ become 0700
// (executable), others 0600. At most MaxCopyBytes are copied in all.
func (w *workdir) copySkill(ctx context.Context, c *Catalog, e *entry) error {
	root, err := os.OpenRoot(w.skill)
	if err != nil {
		return err
	}
	defer root.Close()
	var budget int64 = MaxCopyBytes
	for _, name := range e.skill.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if dir := path.Dir(name); dir != "." {
			if err := root.MkdirAll(filepath.FromSlash(dir), 0o700); err != nil {
				return err
			}
		}
		var mode fs.FileMode = 0o600
		if strings.HasPrefix(name, "scripts/") {
			mode = 0o700
		}
		n, err := copyFile(c, e.skill.ID, name, root, mode, budget)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		budget -= n
	}
	return nil
}

// copyFile copies name from the skill folder skillDir into root, failing
// with ErrTooLarge past budget bytes. It returns the bytes copied.
func copyFile(c *Catalog, skillDir, name string, root *os.Root, mode fs.FileMode, budget int64) (int64, error) {
	src, info, err := c.open(skillDir, name)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	if info.Size() > budget {
		return 0, fmt.Errorf("%w: the skill holds more than %d bytes", ErrTooLarge, MaxCopyBytes)
	}
	dst, err := root.OpenFile(filepath.FromSlash(name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(dst, io.LimitReader(src, budget+1))
	if err == nil && n > budget {
		err = fmt.Errorf("%w: the skill holds more than %d bytes", ErrTooLarge, MaxCopyBytes)
	}
	if err == nil {
		err = dst.Chmod(mode) // whatever the umask
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// remove deletes the whole run folder. A script may have left folders it
// created without write permission, so a failed attempt makes every folder
// 0700 (through a root, so links the script left are not followed out) and
// tries again.
func (w *workdir) remove() error {
	if err := os.RemoveAll(w.base); err == nil {
		return nil
	}
	if root, err := os.OpenRoot(w.base); err == nil {
		_ = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if d != nil && d.IsDir() {
				_ = root.Chmod(p, 0o700)
			}
			return nil
		})
		root.Close()
	}
	return os.RemoveAll(w.base)
}
