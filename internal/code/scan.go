package code

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Options configure a scan.
type Options struct {
	// MaxFileSize skips larger files (generated bundles, data dumps);
	// default 2 MiB.
	MaxFileSize int64
	// Workers parse files in parallel; default GOMAXPROCS.
	Workers int
	// DNS audits the hosts found; nil skips the DNS audit (--no-dns).
	DNS Auditor
	// DNSConcurrency bounds names audited at once; default 32.
	DNSConcurrency int
	// DNSSkip, if set, says why a host must not be audited ("" audits it):
	// the host is reported with DNS status skipped and that reason.
	DNSSkip func(host string) string
	// Progress, if set, is told how the scan advances (from one goroutine
	// at a time; it must not block).
	Progress func(Progress)
	Version  string
	Now      func() time.Time
}

// Progress is how far a scan is: files read so far (their number is not
// known ahead), then host names audited out of Total.
type Progress struct {
	Stage string // "read" or "dns"
	Done  int
	Total int // 0 while reading files
}

// DefaultMaxFileSize is the per-file size cap.
const DefaultMaxFileSize = 2 << 20

// Scan reads the files under paths, links hosts to credentials, audits the
// hosts' DNS and returns the report. A path that cannot be read is a
// *PathError (no report); a file that cannot be read or parsed is listed in
// Report.Errors and the rest of the scan goes on. If ctx ends, the report
// so far is returned with Partial set.
func Scan(ctx context.Context, paths []string, o Options) (*Report, error) {
	if len(paths) == 0 {
		return nil, errors.New("no path to scan")
	}
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.DNSConcurrency <= 0 {
		o.DNSConcurrency = 32
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	start := o.Now()
	rep := &Report{SchemaVersion: SchemaVersion, Tool: Tool{Name: "plumb", Version: o.Version}, Paths: paths, StartedAt: start.UTC(),
		Files: FileStats{ByLanguage: map[string]int{}}, Hosts: []Host{}, Errors: []FileError{}}
	w := &walker{maxSize: o.MaxFileSize}
	facts, err := readAll(ctx, w, paths, o, rep)
	if err != nil {
		return nil, err
	}
	rep.Files.Skipped = w.stats
	rep.Errors = append(rep.Errors, w.errs...)
	j := newJoin(facts, w.projects)
	if o.DNS != nil && ctx.Err() == nil {
		rep.DNSAudited = true
		j.dns = auditHosts(ctx, o.DNS, j.auditable(o.DNSSkip), o.DNSConcurrency, o.Progress)
	}
	rep.Hosts, rep.Findings = j.build()
	if rep.Partial = ctx.Err() != nil; rep.Partial {
		rep.PartialReasons = append(rep.PartialReasons, "interrupted: "+context.Cause(ctx).Error())
	}
	rep.DurationMS = o.Now().Sub(start).Milliseconds()
	return rep, nil
}

// readAll walks the paths and parses files on a bounded pool of workers;
// a file's bytes are dropped once it is analyzed, so memory holds only
// facts, never the tree.
func readAll(ctx context.Context, w *walker, paths []string, o Options, rep *Report) ([]*fileFacts, error) {
	jobs := make(chan job, o.Workers*2)
	type result struct {
		ff   *fileFacts
		err  *FileError
		size int64
		lang lang
	}
	results := make(chan result, o.Workers*2)
	var walkErr error
	go func() {
		defer close(jobs)
		walkErr = w.walk(ctx, paths, jobs)
	}()
	var wg sync.WaitGroup
	for range o.Workers {
		wg.Go(func() {
			for jb := range jobs {
				ff, ferr, skipped := analyzeFile(jb, o.MaxFileSize)
				if skipped {
					w.mu.Lock()
					w.stats.Binary++
					w.mu.Unlock()
					continue
				}
				results <- result{ff: ff, err: ferr, size: jb.size, lang: jb.lang}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	var facts []*fileFacts
	read := 0
	for r := range results {
		if read++; o.Progress != nil {
			o.Progress(Progress{Stage: "read", Done: read})
		}
		if r.err != nil {
			rep.Errors = append(rep.Errors, *r.err)
		}
		if r.ff != nil {
			facts = append(facts, r.ff)
			rep.Files.Scanned++
			rep.Files.Bytes += r.size
			rep.Files.ByLanguage[r.lang.String()]++
		}
	}
	var pe *PathError
	if errors.As(walkErr, &pe) {
		return nil, pe
	}
	return facts, nil
}

// analyzeFile reads and analyzes one file. skipped says it was binary.
// A parser bug on a hostile file costs that file, not the scan.
func analyzeFile(jb job, maxSize int64) (ff *fileFacts, fe *FileError, skipped bool) {
	defer func() {
		if r := recover(); r != nil {
			ff, fe, skipped = nil, &FileError{File: jb.rel, Message: fmt.Sprintf("internal error reading the file: %v", r)}, false
		}
	}()
	data, binary, err := readFile(jb.path, maxSize)
	if err != nil {
		return nil, &FileError{File: jb.rel, Message: err.Error()}, false
	}
	if binary {
		return nil, nil, true
	}
	if !mayMatter(data) {
		return &fileFacts{file: jb.rel, lang: jb.lang}, nil, false // nothing in it can matter (prefilter.go)
	}
	ff, perr := analyzeBytes(jb.rel, jb.lang, data)
	if ff == nil {
		return nil, nil, false
	}
	ff.detach()
	ff.test = testPath(strings.TrimPrefix(strings.TrimPrefix(jb.rel, jb.root), "/")) || jb.lang == langGo && buildIgnored(data)
	if perr != nil {
		fe = &FileError{File: jb.rel, Message: perr.Error()}
	}
	return ff, fe, false
}

// analyzeBytes parses one file's content in its language. An error says
// the file was read only in part; the facts hold what was read.
func analyzeBytes(file string, l lang, data []byte) (*fileFacts, error) {
	switch l {
	case langPython:
		return analyzeSource(file, parsePython(string(data))), nil
	case langJS:
		return analyzeSource(file, parseJS(data)), nil
	case langGo:
		return analyzeSource(file, parseGo(data)), nil
	}
	var entries []cfgEntry
	var err error
	switch l {
	case langEnv:
		entries = parseEnv(data)
	case langYAML:
		entries, err = parseYAML(data)
	case langJSON:
		entries, err = parseJSONOrJSONC(data)
	case langTOML:
		entries, err = parseTOML(data)
	case langINI:
		entries = parseINI(data)
	case langProperties:
		entries = parseProperties(data)
	case langTerraform:
		entries, err = parseTerraform(data)
	}
	return analyzeConfig(file, l, entries), err
}
