package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/plumbsec/plumb/internal/store/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// eachDB runs f on a fresh, migrated SQLite file and a fresh Postgres
// database (the latter skipped without Postgres binaries, unless
// PLUMB_REQUIRE_POSTGRES is set).
func eachDB(t *testing.T, f func(t *testing.T, s *Store)) {
	t.Helper()
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			f(t, openTest(t, d))
		})
	}
}

func openTest(t *testing.T, d Dialect) *Store {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "plumb.db")
	if d == Postgres {
		dsn = pgtest.DSN(t)
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	t.Parallel()
	lite, err := Migrations(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := Migrations(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) == 0 || len(lite) != len(pg) {
		t.Fatalf("%d SQLite migrations, %d Postgres: every change needs both", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].Version != pg[i].Version || lite[i].Name != pg[i].Name {
			t.Errorf("migration %d: sqlite %04d_%s, postgres %04d_%s", i, lite[i].Version, lite[i].Name, pg[i].Version, pg[i].Name)
		}
	}
}

func TestMigrateIsIdempotentAndRefusesNewerSchemas(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		want, _ := Migrations(s.Dialect())
		if v, err := s.SchemaVersion(ctx); err != nil || v != len(want) {
			t.Fatalf("schema version %d (%v), want %d", v, err, len(want))
		}
		if _, err := s.ex.exec(ctx, "INSERT INTO plumb_migrations (version, name, applied_at) VALUES (?, 'future', 0)", len(want)+1); err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(ctx); err == nil {
			t.Fatal("a database from a newer plumb was migrated without complaint")
		}
	})
}

func TestSQLiteIsWAL(t *testing.T) {
	t.Parallel()
	s := openTest(t, SQLite)
	var mode string
	if err := s.sqlDB.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q (%v)", mode, err)
	}
	fi, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestTargetsAndScans(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.UnixMilli(1_700_000_000_000).UTC()
		tg := &Target{ID: NewID("tgt"), Name: "api", URL: "https://api.example.test", Host: "api.example.test",
			Options: ScanOptions{Rate: 5, Resolvers: []string{"192.0.2.1:53"}}, Credentials: []byte{1, 2, 3},
			Schedule: "@every 1h", NextRunAt: now, CreatedAt: now, UpdatedAt: now}
		if err := s.CreateTarget(ctx, tg); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateTarget(ctx, tg); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate target: %v, want ErrConflict", err)
		}
		got, err := s.GetTarget(ctx, tg.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tg) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, tg)
		}
		if due, err := s.DueTargets(ctx, now, 10); err != nil || len(due) != 1 {
			t.Errorf("due targets %d (%v), want 1", len(due), err)
		}
		if due, _ := s.DueTargets(ctx, now.Add(-time.Second), 10); len(due) != 0 {
			t.Errorf("a target not yet due is due")
		}
		if _, err := s.GetTarget(ctx, "tgt_nope"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing target: %v, want ErrNotFound", err)
		}
		first := &Scan{ID: NewID("scn"), TargetID: tg.ID, Cause: "api", Status: StatusQueued, CreatedAt: now}
		if err := s.CreateScan(ctx, first); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.StartScan(ctx, first.ID, 1, "", now); !ok || err != nil {
			t.Fatalf("start: %v %v", ok, err)
		}
		first.Status, first.Report, first.Grade, first.Critical, first.FinishedAt = StatusDone, `{"a":1}`, "B", 2, now
		if ok, err := s.FinishScan(ctx, first); !ok || err != nil {
			t.Fatalf("finish: %v %v", ok, err)
		}
		if ok, _ := s.FinishScan(ctx, first); ok {
			t.Error("a finished scan was finished again")
		}
		if ok, _ := s.StartScan(ctx, first.ID, 2, "", now); ok {
			t.Error("a finished scan was started again")
		}
		second := &Scan{ID: NewID("scn"), TargetID: tg.ID, Cause: "schedule", Status: StatusQueued, CreatedAt: now}
		if err := s.CreateScan(ctx, second); err != nil {
			t.Fatal(err)
		}
		prev, err := s.PreviousDoneScan(ctx, tg.ID, second.ID)
		if err != nil || prev.ID != first.ID || prev.Report != `{"a":1}` || prev.Grade != "B" || prev.Critical != 2 {
			t.Fatalf("previous done scan: %+v %v", prev, err)
		}
		if _, err := s.PreviousDoneScan(ctx, tg.ID, first.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("previous of the first scan: %v", err)
		}
		if act, _ := s.ActiveScans(ctx); len(act) != 1 || act[0].ID != second.ID {
			t.Errorf("active scans: %+v", act)
		}
		if list, _ := s.ListScans(ctx, tg.ID, 10); len(list) != 2 || list[0].ID != second.ID {
			t.Errorf("scans newest first: %+v", list)
		}
		if err := s.DeleteTarget(ctx, tg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetScan(ctx, first.ID, false); !errors.Is(err, ErrNotFound) {
			t.Errorf("scan outlived its target: %v", err)
		}
	})
}

func TestHostLock(t *testing.T) {
	eachDB(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		try := func(holder string, at time.Time) bool {
			ok, err := s.AcquireHost(ctx, "api.example.test", holder, at.Add(time.Minute), at)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !try("a", now) {
			t.Fatal("free lock not acquired")
		}
		if try("b", now) {
			t.Fatal("held lock acquired by another holder")
		}
		if !try("a", now) {
			t.Fatal("holder could not take its own lock back")
		}
		if !try("b", now.Add(2*time.Minute)) {
			t.Fatal("expired lock not taken over")
		}
		if err := s.ReleaseHost(ctx, "api.example.test", "a"); err != nil {
			t.Fatal(err)
		}
		if try("c", now.Add(2*time.Minute)) {
			t.Fatal("a release by a former holder freed the lock")
		}
		if err := s.ReleaseHost(ctx, "api.example.test", "b"); err != nil {
			t.Fatal(err)
		}
		if !try("c", now.Add(2*time.Minute)) {
			t.Fatal("released lock not acquired")
		}
	})
}
