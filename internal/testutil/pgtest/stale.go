//go:build unix

package pgtest

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// removeStaleClusters removes the cluster directories under base that were
// left behind by test binaries that did not call Shutdown (crashed, killed,
// or no TestMain). A directory is stale when nobody holds its lock file: a
// test binary holds it from creating the directory until it exits. A server
// still running in a stale directory (possible only where there is no
// parent-death signal) is stopped first. Errors are ignored: directories of
// other users, for example, are left alone.
func removeStaleClusters(base string) {
	entries, err := os.ReadDir(base)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), dirPrefix) {
			continue
		}
		removeIfStale(filepath.Join(base, e.Name()))
	}
}

// removeIfStale removes the cluster directory root if its lock is free.
func removeIfStale(root string) {
	lock, err := os.OpenFile(filepath.Join(root, lockName), os.O_RDWR, 0)
	if err != nil {
		// No lock file: either not ours, or a directory whose creator has
		// not created its lock yet. Only remove it once it is clearly old.
		if fi, serr := os.Stat(root); os.IsNotExist(err) && serr == nil && time.Since(fi.ModTime()) > 24*time.Hour {
			if _, derr := os.Stat(filepath.Join(root, "data", "PG_VERSION")); derr == nil {
				_ = os.RemoveAll(root)
			}
		}
		return
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return // in use by a running test binary
	}
	dataDir := filepath.Join(root, "data")
	if pid := postmasterPID(dataDir); pid > 0 && isPostmasterOf(pid, dataDir) {
		_ = syscall.Kill(pid, syscall.SIGQUIT) // immediate shutdown
		for i := 0; i < 100 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(50 * time.Millisecond)
		}
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	_ = os.RemoveAll(root)
}

// postmasterPID returns the PID in dataDir/postmaster.pid, or 0.
func postmasterPID(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// isPostmasterOf reports whether process pid is a postgres server for
// dataDir, so that a recycled PID is never signalled. Without /proc (not
// Linux) it trusts the PID file if the process exists.
func isPostmasterOf(pid int, dataDir string) bool {
	cmdline, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		if _, serr := os.Stat("/proc/self"); serr == nil {
			return false // /proc works, so the process is gone
		}
		return syscall.Kill(pid, 0) == nil
	}
	return bytes.Contains(cmdline, []byte(dataDir))
}
