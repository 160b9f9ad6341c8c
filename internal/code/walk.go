package code

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
)

// skipDirs are never descended into: dependencies, build output, VCS data.
var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".svn": true, "node_modules": true, "vendor": true, "bower_components": true,
	".venv": true, "venv": true, "__pycache__": true, ".tox": true, ".mypy_cache": true, ".pytest_cache": true,
	"dist": true, "build": true, ".next": true, ".terraform": true, "site-packages": true, "third_party": true,
	"_vendor": true, // pip's and setuptools' vendored copies
}

// job is one file to read.
type job struct {
	path string // on disk
	rel  string // slash-separated, relative to the scanned path's directory
	root string // the scan root it was found under
	lang lang
	size int64
}

// walkStats counts what the walk skipped and why.
type walkStats struct {
	Ignored  int `json:"ignored"`   // .gitignore, skipped directories
	TooLarge int `json:"too_large"` // over the size cap
	Binary   int `json:"binary"`
	Other    int `json:"unsupported"` // not a language plumb code reads
}

// walker finds the files to read under the given paths.
type walker struct {
	maxSize  int64
	stats    walkStats
	errs     []FileError
	mu       sync.Mutex
	projects map[string]bool // directories holding a project marker
}

// walk sends every readable file under paths to out. It honours
// .gitignore files (each applies to its own directory and below) and
// stops when ctx is done.
func (w *walker) walk(ctx context.Context, paths []string, out chan<- job) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return &PathError{Path: p, Err: err}
		}
		if !fi.IsDir() {
			w.file(ctx, p, displayPath(p), displayPath(filepath.Dir(p)), fi, out)
			continue
		}
		if err := w.dir(ctx, p, out); err != nil {
			return err
		}
	}
	return nil
}

func (w *walker) dir(ctx context.Context, root string, out chan<- job) error {
	var patterns []gitignore.Pattern
	patterns = append(patterns, readIgnore(root, nil)...)
	type level struct {
		depth int
		n     int
	}
	var added []level // patterns added per directory depth, to drop when leaving it
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if err != nil {
			w.errs = append(w.errs, FileError{File: rel, Message: err.Error()})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if rel == "." {
			return nil
		}
		parts := strings.Split(rel, "/")
		for len(added) > 0 && added[len(added)-1].depth >= len(parts) {
			patterns = patterns[:len(patterns)-added[len(added)-1].n]
			added = added[:len(added)-1]
		}
		if d.IsDir() {
			if skipDirs[d.Name()] || gitignore.NewMatcher(patterns).Match(parts, true) {
				w.stats.Ignored++
				return fs.SkipDir
			}
			if ps := readIgnore(path, parts); len(ps) > 0 {
				patterns = append(patterns, ps...)
				added = append(added, level{len(parts), len(ps)})
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if projectMarkers[d.Name()] {
			w.markDir(displayPath(filepath.Dir(path)))
		}
		if gitignore.NewMatcher(patterns).Match(parts, false) {
			w.stats.Ignored++
			return nil
		}
		if fi, ierr := d.Info(); ierr == nil {
			w.file(ctx, path, displayPath(path), displayPath(root), fi, out)
		} else {
			w.errs = append(w.errs, FileError{File: rel, Message: ierr.Error()}) // gone since listed: keep walking
		}
		return nil
	})
}

// projectMarkers are files that make their directory a project root:
// settings are linked across files only within one project.
var projectMarkers = map[string]bool{
	"go.mod": true, "package.json": true, "requirements.txt": true, "pyproject.toml": true, "setup.py": true,
	"setup.cfg": true, "Pipfile": true, "Chart.yaml": true, "manage.py": true,
}

func (w *walker) markDir(dir string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.projects == nil {
		w.projects = map[string]bool{}
	}
	w.projects[dir] = true
}

// displayPath is how a report names a file: slash-separated, as given on
// the command line (relative paths stay relative, so SARIF locations
// resolve against the checkout).
func displayPath(p string) string {
	p = filepath.ToSlash(filepath.Clean(p))
	return strings.TrimPrefix(p, "./")
}

func (w *walker) file(ctx context.Context, path, rel, root string, fi fs.FileInfo, out chan<- job) {
	l := classify(rel)
	if l == langNone {
		w.stats.Other++
		return
	}
	if fi.Size() > w.maxSize {
		w.stats.TooLarge++
		return
	}
	select {
	case out <- job{path: path, rel: rel, root: root, lang: l, size: fi.Size()}:
	case <-ctx.Done():
	}
}

// readIgnore reads dir/.gitignore; domain is dir relative to the root.
func readIgnore(dir string, domain []string) []gitignore.Pattern {
	data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err != nil || len(data) > 1<<20 {
		return nil
	}
	var out []gitignore.Pattern
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, gitignore.ParsePattern(line, domain))
	}
	return out
}

// readFile reads a file up to max bytes and reports binary content (a NUL
// in the first 8 KiB).
func readFile(path string, max int64) ([]byte, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	// One allocation for a file whose size is known (it may have grown
	// since it was listed: read up to the cap and one byte more to tell).
	size := int64(512)
	if fi, err := f.Stat(); err == nil && fi.Size() >= 0 {
		size = min(fi.Size(), max) + 1
	}
	data := make([]byte, 0, size)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, false, err
		}
		if int64(len(data)) > max {
			return nil, false, errTooLarge
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	head := data[:min(len(data), 8192)]
	return data, bytes.IndexByte(head, 0) >= 0, nil
}

var errTooLarge = errors.New("over the size cap")

// PathError is a scan path that cannot be read: the scan cannot run.
type PathError struct {
	Path string
	Err  error
}

func (e *PathError) Error() string { return fmt.Sprintf("%s: %v", e.Path, e.Err) }
func (e *PathError) Unwrap() error { return e.Err }

// FileError is one file that could not be read or parsed completely; the
// scan goes on and keeps what it read.
type FileError struct {
	File    string `json:"file"`
	Message string `json:"message"`
}
