package skills

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"unicode/utf8"
)

// ReadFile returns the contents of the text file name (a slash path
// relative to the skill folder) in skill id.
//
// name must be one of Skill.Files: a malformed path fails with
// ErrInvalidPath, anything else outside the listed files (including
// symbolic links) with ErrPathOutsideSkill. A file over MaxReadBytes fails
// with ErrTooLarge and a file that is not UTF-8 text with ErrBinary.
func (c *Catalog) ReadFile(ctx context.Context, id, name string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	e, err := c.lookup(id)
	if err != nil {
		return nil, err
	}
	p, err := e.checkFile(name)
	if err != nil {
		return nil, fmt.Errorf("read from skill %q: %w", id, err)
	}
	f, info, err := c.open(e.skill.ID, p)
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", e.skill.ID, p, err)
	}
	defer f.Close()
	if info.Size() > MaxReadBytes {
		return nil, fmt.Errorf("read %s/%s: %w: %d bytes, the limit is %d", e.skill.ID, p, ErrTooLarge, info.Size(), MaxReadBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxReadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", e.skill.ID, p, err)
	}
	if len(data) > MaxReadBytes {
		return nil, fmt.Errorf("read %s/%s: %w: the limit is %d bytes", e.skill.ID, p, ErrTooLarge, MaxReadBytes)
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, fmt.Errorf("read %s/%s: %w", e.skill.ID, p, ErrBinary)
	}
	return data, nil
}

// open opens the regular file name (validated, listed) in the skill folder
// skillDir. The file and every folder on the way must still be what Load
// saw: a symbolic link in place of any of them is refused, which matters
// when files change on disk after Load. With a Dir the open itself is also
// confined to the skill folder by the operating system, which closes the
// race between these checks and the open; with other file systems the
// checks are best effort.
func (c *Catalog) open(skillDir, name string) (fs.File, fs.FileInfo, error) {
	elems := strings.Split(name, "/")
	for i := range elems {
		p := skillDir + "/" + strings.Join(elems[:i+1], "/")
		info, err := fs.Lstat(c.fsys, p)
		if err != nil {
			return nil, nil, err
		}
		last := i == len(elems)-1
		if info.Mode()&fs.ModeSymlink != 0 || last && !info.Mode().IsRegular() || !last && !info.IsDir() {
			return nil, nil, fmt.Errorf("%w: %q is no longer a plain file or folder", ErrPathOutsideSkill, strings.Join(elems[:i+1], "/"))
		}
	}
	var f fs.File
	var err error
	if d, ok := c.fsys.(*Dir); ok {
		f, err = d.openBeneath(skillDir, name)
	} else {
		f, err = c.fsys.Open(skillDir + "/" + name)
	}
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%w: %q is not a regular file", ErrPathOutsideSkill, name)
	}
	return f, info, nil
}
