//go:build unix

package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// startTimeout bounds starting and stopping the server (pg_ctl -t 30).
	startTimeout = 30 * time.Second
	// dbTimeout bounds creating, checking and dropping one database.
	dbTimeout = 30 * time.Second
	// superuser is the cluster's superuser role (initdb --username).
	superuser = "postgres"
	// serverUser is the OS user that runs initdb and postgres under root.
	serverUser = "postgres"
	// dirPrefix names the cluster directories in os.TempDir().
	dirPrefix = "pgtest-"
	// lockName is the lock file held by the test binary owning a directory.
	lockName = "pgtest.lock"
	// portAttempts is how often the server is started on a new port when
	// another process took the chosen one in the meantime.
	portAttempts = 5
)

var (
	mu       sync.Mutex
	current  *cluster // the running cluster, if any
	startErr error    // why the last start failed; cached until Shutdown
)

// Start returns the URL (postgres://...) of a new, empty database on this
// test binary's throw-away PostgreSQL cluster, starting the cluster on the
// first call. The database is dropped when tb's test finishes. Start may be
// called from parallel tests.
//
// If no PostgreSQL server binaries are found, Start skips the test, or fails
// it when CI=true. Any other problem fails the test with the tail of the
// server log.
func Start(tb testing.TB) string {
	tb.Helper()
	c, err := getCluster()
	if err != nil {
		var nf *notFoundError
		if errors.As(err, &nf) {
			if isCI() {
				tb.Fatalf("pgtest: %v\nCI=%s: refusing to skip the PostgreSQL tests; install the Debian package postgresql (.ci/install-postgres.sh) or set LOWCODE_PG_BIN", err, os.Getenv("CI"))
			}
			tb.Log("pgtest: " + err.Error())
			tb.Skip(skipMessage)
		}
		tb.Fatalf("pgtest: %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
	defer cancel()
	name, dbURL, err := c.createDatabase(ctx)
	if err != nil {
		tb.Fatalf("pgtest: %v%s", err, c.logTail())
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), dbTimeout)
		defer cancel()
		if err := c.dropDatabase(ctx, name); err != nil {
			tb.Errorf("pgtest: %v%s", err, c.logTail())
		}
	})
	return dbURL
}

// Main runs the tests of a package, then the cleanups, then stops the cluster, removes its
// directory and exits with the tests' status. Call it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// Main also stops the cluster when the test binary gets SIGINT or SIGTERM.
func Main(m *testing.M, cleanups ...func()) {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig, ok := <-sigs
		if !ok {
			return
		}
		_ = Shutdown()
		fmt.Fprintf(os.Stderr, "pgtest: stopped PostgreSQL after %v\n", sig)
		os.Exit(2)
	}()

	code := m.Run()
	signal.Stop(sigs)
	for _, cleanup := range cleanups {
		cleanup()
	}
	if err := Shutdown(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// Shutdown stops the cluster ("pg_ctl stop -m immediate") and removes its
// directory (unless LOWCODE_PG_KEEP=1). It does nothing if no cluster runs.
// A later [Start] starts a new cluster. Use it in a custom TestMain after
// m.Run when [Main] does not fit. Databases must no longer be in use.
func Shutdown() error {
	mu.Lock()
	defer mu.Unlock()
	c := current
	current, startErr = nil, nil
	if c == nil {
		return nil
	}
	return c.stop()
}

// getCluster returns the running cluster, starting it if needed.
func getCluster() (*cluster, error) {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return current, nil
	}
	if startErr != nil {
		return nil, startErr
	}
	c, err := startCluster()
	if err != nil {
		startErr = err
		return nil, err
	}
	current = c
	return c, nil
}

// cluster is one running PostgreSQL server and its directory.
type cluster struct {
	binDir  string
	root    string // the temporary directory, owned by the server user
	dataDir string // root/data
	sockDir string // root/sock
	logPath string // root/postgres.log
	port    int
	cred    *syscall.Credential // nil: run as the current user
	env     []string
	lock    *os.File // flock'ed while the cluster belongs to this process

	adminMu sync.Mutex
	admin   *pgx.Conn // shared connection to the "postgres" database

	exited  <-chan struct{} // closed when the server process has exited
	dbMu    sync.Mutex
	stopped bool
}

// startCluster creates, starts and checks a new cluster.
func startCluster() (c *cluster, err error) {
	binDir, _, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	removeStaleClusters(tempBase())

	root, lock, err := makeClusterDir(tempBase(), cred)
	if err != nil {
		return nil, err
	}
	c = &cluster{
		binDir:  binDir,
		root:    root,
		dataDir: filepath.Join(root, "data"),
		sockDir: filepath.Join(root, "sock"),
		logPath: filepath.Join(root, "postgres.log"),
		cred:    cred,
		env:     serverEnv(),
		lock:    lock,
	}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w%s", err, c.logTail())
			_ = c.stop()
		}
	}()

	if err := c.mkdir(c.sockDir); err != nil {
		return c, err
	}
	if err := c.initdb(); err != nil {
		return c, err
	}
	if err := c.startServer(); err != nil {
		return c, err
	}
	return c, nil
}

