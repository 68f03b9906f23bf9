//go:build unix

package pgtest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// skipMessage is the reason given to tb.Skip when no server binaries exist.
const skipMessage = "PostgreSQL server binaries not found (install the Debian package postgresql); skipping PostgreSQL tests"

// notFoundError reports that no directory with the server binaries exists.
type notFoundError struct {
	tried []string
}

func (e *notFoundError) Error() string {
	return "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found; tried: " + strings.Join(e.tried, "; ")
}

// serverBinaries are the programs pgtest runs from the bin directory.
var serverBinaries = []string{"initdb", "pg_ctl", "postgres"}

// hasServerBinaries reports whether dir holds executable server binaries.
func hasServerBinaries(dir string) bool {
	for _, name := range serverBinaries {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// findBinDir returns the directory holding initdb, pg_ctl and postgres and a
// description of where it came from. The search order is $LOWCODE_PG_BIN,
// `pg_config --bindir`, then the highest /usr/lib/postgresql/*/bin. If
// LOWCODE_PG_BIN is set, it is the only place looked at.
func findBinDir() (dir, source string, err error) {
	nf := &notFoundError{}
	if env := os.Getenv("LOWCODE_PG_BIN"); env != "" {
		if hasServerBinaries(env) {
			return env, "$LOWCODE_PG_BIN", nil
		}
		nf.tried = append(nf.tried, "$LOWCODE_PG_BIN="+env)
		return "", "", nf
	}

	if pgConfig, lerr := exec.LookPath("pg_config"); lerr == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, cerr := exec.CommandContext(ctx, pgConfig, "--bindir").Output()
		cancel()
		d := strings.TrimSpace(string(out))
		switch {
		case cerr != nil:
			nf.tried = append(nf.tried, fmt.Sprintf("%s --bindir: %v", pgConfig, cerr))
		case hasServerBinaries(d):
			return d, "pg_config --bindir", nil
		default:
			nf.tried = append(nf.tried, "pg_config --bindir="+d)
		}
	} else {
		nf.tried = append(nf.tried, "pg_config (not in PATH)")
	}

	if d := highestVersionDir("/usr/lib/postgresql"); d != "" {
		return d, "/usr/lib/postgresql/*/bin", nil
	}
	nf.tried = append(nf.tried, "/usr/lib/postgresql/*/bin")
	return "", "", nf
}

// highestVersionDir returns base/<version>/bin for the highest version that
// holds the server binaries, or "".
func highestVersionDir(base string) string {
	entries, err := os.ReadDir(base)
	if err != nil {
		return ""
	}
	var versions []string
	for _, e := range entries {
		if hasServerBinaries(filepath.Join(base, e.Name(), "bin")) {
			versions = append(versions, e.Name())
		}
	}
	if len(versions) == 0 {
		return ""
	}
	sort.Slice(versions, func(i, j int) bool { return versionLess(versions[i], versions[j]) })
	return filepath.Join(base, versions[len(versions)-1], "bin")
}

// versionLess compares dotted version strings numerically ("9.6" < "15");
// non-numeric parts compare as strings.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, ea := strconv.Atoi(pa[i])
		nb, eb := strconv.Atoi(pb[i])
		if ea == nil && eb == nil {
			if na != nb {
				return na < nb
			}
			continue
		}
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}
