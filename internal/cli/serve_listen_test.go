package cli

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// plumb serve on a port already in use fails before any side effect: no
// database, no key file, no admin key printed; one clear line and the
// exit code of a command that could not run (3), not a usage error.
func TestServeBusyPortFailsFirst(t *testing.T) {
	t.Parallel()
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	db := filepath.Join(dir, "plumb.db")
	var stderr syncBuf
	noEnv := func(string) (string, bool) { return "", false }
	code := run(context.Background(), []string{"serve", "--listen", busy.Addr().String(), "--db", "sqlite:" + db},
		&Streams{In: strings.NewReader(""), Out: &syncBuf{}, Err: &stderr, LookupEnv: noEnv})
	out := stderr.String()
	if code != ExitScan {
		t.Errorf("exit %d, want %d (could not run)\n%s", code, ExitScan, out)
	}
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 1 || !strings.Contains(out, "already in use") {
		t.Errorf("want one line saying the address is in use, got:\n%s", out)
	}
	if strings.Contains(out, "admin API key") {
		t.Errorf("printed an admin key it did not keep:\n%s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("created %v before failing", entries)
	}

	// A malformed address is a usage error.
	var usage syncBuf
	if code := run(context.Background(), []string{"serve", "--listen", "7878", "--db", "sqlite:" + db},
		&Streams{In: strings.NewReader(""), Out: &syncBuf{}, Err: &usage, LookupEnv: noEnv}); code != ExitUsage {
		t.Errorf("--listen 7878: exit %d, want %d\n%s", code, ExitUsage, usage.String())
	}
}