// tempBase returns the directory for cluster directories: os.TempDir(), or
// /tmp when that path is too long for a unix socket path (about 107 bytes).
func tempBase() string {
	base := os.TempDir()
	if len(base) > 60 {
		return "/tmp"
	}
	return base
}

// serverCredential returns the credential to run initdb and postgres with:
// nil for a non-root user, the "postgres" OS user for root.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup(serverUser)
	if err != nil {
		return nil, fmt.Errorf("running as root, but initdb and postgres refuse to run as root and the OS user %q to run them as is missing (%w); install the Debian package postgresql, which creates it, or run the tests as a non-root user", serverUser, err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err1 != nil || err2 != nil || uid == 0 {
		return nil, fmt.Errorf("unusable OS user %q (uid %s, gid %s) to run PostgreSQL as", serverUser, u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// makeClusterDir creates a unique cluster directory under base, owned by
// cred's user, and locks it.
func makeClusterDir(base string, cred *syscall.Credential) (string, *os.File, error) {
	root, err := os.MkdirTemp(base, dirPrefix)
	if err != nil {
		return "", nil, fmt.Errorf("create cluster directory: %w", err)
	}
	// The lock file is locked under another name and then renamed, so that
	// another test binary's removeStaleClusters never finds it unlocked.
	tmpLock := filepath.Join(root, lockName+".new")
	lock, err := os.OpenFile(tmpLock, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			err = os.Rename(tmpLock, filepath.Join(root, lockName))
		}
		if err != nil {
			_ = lock.Close()
		}
	}
	if err == nil && cred != nil {
		err = os.Chown(root, int(cred.Uid), int(cred.Gid))
		if err != nil {
			_ = lock.Close()
		}
	}
	if err != nil {
		_ = os.RemoveAll(root)
		return "", nil, fmt.Errorf("prepare cluster directory %s: %w", root, err)
	}
	return root, lock, nil
}

// serverEnv is the environment for initdb, postgres and pg_ctl: the current
// one without PG* and locale variables, which would change their behaviour.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PG") || strings.HasPrefix(k, "LC_") || k == "LANG" || k == "LANGUAGE" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// command returns a command for the server binary name, run as the server
// user in the cluster directory.
func (c *cluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, filepath.Join(c.binDir, name), args...)
	cmd.Dir = c.root
	cmd.Env = c.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

// mkdir creates a directory owned by the server user.
func (c *cluster) mkdir(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil {
		return err
	}
	if c.cred != nil {
		return os.Chown(dir, int(c.cred.Uid), int(c.cred.Gid))
	}
	return nil
}

// initdb creates the cluster's data directory.
func (c *cluster) initdb() error {
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := c.command(ctx, "initdb",
		"--pgdata="+c.dataDir,
		"--auth=trust",
		"--username="+superuser,
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, tail(string(out), 30))
	}
	return nil
}

// startServer starts postgres on a free port and waits until it accepts
// connections. If another process takes the port first, it tries another.
func (c *cluster) startServer() error {
	logFile, err := os.OpenFile(c.logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close() // the server has its own copy

	var lastErr error
	for attempt := 0; attempt < portAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			return err
		}
		c.port = port
		offset, _ := logFile.Seek(0, 2)
		lastErr = c.runServer(logFile)
		if lastErr == nil {
			return nil
		}
		if !c.portTaken(offset) {
			return lastErr
		}
	}
	return lastErr
}

// runServer starts the postgres process and waits until it is ready.
func (c *cluster) runServer(logFile *os.File) error {
	cmd := c.command(context.Background(), "postgres",
		"-D", c.dataDir,
		"-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+c.sockDir,
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "max_connections=200",
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Its own process group: a terminal's ^C reaches the test binary, whose
	// Main stops the server, rather than the server directly.
	cmd.SysProcAttr.Setpgid = true
	setParentDeathSignal(cmd.SysProcAttr)

	exited, err := launch(cmd)
	if err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.exited = exited

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	for {
		err := c.ping(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("postgres exited during startup: %v", cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("postgres did not accept connections within %v: %w", startTimeout, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// launch starts cmd from a goroutine locked to its own OS thread, which
// exits only after the process has exited: Linux sends the parent-death
// signal when the thread that started the process dies, not the process, and
// the Go runtime may end idle threads.
func launch(cmd *exec.Cmd) (<-chan struct{}, error) {
	started := make(chan error, 1)
	exited := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return nil, err
	}
	return exited, nil
}

// portTaken reports whether the server log after offset says the port was
// already in use.
func (c *cluster) portTaken(offset int64) bool {
	b, err := os.ReadFile(c.logPath)
	if err != nil || int64(len(b)) < offset {
		return false
	}
	s := string(b[offset:])
	return strings.Contains(s, "Address already in use") || strings.Contains(s, "could not create any TCP/IP sockets")
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("find a free port: %v is not a TCP address", l.Addr())
	}
	return addr.Port, nil
}

// url returns the URL of database db.
func (c *cluster) url(db string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(superuser),
		Host:     net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)),
		Path:     "/" + db,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}

// connect opens a connection to database db.
func (c *cluster) connect(ctx context.Context, db string) (*pgx.Conn, error) {
	return pgx.Connect(ctx, c.url(db))
}

// ping checks that the server accepts connections.
func (c *cluster) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := c.connect(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}

// adminExec runs sql on the shared connection to the "postgres" database,
// (re)connecting as needed. Sharing one connection saves two backend starts
// (about 20 ms each) per Start.
func (c *cluster) adminExec(ctx context.Context, sql string) error {
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	if c.admin == nil || c.admin.IsClosed() {
		conn, err := c.connect(ctx, "postgres")
		if err != nil {
			return fmt.Errorf("connect to the cluster: %w", err)
		}
		c.admin = conn
	}
	_, err := c.admin.Exec(ctx, sql)
	if err != nil && ctx.Err() != nil {
		// A cancelled query may leave the connection unusable.
		_ = c.admin.Close(context.Background())
		c.admin = nil
	}
	return err
}

// closeAdmin closes the shared admin connection.
func (c *cluster) closeAdmin() {
	c.adminMu.Lock()
	defer c.adminMu.Unlock()
	if c.admin != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = c.admin.Close(ctx)
		cancel()
		c.admin = nil
	}
}

// createDatabase creates a new database, checks that it accepts connections
// and returns its name and URL.
func (c *cluster) createDatabase(ctx context.Context) (name, dbURL string, err error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	name = "t_" + hex.EncodeToString(b[:])

	if err := c.adminExec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}

	conn, err := c.connect(ctx, name)
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close(context.Background())
	}
	if err != nil {
		return "", "", fmt.Errorf("connect to new database %s: %w", name, err)
	}
	return name, c.url(name), nil
}

