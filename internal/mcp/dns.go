package mcp

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/google/jsonschema-go/jsonschema"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/plumbsec/plumb/internal/dnsaudit"
	"github.com/plumbsec/plumb/internal/finding"
)

// maxNames bounds one audit_dns call; plumb dns --input is for more.
const maxNames = 256

// dnsParallel is how many names one call audits at once.
const dnsParallel = 16

// DNSInput is audit_dns's input.
type DNSInput struct {
	Names    []string `json:"names" jsonschema:"host names to audit, e.g. api.example.com; each must match the server's --allow-target"`
	Resolver string   `json:"resolver,omitempty" jsonschema:"recursive resolver IP:PORT to ask instead of the server's (it must be one of them or match --allow-target), or 'iterative' to resolve from the root servers"`
	Types    []string `json:"types,omitempty" jsonschema:"record types to audit, as plumb dns --types (default A, AAAA, CNAME, MX, NS): the names MX, NS, SRV, TXT (SPF and _dmarc) and CAA records point at are audited too"`
}

// DNSOutput is audit_dns's result: the run's notices, then one entry per
// name, in the order given, each the JSON line plumb dns writes.
type DNSOutput struct {
	Notices []dnsaudit.Notice  `json:"notices"`
	Results []*dnsaudit.Result `json:"results"`
}

func (t *tools) addAuditDNS(s *sdk.Server) error {
	in, err := inputSchema[DNSInput](func(s *jsonschema.Schema) {
		s.Properties["names"].MinItems = ptr(1)
		s.Properties["names"].MaxItems = ptr(maxNames)
		s.Properties["types"].Items.Enum = anys(dnsaudit.TypeNames())
		s.Properties["types"].MinItems = ptr(1)
	})
	if err != nil {
		return err
	}
	out, err := listsSchema(schemaBase+"audit_dns.schema.json", "audit_dns result",
		"What plumb dns writes: the run's notices (resolvers dropped, resolution from the root servers), then one result per name: "+
			"status (ok, dangling, vulnerable, unresolved, error), service, findings with DNS evidence, and the resolution chain.",
		list{name: "notices", item: dnsaudit.Notice{}, description: "what plumb dns prints on stderr and as {\"notice\": ...} lines: a resolver dropped (it rewrites NXDOMAIN or fails), names resolved from the root servers instead"},
		list{name: "results", item: dnsaudit.JSONShape(), description: "one result per name, in the order given"})
	if err != nil {
		return err
	}
	addTool(s, &sdk.Tool{
		Name: "audit_dns",
		Description: "Audit host names for dangling DNS and subdomain takeover: CNAME chains to names that no longer exist, " +
			"unregistered domains, lame and partially lame delegations, MX/NS/SRV/SPF/DMARC/CAA records pointing at names anyone can claim, " +
			"unclaimed cloud resources, internal addresses in public DNS. " +
			"Timeouts and SERVFAIL are reported as errors, never as 'does not exist'. " +
			"Resolvers that rewrite NXDOMAIN or fail are dropped and said so in notices.",
		Annotations: annotations("Audit DNS for dangling records and takeovers", true),
	}, in, out, t.auditDNS)
	return nil
}

