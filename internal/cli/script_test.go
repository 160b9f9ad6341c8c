package cli

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/plumbsec/plumb/internal/lab"
	"github.com/plumbsec/plumb/internal/labscan"
)

// TestScripts runs the black-box CLI scripts in testdata/script: each
// command's stdout, stderr and exit code, against a lab started per script.
// The lab's addresses are in $LAB_DNS, $LAB_CONNECT_1.., $LAB_CA, and
// $LAB_TOKEN holds the vulnerable API's token.
func TestMain(m *testing.M) {
	testscript.Main(stopsPostgres{m}, map[string]func(){
		// As cmd/plumb's main: SIGINT and SIGTERM cancel the context.
		"plumb-bin": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			w, err := lab.Start(context.Background(), lab.Options{})
			if err != nil {
				return err
			}
			env.Defer(func() { _ = w.Close() })
			ca := filepath.Join(env.WorkDir, "lab-ca.pem")
			if err := os.WriteFile(ca, w.CACertPEM, 0o600); err != nil {
				return err
			}
			env.Setenv("LAB_DNS", w.DNSAddr)
			env.Setenv("LAB_CA", ca)
			env.Setenv("LAB_TOKEN", w.Vuln.Token)
			env.Setenv("CLEAN_TOKEN", w.Clean.Token)
			env.Setenv("LAB_TOKEN_B", w.Vuln.TokenB)
			env.Setenv("CLEAN_TOKEN_B", w.Clean.TokenB)
			var cts []string
			for i, c := range w.ConnectTo {
				env.Setenv("LAB_CONNECT_"+strconv.Itoa(i+1), c)
				cts = append(cts, "--connect-to="+c)
			}
			env.Setenv("LAB_NET", strings.Join(append(cts, "--resolver="+w.DNSAddr, "--cacert="+ca, "--rate="+strconv.Itoa(labscan.Rate),
				"--dns-root="+w.RootAddr, "--dns-authority-port="+w.AuthorityPort), " "))
			env.Setenv("LAB_REWRITER", w.RewritingResolverAddr)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// plumb runs the real binary (this test binary as plumb-bin) in the
			// script's directory and environment, and records its exit code.
			"plumb": func(ts *testscript.TestScript, neg bool, args []string) {
				err := ts.Exec("plumb-bin", expandFields(args)...)
				code := 0
				var ee *exec.ExitError
				switch {
				case errors.As(err, &ee):
					code = ee.ExitCode()
				case err != nil:
					ts.Fatalf("run plumb: %v", err)
				}
				ts.Setenv("EXIT", strconv.Itoa(code))
				if neg != (code != 0) {
					ts.Fatalf("plumb exited %d", code)
				}
			},
			// exitcode N asserts the last plumb exit code.
			"exitcode": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: exitcode N")
				}
				if got := ts.Getenv("EXIT"); (got == args[0]) == neg {
					ts.Fatalf("exit code %s, want %s", got, args[0])
				}
			},
		},
	})
}

// expandFields splits an argument holding several flags ($LAB_NET) into
// separate arguments, as a shell would.
func expandFields(args []string) []string {
	var out []string
	for _, a := range args {
		if strings.HasPrefix(a, "--connect-to=") && strings.Contains(a, " ") {
			out = append(out, strings.Fields(a)...)
			continue
		}
		out = append(out, a)
	}
	return out
}
