package cli

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
	"github.com/plumbsec/plumb/internal/safetext"
)

// resultWriter renders results as they arrive, and the run's notices
// (resolvers set aside, resolving from the roots) before them.
type resultWriter interface {
	notice(dnsaudit.Notice) error
	write(*dnsaudit.Result) error
	close() error
}

func newResultWriter(format string, w io.Writer) (resultWriter, error) {
	bw := bufio.NewWriter(w)
	switch format {
	case "jsonl":
		return &jsonWriter{w: bw, enc: json.NewEncoder(bw)}, nil
	case "json":
		return &jsonWriter{w: bw, enc: json.NewEncoder(bw), array: true}, nil
	case "table":
		return &tableWriter{bw: bw, tw: tabwriter.NewWriter(bw, 0, 8, 2, ' ', 0)}, nil
	}
	return nil, usagef("--format %q: want one of jsonl, json, table", format)
}

// jsonWriter writes one JSON value per result; a notice is a value of its
// own, {"notice": KIND, "server": ..., "reason": ..., "dns": [...]}, that
// has no "name" (docs/dns.md).
type jsonWriter struct {
	w     *bufio.Writer
	enc   *json.Encoder
	array bool
	n     int
}

func (j *jsonWriter) notice(n dnsaudit.Notice) error { return j.value(n) }

func (j *jsonWriter) write(r *dnsaudit.Result) error { return j.value(r) }

func (j *jsonWriter) value(v any) error {
	if j.array {
		sep := ",\n"
		if j.n == 0 {
			sep = "[\n"
		}
		if _, err := j.w.WriteString(sep); err != nil {
			return err
		}
	}
	j.n++
	if err := j.enc.Encode(v); err != nil {
		return err
	}
	// Flush each line in jsonl so a consumer sees results as they come.
	if !j.array {
		return j.w.Flush()
	}
	return nil
}

func (j *jsonWriter) close() error {
	if j.array {
		s := "]\n"
		if j.n == 0 {
			s = "[]\n"
		}
		if _, err := j.w.WriteString(s); err != nil {
			return err
		}
	}
	return j.w.Flush()
}

// tableWriter writes one row per name and, under each verdict, the
// answers it rests on (query, server, rcode).
type tableWriter struct {
	bw     *bufio.Writer
	tw     *tabwriter.Writer
	n      int
	header bool
}

func (t *tableWriter) notice(n dnsaudit.Notice) error {
	server := ""
	if n.Server != "" {
		server = " " + n.Server
	}
	_, err := fmt.Fprintf(t.bw, "# %s%s: %s\n", n.Kind, server, quote(n.Reason))
	return err
}

// quote escapes what came from the input or from a server (names, titles
// quoting an answer): nothing in a cell may drive the terminal.
func quote(s string) string { return safetext.Quote(s, 4*len(s)+1) }

func (t *tableWriter) write(r *dnsaudit.Result) error {
	if !t.header {
		t.header = true
		fmt.Fprintln(t.tw, "STATUS\tNAME\tSERVICE\tFINDINGS")
	}
	svc := r.Service
	if svc == "" {
		svc = "-"
	}
	// The most severe verdict shares the name's row; the others follow.
	fs := slices.Clone(r.Findings)
	slices.SortStableFunc(fs, func(a, b finding.Finding) int { return cmp.Compare(b.Severity, a.Severity) })
	first := r.Error
	if len(fs) > 0 {
		first = findingCell(fs[0])
	}
	if _, err := fmt.Fprintf(t.tw, "%s\t%s\t%s\t%s\n", r.Status, quote(r.Name), quote(svc), quote(first)); err != nil {
		return err
	}
	for i, f := range fs {
		if i > 0 {
			fmt.Fprintf(t.tw, "\t\t\t%s\n", quote(findingCell(f)))
		}
		if ev := evidenceCell(f.Evidence.DNS); ev != "" {
			fmt.Fprintf(t.tw, "\t\t\t  evidence: %s\n", quote(ev))
		}
	}
	// tabwriter keeps rows until Flush: flush in blocks so memory stays
	// bounded on huge lists (columns may shift between blocks).
	if t.n++; t.n%256 == 0 {
		return t.close()
	}
	return nil
}

func findingCell(f finding.Finding) string {
	return fmt.Sprintf("%s[%s] %s", f.ID, f.Severity, f.Title)
}

// evidenceCell renders DNS evidence as "NAME TYPE @SERVER RCODE" items.
func evidenceCell(ev []finding.DNSAnswer) string {
	parts := make([]string, 0, len(ev))
	for _, e := range ev {
		p := strings.TrimSuffix(e.Name, ".") + " " + e.Type
		if e.Server != "" {
			p += " @" + e.Server
		}
		p += " " + e.Rcode
		if e.Error != "" && e.Rcode == "" {
			p += " (" + e.Error + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

func (t *tableWriter) close() error {
	if err := t.tw.Flush(); err != nil {
		return err
	}
	return t.bw.Flush()
}
