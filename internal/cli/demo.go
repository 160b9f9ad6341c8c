package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/catalog"
	"github.com/plumbsec/plumb/internal/engine"
	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labscan"
	"github.com/plumbsec/plumb/internal/report"
)

func newDemoCmd(st *Streams) *cobra.Command {
	var (
		out    outputFlags
		gate   gateFlags
		accept acceptFlags
		sel    selectFlags
		scope  scopeFlags
		target string
		serve  bool
		writes bool
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Start the built-in lab (local DNS + a deliberately vulnerable API) and scan it",
		Long: `Start plumb's lab on 127.0.0.1 — a DNS server and a Flask-style API with real
flaws (an unprotected secured operation, version-leaking headers, no HSTS,
dangling CNAMEs behind its spec servers and OAuth token URL) — and scan it
through the same network layer a real scan uses. Nothing leaves this machine.

--target clean scans the flawless twin instead; --serve keeps the lab
running and prints the 'plumb scan' command to run against it yourself.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.validate(report.Names()); err != nil {
				return err
			}
			if err := gate.validate(); err != nil {
				return err
			}
			if target != "vulnerable" && target != "clean" {
				return usagef("--target %q: want vulnerable or clean", target)
			}
			selector, err := sel.build()
			if err != nil {
				return err
			}
			var o engine.Options
			if err := scope.apply(&o); err != nil {
				return err
			}
			return runDemo(cmd.Context(), st, target, serve, writes, selector, o, &out, &gate, &accept)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&target, "target", "vulnerable", "which lab API to scan: vulnerable or clean")
	fs.BoolVar(&serve, "serve", false, "keep the lab running and print how to scan it with 'plumb scan' (Ctrl-C stops)")
	fs.BoolVar(&writes, "allow-writes", false, "also run the state-changing probes (the lab lives in this process; they touch nothing else)")
	out.register(fs, "report")
	gate.register(fs)
	accept.register(fs)
	sel.register(fs)
	scope.register(fs)
	return cmd
}

// runDemo scans a lab target; scoped carries the --include/--exclude patterns.
func runDemo(ctx context.Context, st *Streams, which string, serve, writes bool, sel engine.Selector, scoped engine.Options, out *outputFlags, gate *gateFlags, accept *acceptFlags) error {
	w, err := lab.Start(ctx, lab.Options{})
	if err != nil {
		return scanError{fmt.Errorf("start lab: %w", err)}
	}
	defer w.Close()
	t := w.Vuln
	if which == "clean" {
		t = w.Clean
	}
	if serve {
		return serveLab(ctx, st, w, t)
	}
	o, err := labscan.Options(w, t.Token)
	if err != nil {
		return err
	}
	o.Version, o.Checks, o.Select = version(), catalog.Default().Checks(), sel
	o.Include, o.Exclude = scoped.Include, scoped.Exclude
	o.CallbackURL = lab.CallbackURL                                       // the lab's collector listens for SSRF callbacks
	o.CredentialsB = http.Header{"Authorization": {"Bearer " + t.TokenB}} // bob, for cross-user checks
	o.AllowWrites = writes
	return runScan(ctx, st, engine.Target{URL: t.BaseURL}, o, out, gate, accept)
}

func serveLab(ctx context.Context, st *Streams, w *lab.World, t lab.Target) error {
	dir, err := os.MkdirTemp("", "plumb-lab-")
	if err != nil {
		return scanError{err}
	}
	defer os.RemoveAll(dir)
	ca := filepath.Join(dir, "lab-ca.pem")
	if err := os.WriteFile(ca, w.CACertPEM, 0o600); err != nil {
		return scanError{err}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "The lab is running. In another shell:\n\n  export LAB_TOKEN='%s' LAB_TOKEN_B='%s'\n  plumb scan %s \\\n    --resolver %s \\\n", t.Token, t.TokenB, t.BaseURL, w.DNSAddr)
	for _, c := range w.ConnectTo {
		fmt.Fprintf(&b, "    --connect-to %s \\\n", c)
	}
	fmt.Fprintf(&b, "    --dns-root %s --dns-authority-port %s \\\n", w.RootAddr, w.AuthorityPort)
	fmt.Fprintf(&b, "    --rate %d --callback-url %s --cacert %s --bearer-env LAB_TOKEN --bearer-env-b LAB_TOKEN_B\n\nPress Ctrl-C to stop the lab.\n", labscan.Rate, lab.CallbackURL, ca)
	if _, err := fmt.Fprint(st.Out, b.String()); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
