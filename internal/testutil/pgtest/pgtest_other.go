//go:build !unix

package pgtest

import (
	"os"
	"testing"
)

// Start skips the test: pgtest only supports unix systems.
func Start(tb testing.TB) string {
	tb.Helper()
	if isCI() {
		tb.Fatal("pgtest: PostgreSQL tests are only supported on unix systems")
	}
	tb.Skip("pgtest: PostgreSQL tests are only supported on unix systems; skipping PostgreSQL tests")
	return ""
}

// Shutdown does nothing on this system.
func Shutdown() error { return nil }

// Main runs the tests and exits with their status.
func Main(m *testing.M) { os.Exit(m.Run()) }
