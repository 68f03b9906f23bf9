// Package platformproc runs the real lowcode-platform binary as a subprocess for tests that
// need to kill it (SIGKILL) and start it again on the same port and database.
package platformproc

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/gobin"
)

// Config is how to run the server.
type Config struct {
	// DatabaseURL defaults to a fresh SQLite file in a temporary directory.
	DatabaseURL string
	// Args are extra flags for `serve`, such as --allow-loopback-callbacks.
	Args []string
}

// Process is a running (or killed) platform server. Its port, database, secret key and owner
// key stay the same across restarts.
type Process struct {
	// URL is the base URL, such as http://127.0.0.1:40123.
	URL string
	// OwnerKey is the bootstrap owner's API key.
	OwnerKey string
	// LogPath is the file the server's stdout and stderr go to, across restarts.
	LogPath string
	// Starts counts how many times the server was started.
	Starts int

	t        testing.TB
	bin, dir string
	addr     string
	cfg      Config
	env      []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

// Start builds the server (once per test binary), starts it and waits until it is ready.
// It is stopped when the test ends.
func Start(t testing.TB, cfg Config) *Process {
	t.Helper()
	bin := gobin.Build(t, gobin.Platform)
	dir := t.TempDir()
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = "sqlite://" + filepath.Join(dir, "platform.db")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	p := &Process{URL: "http://" + addr, OwnerKey: "lck_" + randomHex(32), LogPath: filepath.Join(dir, "platform.log"),
		t: t, bin: bin, dir: dir, addr: addr, cfg: cfg}
	p.env = append(os.Environ(),
		"LOWCODE_BOOTSTRAP_API_KEY="+p.OwnerKey,
		"LOWCODE_SECRET_KEY="+base64.StdEncoding.EncodeToString(randomBytes(32)))
	if p.log, err = os.Create(p.LogPath); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Stop()
		_ = p.log.Close()
	})
	p.Restart()
	return p
}

// Restart starts the server again (after Kill) and waits until it answers /readyz.
func (p *Process) Restart() {
	p.t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		select {
		case <-p.done:
		default:
			p.t.Fatal("platformproc: Restart while the server still runs")
		}
	}
	args := append([]string{"serve", "--listen", p.addr, "--database", p.cfg.DatabaseURL,
		"--bootstrap-key-file", filepath.Join(p.dir, "bootstrap-key"), "--log-level", "debug"}, p.cfg.Args...)
	cmd := exec.Command(p.bin, args...)
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = p.log, p.log
	deadline := time.Now().Add(20 * time.Second)
	if err := cmd.Start(); err != nil {
		p.t.Fatalf("starting lowcode-platform: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	p.cmd, p.done = cmd, done
	p.Starts++
	for time.Now().Before(deadline) {
		select {
		case <-done:
			p.t.Fatalf("lowcode-platform exited at start:\n%s", p.logsLocked())
		default:
		}
		resp, err := http.Get(p.URL + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.t.Fatalf("lowcode-platform did not become ready within 20 s:\n%s", p.logsLocked())
}

// Kill sends SIGKILL and waits for the process to be gone: no graceful shutdown, no flushing.
func (p *Process) Kill() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Terminate sends SIGTERM and waits up to wait for the process to end: it returns how long
// that took and whether it ended (it is killed otherwise).
func (p *Process) Terminate(wait time.Duration) (time.Duration, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0, true
	}
	start := time.Now()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return time.Since(start), true
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
		return time.Since(start), false
	}
}

// Stop shuts the server down gracefully (SIGTERM), killing it after 10 s.
func (p *Process) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// Logs returns everything the server wrote so far, across restarts.
func (p *Process) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logsLocked()
}

func (p *Process) logsLocked() string {
	b, err := os.ReadFile(p.LogPath)
	if err != nil {
		return fmt.Sprintf("(reading %s: %v)", p.LogPath, err)
	}
	return string(bytes.TrimSpace(b))
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func randomHex(n int) string { return hex.EncodeToString(randomBytes(n / 2)) }
