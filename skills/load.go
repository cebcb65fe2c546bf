package skills

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
)

// Load reads every skill in fsys's drives: shared/<skill>,
// teams/<team>/<skill> and users/<user>/<skill>. A folder without a
// SKILL.md is not a skill and is skipped silently; so are files and other
// top-level entries that are not drives, and hidden files inside a skill.
//
// Problems (bad front matter, bad folder names, symbolic links, limits
// exceeded) are collected, each naming its path, and returned together as
// one error. Even then the returned Catalog holds every skill that loaded
// cleanly, so a caller may log the error and carry on, or refuse to start.
// The Catalog is nil only when ctx is done.
//
// Use OpenDir, not os.DirFS, for a folder on disk: only then are symbolic
// links that leave the folder refused by the operating system.
func Load(ctx context.Context, fsys fs.FS) (*Catalog, error) {
	l := &loader{fsys: fsys}
	l.loadDrive(ctx, "shared", Drive{Kind: DriveShared})
	for _, owned := range []struct {
		dir  string
		kind DriveKind
	}{{"teams", DriveTeam}, {"users", DriveUser}} {
		for _, owner := range l.subdirs(owned.dir) {
			l.loadDrive(ctx, owned.dir+"/"+owner, Drive{Kind: owned.kind, Owner: owner})
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("load skills: %w", err)
	}
	c := newCatalog(fsys, l.entries)
	if len(l.problems) > 0 {
		return c, fmt.Errorf("load skills: %w", errors.Join(l.problems...))
	}
	return c, nil
}

// loader holds the state of one Load call.
type loader struct {
	fsys     fs.FS
	entries  []*entry
	problems []error
	full     bool // MaxSkills reached and reported
}

func (l *loader) problem(path string, err error) {
	l.problems = append(l.problems, fmt.Errorf("%s: %w", path, err))
}

// subdirs returns the names of dir's sub-folders, reporting badly named
// ones and symbolic links. A missing dir is an empty drive.
func (l *loader) subdirs(dir string) []string {
	ents, err := fs.ReadDir(l.fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		l.problem(dir, err)
		return nil
	}
	var names []string
	for _, e := range ents {
		p := dir + "/" + e.Name()
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			l.problem(p, fmt.Errorf("%w: symbolic links are not followed", ErrPathOutsideSkill))
		case !e.IsDir():
			// Notes such as a README next to the skills.
		default:
			if err := validName(e.Name()); err != nil {
				l.problem(p, err)
				continue
			}
			names = append(names, e.Name())
		}
	}
	return names
}

// loadDrive loads every skill folder directly under dir.
func (l *loader) loadDrive(ctx context.Context, dir string, d Drive) {
	for _, name := range l.subdirs(dir) {
		if ctx.Err() != nil || l.full {
			return
		}
		l.loadSkill(ctx, dir+"/"+name, d)
	}
}

// loadSkill loads the skill in dir, or records why it cannot.
func (l *loader) loadSkill(ctx context.Context, dir string, d Drive) {
	mdPath := dir + "/SKILL.md"
	info, err := fs.Lstat(l.fsys, mdPath)
	if errors.Is(err, fs.ErrNotExist) {
		return // a folder without SKILL.md is not a skill
	}
	if err != nil {
		l.problem(mdPath, err)
		return
	}
	if len(l.entries) >= MaxSkills {
		l.problem(dir, fmt.Errorf("%w: more than %d skills", ErrTooLarge, MaxSkills))
		l.full = true
		return
	}
	if !info.Mode().IsRegular() {
		l.problem(mdPath, fmt.Errorf("%w: not a regular file", ErrInvalidSkill))
		return
	}
	data, err := l.readSmall(mdPath, MaxSkillMarkdownBytes)
	if err != nil {
		l.problem(mdPath, err)
		return
	}
	fm, body, err := parseSkillMarkdown(data)
	if err != nil {
		l.problem(mdPath, err)
		return
	}
	files, err := l.listFiles(ctx, dir)
	if err != nil {
		l.problem(dir, err)
		return
	}
	l.entries = append(l.entries, newEntry(Skill{
		ID:          dir,
		Name:        fm.Name,
		Description: fm.Description,
		Drive:       d,
		Body:        body,
		Files:       files,
	}, string(data)))
}

// readSmall reads a whole file of at most limit bytes.
func (l *loader) readSmall(name string, limit int64) ([]byte, error) {
	f, err := l.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}

// listFiles returns the regular files under dir as sorted slash paths
// relative to dir. Hidden files and folders are left out silently; symbolic
// links, special files and unusable names are left out and reported. Too
// many files, or a ctx that is done, fail the whole skill.
func (l *loader) listFiles(ctx context.Context, dir string) ([]string, error) {
	var files []string
	err := fs.WalkDir(l.fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel := strings.TrimPrefix(p, dir+"/")
		switch {
		case strings.HasPrefix(d.Name(), "."):
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			l.problem(p, fmt.Errorf("%w: symbolic links are not followed", ErrPathOutsideSkill))
			return nil
		case d.IsDir():
			return nil
		case !d.Type().IsRegular():
			l.problem(p, fmt.Errorf("%w: not a regular file", ErrPathOutsideSkill))
			return nil
		}
		if _, err := validatePath(rel); err != nil {
			l.problem(p, err)
			return nil
		}
		if len(files) == MaxFilesPerSkill {
			return fmt.Errorf("%w: more than %d files", ErrTooLarge, MaxFilesPerSkill)
		}
		files = append(files, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(files)
	return files, nil
}
