// Package cli is plumb's command line: commands, flags turned into typed
// engine options, rendering and exit codes. It holds no scanning logic.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/plumbsec/plumb/internal/engine"
)

// Exit codes. They are a stable contract, documented in README.md.
const (
	ExitOK    = 0 // the command ran (findings or not, partial report or not)
	ExitGate  = 1 // a --fail-on or --min-score gate tripped
	ExitUsage = 2 // bad flags or arguments
	ExitScan  = 3 // the scan could not run (bad spec, unreachable target, dead resolver) or was interrupted
)

// Version is set at build time with -ldflags "-X github.com/plumbsec/plumb/internal/cli.Version=v1.2.3".
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

const exitCodeHelp = `Exit codes:
  0  the command ran (whatever it found), even if the report is partial (time
     limit, request budget, hosts that stopped answering): it says so and why
  1  a --fail-on or --min-score gate tripped (partial report or not)
  2  usage error: bad flags or arguments
  3  the scan could not run (bad spec, unreachable target, dead resolver) or
     was interrupted; what was found so far is still written, marked partial`

// Each command's own exit codes, true to what it does (the numbers are
// the same contract).
const (
	dnsExitCodeHelp = `Exit codes:
  0  the names were audited (whatever was found)
  1  the --fail-on gate tripped
  2  usage error: bad flags, arguments or --input/--owned-ips file
  3  no resolver answered (every name is still written, as error with the
     reason) or the run was interrupted; the results already written stand`
	codeExitCodeHelp = `Exit codes:
  0  the code was read (whatever was found)
  1  the --fail-on gate tripped
  2  usage error: bad flags or arguments, a PATH that does not exist
  3  no resolver answered (the report is still written, its hosts' DNS error
     with the reason), a report could not be written, or the run was
     interrupted; the report is marked partial, with why`
	serveExitCodeHelp = `Exit codes:
  0  stopped cleanly on SIGINT/SIGTERM
  2  usage error: bad flags, TLS files that do not load, a secret key that
     does not open this database
  3  could not run: the --listen address cannot be bound (e.g. in use), the
     database cannot be opened or migrated, another plumb serve already
     works this SQLite file; or it stopped on an error`
	workerExitCodeHelp = `Exit codes:
  0  stopped cleanly on SIGINT/SIGTERM
  2  usage error: bad flags, --db not Postgres, a secret key that does not
     open this database
  3  could not run: the database cannot be reached or migrated; or it
     stopped on an error`
)

// usageError marks errors the user fixes by changing the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// gateError is a tripped CI gate.
type gateError struct{ msg string }

func (e gateError) Error() string { return e.msg }

// Streams are the command's standard streams, injected for tests.
type Streams struct {
	In        io.Reader
	Out, Err  io.Writer
	LookupEnv func(string) (string, bool)
}

// Run executes plumb with args and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return run(ctx, args, &Streams{In: stdin, Out: stdout, Err: stderr, LookupEnv: os.LookupEnv})
}

func run(ctx context.Context, args []string, st *Streams) int {
	stdin, stdout, stderr := st.In, st.Out, st.Err
	root := newRoot(st)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if code == ExitGate {
		fmt.Fprintf(stderr, "plumb: gate: %v\n", err)
		return code
	}
	fmt.Fprintf(stderr, "plumb: %v\n", err)
	var se *engine.ScanError
	if errors.As(err, &se) && se.Hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", se.Hint)
	}
	if code == ExitUsage {
		fmt.Fprintf(stderr, "Run 'plumb --help' for usage.\n")
	}
	return code
}

func exitCode(err error) int {
	var ge gateError
	if errors.As(err, &ge) {
		return ExitGate
	}
	var se *engine.ScanError
	if errors.As(err, &se) {
		if se.Kind == engine.KindUsage {
			return ExitUsage
		}
		return ExitScan
	}
	var ue usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	var scanErr scanError
	if errors.As(err, &scanErr) {
		return ExitScan
	}
	// Anything else comes from argument parsing (cobra/pflag).
	return ExitUsage
}

// scanError marks errors of commands other than scan that could not run
// (e.g. `plumb spec` on a broken document).
type scanError struct{ err error }

func (e scanError) Error() string { return e.err.Error() }
func (e scanError) Unwrap() error { return e.err }

func newRoot(st *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "plumb",
		Short: "Black-box API security scanner that follows the tokens",
		Long: `plumb scans an API from the outside and tells you, with evidence, what an
attacker could do to it — above all, where its Bearer tokens can end up:
dangling DNS behind spec servers, OAuth endpoints and redirects included.

Start with 'plumb demo' (no network needed).

` + exitCodeHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newScanCmd(st), newSpecCmd(st), newDemoCmd(st), newChecksCmd(st), newExplainCmd(st), newBaselineCmd(st), newVersionCmd(st))
	root.AddCommand(newDNSCmd(st), newCodeCmd(st), newServeCmd(st), newWorkerCmd(st))
	root.CompletionOptions.DisableDefaultCmd = true
	root.AddCommand(newMCPCmd(st))
	wrapFlagHelp(root)
	return root
}

func newVersionCmd(st *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print plumb's version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintf(st.Out, "plumb %s\n", version())
			return err
		},
	}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
