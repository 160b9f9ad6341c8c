// Command plumb is a black-box API security scanner that follows the
// tokens: it finds where an API's credentials can end up and whether
// anyone could claim those hosts. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/plumbsec/plumb/internal/cli"
)

func main() {
	// SIGTERM too: plumb serve and plumb worker shut down gracefully under
	// service managers and container runtimes.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
