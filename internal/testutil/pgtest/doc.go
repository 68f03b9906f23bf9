// Package pgtest gives tests a fresh, empty PostgreSQL database on a
// throw-away cluster that is started from the machine's PostgreSQL server
// binaries (no docker, no mocks).
//
// # Usage
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
//	func TestSomething(t *testing.T) {
//		url := pgtest.Start(t) // postgres://postgres@127.0.0.1:PORT/t_<random>?sslmode=disable
//		pool, err := pgxpool.New(ctx, url)
//		...
//	}
//
// # Design
//
// There is at most one cluster per test binary (process). It is created
// lazily by the first call to [Start]: initdb into a unique temporary
// directory (os.TempDir()/pgtest-*), then the postgres server is started as
// a child process listening on 127.0.0.1 on a free TCP port, with its unix
// socket inside that temporary directory and trust authentication (the
// server only listens on loopback). Durability is switched off (fsync,
// synchronous_commit, full_page_writes) for speed; max_connections is 200.
// Every call to [Start] creates a new database (CREATE DATABASE t_<random>)
// and registers a tb.Cleanup that drops it again (WITH (FORCE), so leaked
// connections do not make the drop fail). Because each test binary has its
// own directory and port, several packages' test binaries (go test ./...)
// can run at the same time.
//
// [Main] (or an explicit call to [Shutdown] from a custom TestMain) stops the
// cluster with "pg_ctl stop -m immediate" and removes its directory when the
// test binary is done. Without it, the cluster is still stopped when the test
// binary exits, see below, but the directory is only removed by a later run.
//
// # Crashes
//
// On Linux the server is started with a parent-death signal (SIGQUIT, the
// server's "immediate shutdown"), so the kernel stops it when the test binary
// dies for any reason, including SIGKILL, a panic, or a go test -timeout.
// The server is launched from an OS thread that lives exactly as long as the
// server, because the parent-death signal is tied to the launching thread.
// Each cluster directory holds a lock file that is flock'ed for the lifetime
// of the test binary; the next cluster start removes directories whose lock
// is free (their owner is gone), after stopping a server that still runs in
// them. On other unix systems there is no parent-death signal: a crashed test
// binary leaves the server running until the next pgtest run cleans it up.
//
// # Binaries
//
// The server binaries are looked up in $LOWCODE_PG_BIN if set, else in
// `pg_config --bindir`, else in the highest /usr/lib/postgresql/*/bin. If
// initdb cannot be found, [Start] skips the test, except when the environment
// variable CI is true, where it fails the test instead so that CI cannot
// silently skip the PostgreSQL tests. (.ci/install-postgres.sh installs the
// Debian package.)
//
// initdb and postgres refuse to run as root. When the test binary runs as
// root, they are run as the "postgres" OS user (created by the Debian
// package), and the cluster directory is chown'ed to that user.
//
// # Environment
//
//   - LOWCODE_PG_BIN: directory holding initdb, pg_ctl and postgres.
//   - LOWCODE_PG_KEEP=1: do not remove the cluster directory on Shutdown
//     (for debugging; the path is logged).
//   - CI=true: fail instead of skipping when no binaries are found.
package pgtest
