// Command plumb is a black-box API security scanner that follows the
// tokens: it finds where an API's credentials can end up and whether
// anyone could claim those hosts. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/plumbsec/plumb/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
