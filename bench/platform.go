package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// platformProcess is the real lowcode-platform binary, started as its own process.
type platformProcess struct {
	url, apiKey string
	// certs is set when the server serves TLS; proxy, when Terraform reaches it through a
	// delayProxy.
	certs   *benchCerts
	proxy   *delayProxy
	cmd     *exec.Cmd
	logPath string
	once    sync.Once
	done    chan struct{}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startPlatform starts lowcode-platform on databaseURL (sqlite://… or postgres://…) with a
// fresh owner key, in dir, and waits until /readyz answers 200.
func startPlatform(ctx context.Context, bin, dir, databaseURL string, extraArgs ...string) (*platformProcess, error) {
	return startPlatformTLS(ctx, bin, dir, databaseURL, nil, extraArgs...)
}

// startPlatformTLS is startPlatform serving TLS with certs (nil: plain HTTP).
func startPlatformTLS(ctx context.Context, bin, dir, databaseURL string, certs *benchCerts, extraArgs ...string) (*platformProcess, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	apiKey := "lck_bench_" + randomHex(16)
	logPath := filepath.Join(dir, "platform-"+strconv.FormatInt(time.Now().UnixNano(), 36)+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own copy
	args := append([]string{"serve", "--listen", addr, "--database", databaseURL,
		"--bootstrap-key-file", filepath.Join(dir, "bootstrap-key-"+randomHex(4)),
		"--allow-loopback-callbacks", "--log-level", "warn"}, extraArgs...)
	scheme := "http"
	if certs != nil {
		args, scheme = append(args, certs.serverArgs()...), "https"
	}
	cmd := exec.Command(filepath.Join(bin, "lowcode-platform"), args...)
	cmd.Env = append(cleanEnv(), "LOWCODE_BOOTSTRAP_API_KEY="+apiKey,
		"LOWCODE_SECRET_KEY="+base64.StdEncoding.EncodeToString([]byte(randomHex(16))))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &platformProcess{url: scheme + "://" + addr, apiKey: apiKey, cmd: cmd, logPath: logPath, done: make(chan struct{}), certs: certs}
	hc := certs.httpClient()
	go func() { _ = cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			b, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("lowcode-platform exited at start:\n%s", b)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		default:
		}
		resp, err := hc.Get(p.url + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.stop()
	return nil, errors.New("lowcode-platform did not become ready within 60 s")
}

func (p *platformProcess) pid() int { return p.cmd.Process.Pid }

// endpoint is where Terraform reaches the platform: through the proxy when there is one.
func (p *platformProcess) endpoint() string {
	if p.proxy != nil {
		return p.proxy.url
	}
	return p.url
}

// stop shuts the server down gracefully, or kills it after 15 s.
func (p *platformProcess) stop() {
	p.once.Do(func() {
		if p.proxy != nil {
			p.proxy.close()
		}
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(15 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// cleanEnv is the driver's environment without anything that would change how Terraform, the
// provider or the platform behave: no TF_*, LOWCODE_* or PG* variables (TF_CLI_CONFIG_FILE,
// TF_LOG, TF_CLI_ARGS and the like), which the driver sets itself where needed.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if hasAnyPrefix(k, "TF_", "LOWCODE_", "PG", "CHECKPOINT_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func hasAnyPrefix(s string, prefixes ...string) bool {
	for _, p := range prefixes {
		if len(s) >= len(p) && s[:len(p)] == p {
			return true
		}
	}
	return false
}

// pgCluster is a throw-away PostgreSQL cluster from the machine's server binaries, in the
// manner of internal/testutil/pgtest (which is tied to testing.TB): initdb into a temporary
// directory, postgres on a free loopback port, run as the postgres OS user under root.
// Durability matches the SQLite store's WAL + synchronous=NORMAL: fsync stays on,
// synchronous_commit is off (a crash may lose the last commits, never corrupt).
type pgCluster struct {
	root, binDir string
	port         int
	cmd          *exec.Cmd
	cred         *syscall.Credential
	done         chan struct{}
}

func findPGBin() string {
	if d := os.Getenv("LOWCODE_PG_BIN"); d != "" {
		return d
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/postgres")
	best := ""
	bestV := -1
	for _, m := range matches {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m))))
		if err == nil && v > bestV {
			best, bestV = filepath.Dir(m), v
		}
	}
	return best
}

func startPostgres(ctx context.Context, dir string) (*pgCluster, error) {
	binDir := findPGBin()
	if binDir == "" {
		return nil, errors.New("no PostgreSQL server binaries (install the Debian package postgresql or set LOWCODE_PG_BIN)")
	}
	// Its own directory under the system's temporary directory: the postgres OS user cannot
	// enter the driver's private working directory, and a socket path must stay short.
	root, err := os.MkdirTemp("", "lowcode-bench-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{root: root, binDir: binDir, done: make(chan struct{})}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres OS user to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(root, uid, gid); err != nil {
			return nil, err
		}
	}
	data := filepath.Join(root, "data")
	initdb := c.command(ctx, "initdb", "--pgdata="+data, "--auth=trust", "--username=postgres", "--encoding=UTF8",
		"--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	_, portStr, _ := net.SplitHostPort(addr)
	c.port, _ = strconv.Atoi(portStr)
	logFile, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	c.cmd = c.command(context.Background(), "postgres", "-D", data, "-p", portStr,
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+root,
		"-c", "synchronous_commit=off", "-c", "max_connections=200")
	c.cmd.Stdout, c.cmd.Stderr = logFile, logFile
	c.cmd.SysProcAttr.Setpgid = true
	c.cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ready := c.command(ctx, "pg_isready", "-h", "127.0.0.1", "-p", portStr, "-U", "postgres")
		if ready.Run() == nil {
			create := c.command(ctx, "psql", "-h", "127.0.0.1", "-p", portStr, "-U", "postgres", "-c", "CREATE DATABASE lowcode")
			if out, err := create.CombinedOutput(); err != nil {
				c.stop()
				return nil, fmt.Errorf("create database: %w\n%s", err, out)
			}
			return c, nil
		}
		select {
		case <-c.done:
			b, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("postgres exited at start:\n%s", b)
		case <-time.After(100 * time.Millisecond):
		}
	}
	c.stop()
	return nil, errors.New("postgres did not accept connections within 30 s")
}

func (c *pgCluster) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.binDir, name)
	if _, err := os.Stat(path); err != nil {
		if p, err := exec.LookPath(name); err == nil {
			path = p
		}
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Dir = c.root
	var env []string
	for _, kv := range cleanEnv() {
		if k, _, _ := strings.Cut(kv, "="); !hasAnyPrefix(k, "LC_", "LANG") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	return cmd
}

func (c *pgCluster) url() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/lowcode?sslmode=disable", c.port)
}

// pids are the server's processes (the postmaster and its backends), for CPU accounting.

func (c *pgCluster) stop() {
	if c.cmd == nil || c.cmd.Process == nil {
		return
	}
	_ = c.cmd.Process.Signal(syscall.SIGQUIT) // immediate shutdown: the cluster is thrown away
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
	}
	_ = os.RemoveAll(c.root)
}

// startSQLitePlatform starts the platform on a fresh SQLite database in dir, with an owner's
// client of it; the caller stops the process.
func startSQLitePlatform(ctx context.Context, bin, dir string) (*platformProcess, *client.Client, error) {
	platform, err := startPlatform(ctx, bin, dir, "sqlite://"+filepath.Join(dir, "platform.db"))
	if err != nil {
		return nil, nil, err
	}
	c, err := client.New(client.Config{Endpoint: platform.url, APIKey: platform.apiKey})
	if err != nil {
		platform.stop()
		return nil, nil, err
	}
	return platform, c, nil
}
