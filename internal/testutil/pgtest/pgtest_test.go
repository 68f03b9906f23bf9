//go:build unix

package pgtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// childEnv marks a test binary started by these tests, which must not start
// further children.
const childEnv = "PGTEST_CHILD"

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestStartTwoDatabases(t *testing.T) {
	ctx := context.Background()
	t0 := time.Now()
	urlA := Start(t)
	t.Logf("first Start (may include cluster start): %v", time.Since(t0))
	t1 := time.Now()
	urlB := Start(t)
	t.Logf("second Start (database only): %v", time.Since(t1))
	if c, err := getCluster(); err == nil {
		t.Logf("PGTEST_ROOT=%s", c.root)
	}

	if urlA == urlB {
		t.Fatalf("Start returned the same URL twice: %s", urlA)
	}
	for _, u := range []string{urlA, urlB} {
		if !strings.HasPrefix(u, "postgres://") {
			t.Errorf("URL %q does not start with postgres://", u)
		}
	}

	a, b := connect(t, urlA), connect(t, urlB)
	var nameA, nameB string
	if err := a.QueryRow(ctx, "SELECT current_database()").Scan(&nameA); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "SELECT current_database()").Scan(&nameB); err != nil {
		t.Fatal(err)
	}
	if nameA == nameB || !strings.HasPrefix(nameA, "t_") || !strings.HasPrefix(nameB, "t_") {
		t.Fatalf("databases %q and %q: want two different t_* databases", nameA, nameB)
	}

	// Fresh and empty: no user tables.
	var n int
	if err := a.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("new database has %d user tables", n)
	}

	// Independent: a table created in A does not exist in B.
	if _, err := a.Exec(ctx, "CREATE TABLE widgets (id bigint PRIMARY KEY, name text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, "INSERT INTO widgets VALUES ($1, $2)", 1, "one"); err != nil {
		t.Fatal(err)
	}
	var name string
	if err := a.QueryRow(ctx, "SELECT name FROM widgets WHERE id = $1", 1).Scan(&name); err != nil || name != "one" {
		t.Fatalf("read back from A: %q, %v", name, err)
	}
	var exists bool
	if err := b.QueryRow(ctx, "SELECT to_regclass('public.widgets') IS NOT NULL").Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Fatal("table created in database A is visible in database B")
	}
	if _, err := b.Exec(ctx, "CREATE TABLE widgets (id bigint PRIMARY KEY)"); err != nil {
		t.Fatalf("create the same table in B: %v", err)
	}

	// Settings asked for.
	for setting, want := range map[string]string{
		"fsync":              "off",
		"synchronous_commit": "off",
		"full_page_writes":   "off",
		"max_connections":    "200",
		"listen_addresses":   "127.0.0.1",
		"server_encoding":    "UTF8",
	} {
		var got string
		if err := a.QueryRow(ctx, "SELECT current_setting($1)", setting).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", setting, got, want)
		}
	}
}

func TestDatabaseDroppedOnCleanup(t *testing.T) {
	ctx := context.Background()
	var dbName string
	t.Run("use", func(t *testing.T) {
		// The connection is leaked on purpose: the drop must still work.
		conn, err := pgx.Connect(ctx, Start(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&dbName); err != nil {
			t.Fatal(err)
		}
	})
	if dbName == "" {
		t.Skip("subtest did not run")
	}
	conn := connect(t, Start(t))
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", dbName).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database %s still exists after its test finished", dbName)
	}
}

func TestParallel(t *testing.T) {
	for i := 0; i < 12; i++ {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			conn := connect(t, Start(t))
			ctx := context.Background()
			if _, err := conn.Exec(ctx, "CREATE TABLE t (v int)"); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, "INSERT INTO t SELECT generate_series(1, 100)"); err != nil {
				t.Fatal(err)
			}
			var sum int
			if err := conn.QueryRow(ctx, "SELECT sum(v) FROM t").Scan(&sum); err != nil || sum != 5050 {
				t.Fatalf("sum = %d, %v", sum, err)
			}
		})
	}
}