func (t *tools) auditDNS(ctx context.Context, req *sdk.CallToolRequest, in DNSInput) (*sdk.CallToolResult, *DNSOutput, error) {
	names, err := t.dnsNames(in.Names)
	if err != nil {
		return nil, nil, err
	}
	if err := t.resolverAllowed(in.Resolver); err != nil {
		return nil, nil, err
	}
	var types dnsaudit.RecordTypes
	if len(in.Types) > 0 {
		if types, err = dnsaudit.ParseTypes(strings.Join(in.Types, ",")); err != nil {
			return nil, nil, fmt.Errorf("types: %w", err)
		}
	}
	a, err := t.cfg.Auditor(ctx, DNSSettings{Resolver: in.Resolver, Types: types})
	if err != nil {
		return nil, nil, fmt.Errorf("the DNS audit could not start: %w", err)
	}
	prog := startProgress(ctx, req)
	defer prog.stop()
	out := &DNSOutput{Notices: a.Notices(), Results: make([]*dnsaudit.Result, len(names))}
	if out.Notices == nil {
		out.Notices = []dnsaudit.Notice{}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		done int
		sem  = make(chan struct{}, dnsParallel)
	)
	for i, n := range names {
		wg.Go(func() {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			r := a.Audit(ctx, n)
			mu.Lock()
			defer mu.Unlock()
			out.Results[i] = r
			done++
			prog.set(float64(done), float64(len(names)), n+": "+string(r.Status))
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("audit_dns cancelled: %w", err)
	}
	return toolResult(dnsSummary(out, a.Iterative()), out), out, nil
}

// dnsNames normalises the names and refuses the call if any is not allowed.
func (t *tools) dnsNames(raw []string) ([]string, error) {
	var names, refused []string
	for _, n := range raw {
		n = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(n)), ".")
		if n == "" || len(n) > 253 || strings.ContainsAny(n, " /:@\t") {
			return nil, fmt.Errorf("%q is not a host name", n)
		}
		if err := t.cfg.Targets.Host(n, 0); err != nil {
			refused = append(refused, n)
			continue
		}
		names = append(names, n)
	}
	if len(refused) > 0 {
		return nil, &RefusedError{What: "name", Value: strings.Join(refused, ", "), Allowed: t.cfg.Targets.Patterns(), Flag: "--allow-target"}
	}
	return names, nil
}

// resolverAllowed lets audit_dns name one of the server's resolvers, an
// address --allow-target allows, or "iterative". Resolving from the roots
// asks the servers every audit already asks for its delegation checks
// (the --dns-root servers and the authorities they delegate to), which
// --allow-target does not filter: they are the configured resolvers.
func (t *tools) resolverAllowed(r string) error {
	if r == "" || r == iterative || slices.Contains(t.cfg.Resolvers, r) {
		return nil
	}
	ap, err := netip.ParseAddrPort(r)
	if err != nil {
		return fmt.Errorf("resolver %q: want IP:PORT, e.g. 9.9.9.9:53, or 'iterative'", r)
	}
	if err := t.cfg.Targets.Host(ap.Addr().String(), int(ap.Port())); err != nil {
		return &RefusedError{What: "resolver", Value: r, Allowed: t.cfg.Targets.Patterns(), Flag: "--allow-target"}
	}
	return nil
}

// iterative is the resolver value that resolves from the root servers.
const iterative = "iterative"

func dnsSummary(out *DNSOutput, iterative bool) string {
	rs := out.Results
	count := map[finding.DNSStatus]int{}
	for _, r := range rs {
		count[r.Status]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Audited %d name(s):", len(rs))
	sep := " "
	for _, st := range []finding.DNSStatus{finding.DNSVulnerable, finding.DNSDangling, finding.DNSError, finding.DNSUnresolved, finding.DNSOK} {
		if count[st] > 0 {
			fmt.Fprintf(&b, "%s%d %s", sep, count[st], st)
			sep = ", "
		}
	}
	b.WriteString(".\n")
	for _, n := range out.Notices {
		fmt.Fprintf(&b, "Notice: %s\n", n.Text())
	}
	if iterative && !slices.ContainsFunc(out.Notices, func(n dnsaudit.Notice) bool { return n.Kind == dnsaudit.NoticeIterative }) {
		b.WriteString("Names were resolved from the root servers (iterative resolution).\n")
	}
	for _, r := range rs {
		fmt.Fprintf(&b, "- %s: %s", r.Name, r.Status)
		if r.Service != "" {
			fmt.Fprintf(&b, " (%s)", r.Service)
		}
		for i, f := range r.Findings {
			if i == 0 {
				b.WriteString(" —")
			} else {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " %s [%s] %s", f.ID, f.Severity, f.Title)
		}
		if len(r.Findings) == 0 && r.Error != "" {
			b.WriteString(" — " + r.Error)
		}
		b.WriteString("\n")
	}
	b.WriteString("Structured result: the run's notices and one plumb dns result per name (status, service, findings with DNS evidence, chain). explain_finding ID explains a finding id.")
	return b.String()
}