// dropDatabase drops database name, closing the connections still open to
// it. It does nothing once the cluster is stopped.
func (c *cluster) dropDatabase(ctx context.Context, name string) error {
	c.dbMu.Lock()
	stopped := c.stopped
	c.dbMu.Unlock()
	if stopped {
		return nil
	}
	if err := c.adminExec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// stop stops the server (pg_ctl stop -m immediate, then SIGKILL if needed),
// removes the cluster directory and releases its lock.
func (c *cluster) stop() error {
	c.dbMu.Lock()
	c.stopped = true
	c.dbMu.Unlock()
	c.closeAdmin()

	var errs []error
	if c.exited != nil {
		select {
		case <-c.exited:
		default:
			ctx, cancel := context.WithTimeout(context.Background(), startTimeout+5*time.Second)
			out, err := c.command(ctx, "pg_ctl", "stop", "-D", c.dataDir, "-m", "immediate", "-w", "-t", "30").CombinedOutput()
			cancel()
			if err != nil {
				errs = append(errs, fmt.Errorf("pg_ctl stop: %w: %s", err, strings.TrimSpace(string(out))))
			}
			select {
			case <-c.exited:
			case <-time.After(10 * time.Second):
				errs = append(errs, errors.New("postgres did not exit after pg_ctl stop; killing it"))
				c.killServer()
			}
		}
	}
	if keep, _ := strconv.ParseBool(os.Getenv("LOWCODE_PG_KEEP")); keep {
		fmt.Fprintf(os.Stderr, "pgtest: LOWCODE_PG_KEEP is set; keeping %s\n", c.root)
	} else if err := os.RemoveAll(c.root); err != nil {
		errs = append(errs, err)
	}
	if c.lock != nil {
		_ = c.lock.Close()
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pgtest: stop cluster in %s: %w", c.root, err)
	}
	return nil
}

// killServer kills the postmaster recorded in the data directory.
func (c *cluster) killServer() {
	if pid := postmasterPID(c.dataDir); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	select {
	case <-c.exited:
	case <-time.After(5 * time.Second):
	}
}

// logTail returns the end of the server log, formatted to be appended to an
// error message, or "".
func (c *cluster) logTail() string {
	b, err := os.ReadFile(c.logPath)
	if err != nil || len(b) == 0 {
		return ""
	}
	return fmt.Sprintf("\n--- tail of the server log %s ---\n%s", c.logPath, tail(string(b), 30))
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