// TestSeveralTestBinaries runs several copies of this test binary at once,
// as go test ./... does with several packages: their clusters must not
// collide.
func TestSeveralTestBinaries(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child test binary")
	}
	if testing.Short() {
		t.Skip("starts several clusters; skipped with -short")
	}
	Start(t) // skip here if there are no binaries
	const copies = 3
	var wg sync.WaitGroup
	outs := make([][]byte, copies)
	errs := make([]error, copies)
	t0 := time.Now()
	for i := range copies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^(TestStartTwoDatabases|TestParallel)$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), childEnv+"=1")
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	t.Logf("%d test binaries in parallel: %v", copies, time.Since(t0))
	for i := range copies {
		if errs[i] != nil || !bytes.Contains(outs[i], []byte("--- PASS: TestStartTwoDatabases")) {
			t.Errorf("copy %d: %v\n%s", i, errs[i], outs[i])
		}
		// The copy called Shutdown (via Main): its directory must be gone.
		m := regexp.MustCompile(`PGTEST_ROOT=(\S+)`).FindSubmatch(outs[i])
		if m == nil {
			t.Errorf("copy %d did not log its cluster directory", i)
			continue
		}
		if _, err := os.Stat(string(m[1])); !os.IsNotExist(err) {
			t.Errorf("copy %d left its cluster directory %s behind: %v", i, m[1], err)
		}
	}
}

// TestHelperCrash is the child of TestCrashedBinary: it starts the cluster,
// reports where, and kills itself without Shutdown.
func TestHelperCrash(t *testing.T) {
	if os.Getenv(childEnv) != "crash" {
		t.Skip("helper for TestCrashedBinary")
	}
	Start(t)
	mu.Lock()
	c := current
	mu.Unlock()
	fmt.Printf("PGTEST_ROOT=%s\nPGTEST_PID=%d\n", c.root, postmasterPID(c.dataDir))
	_ = os.Stdout.Sync()
	_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

// TestCrashedBinary checks that the server of a test binary killed with
// SIGKILL stops by itself, and that the next start removes its directory.
func TestCrashedBinary(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child test binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the parent-death signal exists only on Linux")
	}
	Start(t) // skip here if there are no binaries

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperCrash$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=crash")
	out, err := cmd.Output()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("child: want it killed, got %v\n%s", err, out)
	}
	var root string
	var pid int
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "PGTEST_ROOT="); ok {
			root = v
		}
		if v, ok := strings.CutPrefix(sc.Text(), "PGTEST_PID="); ok {
			pid, _ = strconv.Atoi(v)
		}
	}
	if root == "" || pid <= 0 {
		t.Fatalf("child did not report its cluster:\n%s", out)
	}

	deadline := time.Now().Add(15 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("postmaster %d of the killed test binary still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := os.Stat(root); err != nil {
		t.Fatalf("stat %s: %v", root, err)
	}
	removeStaleClusters(filepath.Dir(root))
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatalf("stale cluster directory %s was not removed: %v", root, err)
	}
}

// TestNoBinaries checks skipping, and failing under CI=true, when no server
// binaries are found. It runs in children so that the cached start error
// does not affect the other tests.
func TestNoBinaries(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		t.Skip("child test binary")
	}
	run := func(ci string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStartTwoDatabases$", "-test.v", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1", "LOWCODE_PG_BIN="+t.TempDir(), "CI="+ci)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("")
	if err != nil || !strings.Contains(out, "--- SKIP: TestStartTwoDatabases") || !strings.Contains(out, skipMessage) {
		t.Errorf("without CI: want a skip with %q, got %v\n%s", skipMessage, err, out)
	}
	out, err = run("true")
	if err == nil || !strings.Contains(out, "--- FAIL: TestStartTwoDatabases") || !strings.Contains(out, "refusing to skip") {
		t.Errorf("with CI=true: want a failure, got %v\n%s", err, out)
	}
}

func TestVersionLess(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"9.6", "15", true},
		{"15", "9.6", false},
		{"13", "15", true},
		{"15", "15", false},
		{"16", "17", true},
		{"15", "15.1", true},
	} {
		if got := versionLess(tc.a, tc.b); got != tc.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestHighestVersionDir(t *testing.T) {
	base := t.TempDir()
	for _, v := range []string{"9.6", "13", "15", "16"} {
		bin := filepath.Join(base, v, "bin")
		if err := os.MkdirAll(bin, 0o755); err != nil {
			t.Fatal(err)
		}
		if v == "16" {
			continue // no binaries: must be passed over
		}
		for _, name := range serverBinaries {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got, want := highestVersionDir(base), filepath.Join(base, "15", "bin"); got != want {
		t.Errorf("highestVersionDir = %q, want %q", got, want)
	}
}

// BenchmarkCreateDropDatabase measures what Start does per test once the
// cluster runs: create a database, check it, and drop it.
func BenchmarkCreateDropDatabase(b *testing.B) {
	Start(b) // start the cluster outside the measurement
	c, err := getCluster()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		name, _, err := c.createDatabase(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.dropDatabase(ctx, name); err != nil {
			b.Fatal(err)
		}
	}
}
