// Package store is the platform's persistence: SQLite (embedded, the default) or PostgreSQL
// (for several replicas), behind one set of portable SQL queries and one set of embedded goose
// migrations.
package store

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect names the database behind a Store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Sentinel errors. Handlers map them to HTTP statuses.
var (
	ErrNotFound           = errors.New("not found")
	ErrPreconditionFailed = errors.New("etag does not match")
	// ErrConflict is wrapped by *ConflictError.
	ErrConflict = errors.New("conflict")
)

// ConflictError reports a uniqueness or reference clash, naming the object in the way.
type ConflictError struct {
	Message    string
	ExistingID string
}

func (e *ConflictError) Error() string { return e.Message }

// Unwrap makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Store is a handle on the platform database. It is safe for concurrent use.
type Store struct {
	db      *sql.DB
	dialect Dialect
	stmts   *stmtCache // nil on PostgreSQL
	// writer is SQLite's one write lock, taken in this process before BEGIN IMMEDIATE takes
	// the file's (see writeLock); a writer waits for it at most writeWait. nil on PostgreSQL.
	writer    chan struct{}
	writeWait time.Duration
}

// Open connects to the database named by rawURL and applies pending migrations.
// `postgres://…` (or `postgresql://…`) selects PostgreSQL; `sqlite://path`, `file:path` or a
// plain path select SQLite.
func Open(ctx context.Context, rawURL string) (*Store, error) {
	s, err := open(rawURL)
	if err != nil {
		return nil, err
	}
	if err := s.db.PingContext(ctx); err != nil {
		_ = s.db.Close()
		return nil, fmt.Errorf("cannot reach the database %s: %w", redactURL(rawURL), err)
	}
	if s.dialect == SQLite {
		if err := s.checkSQLite(ctx, rawURL); err != nil {
			_ = s.db.Close()
			return nil, err
		}
	}
	if err := s.migrate(ctx); err != nil {
		_ = s.db.Close()
		return nil, err
	}
	return s, nil
}

// lockProbeTimeout is how long start-up waits for another process's write lock on a SQLite
// database before it says the database is locked.
const lockProbeTimeout = 3 * time.Second

// checkSQLite refuses, before anything else touches it, a SQLite database that another
// process holds locked (named as such, not as a time-out) or that fails PRAGMA quick_check
// (a server that starts on corrupt pages answers 500 "malformed" later).
func (s *Store) checkSQLite(ctx context.Context, rawURL string) error {
	path, _ := sqlitePath(rawURL)
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("cannot open the SQLite database %s: %w", path, err)
	}
	defer func() { _ = conn.Close() }() // returns the connection to the pool; the checks' errors are what count
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", lockProbeTimeout.Milliseconds())); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "BEGIN IMMEDIATE")
	if err == nil {
		_, err = conn.ExecContext(ctx, "ROLLBACK")
	}
	if retryable(err) || isLocked(err) {
		return fmt.Errorf("the SQLite database %s is locked by another process (another lowcode-platform serving it, or a "+
			"sqlite3 shell in a transaction?): stop that process, or give this server another --database", path)
	}
	if err != nil {
		return s.corrupt(path, err.Error())
	}
	rows, err := conn.QueryContext(ctx, "PRAGMA quick_check")
	if err != nil {
		return s.corrupt(path, err.Error())
	}
	defer rows.Close()
	var problems []string
	for rows.Next() && len(problems) < 5 {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.corrupt(path, err.Error())
		}
		problems = append(problems, line)
	}
	if err := rows.Err(); err != nil {
		return s.corrupt(path, err.Error())
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return s.corrupt(path, strings.Join(problems, "; "))
	}
	_, err = conn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", busyTimeout.Milliseconds()))
	return err
}

func (s *Store) corrupt(path, detail string) error {
	return fmt.Errorf("the SQLite database %s failed its integrity check (PRAGMA quick_check: %s): the file is damaged; "+
		"stop here and restore it from a backup (the server does not start on a damaged database)", path, detail)
}

// isLocked recognises SQLite's "database is locked" in any of its extended codes.
func isLocked(err error) bool {
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && (sqErr.Code()&0xff == sqlite3.SQLITE_LOCKED || sqErr.Code()&0xff == sqlite3.SQLITE_BUSY)
}

// createPrivate creates the SQLite file readable by its owner only (it holds credentials'
// hashes, sealed secrets and unredacted data); SQLite gives its -wal and -shm files the
// database file's mode.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cannot create the SQLite database %s: %w", path, err)
	}
	return f.Close()
}

func open(rawURL string) (*Store, error) {
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		db, err := sql.Open("pgx", rawURL)
		if err != nil {
			return nil, fmt.Errorf("invalid PostgreSQL URL %s: %w", redactURL(rawURL), err)
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		db.SetConnMaxIdleTime(5 * time.Minute)
		return &Store{db: db, dialect: Postgres}, nil
	default:
		path, err := sqlitePath(rawURL)
		if err != nil {
			return nil, err
		}
		if path != ":memory:" && !strings.Contains(rawURL, "mode=memory") {
			if err := createPrivate(path); err != nil {
				return nil, err
			}
		}
		// WAL lets readers run beside the one writer; IMMEDIATE transactions take the write
		// lock up front, so a writer never fails on upgrade. Writers of this process queue in
		// writeLock; busy_timeout covers another process holding the file.
		dsn := "file:" + path + "?_txlock=immediate" +
			"&_pragma=journal_mode(WAL)&_pragma=foreign_keys(ON)" + fmt.Sprintf("&_pragma=busy_timeout(%d)", busyTimeout.Milliseconds()) +
			"&_pragma=synchronous(NORMAL)"
		db, err := sql.Open("sqlite", dsn)
		if err != nil {
			return nil, fmt.Errorf("cannot open SQLite database %s: %w", path, err)
		}
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		return &Store{db: db, dialect: SQLite, stmts: newStmtCache(db), writer: make(chan struct{}, 1),
			writeWait: busyTimeout}, nil
	}
}

// sqlitePath accepts `sqlite://relative/or/absolute.db`, `sqlite:///abs.db`, `file:x.db` and
// plain paths.
func sqlitePath(raw string) (string, error) {
	p := raw
	switch {
	case strings.HasPrefix(raw, "sqlite://"):
		p = strings.TrimPrefix(raw, "sqlite://")
	case strings.HasPrefix(raw, "sqlite:"):
		p = strings.TrimPrefix(raw, "sqlite:")
	case strings.HasPrefix(raw, "file:"):
		p = strings.TrimPrefix(raw, "file:")
	case strings.Contains(raw, "://"):
		return "", fmt.Errorf("unsupported database URL %q: use sqlite://path/to/file.db or postgres://user@host/db", redactURL(raw))
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	if p == "" {
		return "", errors.New("the SQLite database URL names no file: use sqlite://lowcode.db")
	}
	return filepath.Clean(p), nil
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

func (s *Store) migrate(ctx context.Context) error {
	var opts []goose.ProviderOption
	dialect := goose.DialectSQLite3
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Replicas starting together take turns at the migrations.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fsSub(migrations, "migrations")
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("loading migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("applying database migrations: %w", err)
	}
	return nil
}

// Dialect tells which database is behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the pool for health checks and metrics.
func (s *Store) DB() *sql.DB { return s.db }

// Close closes the pool.
func (s *Store) Close() error {
	if s.stmts != nil {
		s.stmts.close()
	}
	return s.db.Close()
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Read returns queries that run outside a transaction.
func (s *Store) Read() *Q { return &Q{db: s.db, dialect: s.dialect, stmts: s.stmts} }

// Tx runs fn in one transaction: committed when fn returns nil, rolled back otherwise.
// SQLite transactions take the write lock at BEGIN; on PostgreSQL a serialization failure or
// deadlock is retried a few times.
func (s *Store) Tx(ctx context.Context, fn func(q *Q) error) error {
	for attempt := 0; ; attempt++ {
		err := s.tx(ctx, fn)
		if err == nil || attempt >= 3 || !retryable(err) {
			return err
		}
		time.Sleep(time.Duration(attempt+1) * 5 * time.Millisecond)
	}
}

// busyTimeout is how long a SQLite transaction waits for the write lock before it fails as
// busy: the busy_timeout pragma for the file lock, and writeLock's bound on the wait in process.
const busyTimeout = 10 * time.Second

// writeLock takes SQLite's write lock in process; the returned func releases it. SQLite has
// one writer, and a transaction that finds the file locked polls it (busy_timeout sleeps up
// to 100 ms between tries), so under load the lock stood idle while writers slept and the
// runtime's workers and the API's handlers won it by chance. Queued here, writers take turns
// in arrival order and each starts the moment the one before ends. The wait is bounded as
// busy_timeout bounds it, and by ctx; the file lock still guards against other processes.
func (s *Store) writeLock(ctx context.Context) (func(), error) {
	if s.writer == nil {
		return func() {}, nil
	}
	release := func() { <-s.writer }
	select {
	case s.writer <- struct{}{}:
		return release, nil
	default:
	}
	wait := time.NewTimer(s.writeWait)
	defer wait.Stop()
	select {
	case s.writer <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case <-wait.C:
		return nil, fmt.Errorf("the database stayed busy: other writers held it for %s", s.writeWait)
	}
}

func (s *Store) tx(ctx context.Context, fn func(q *Q) error) error {
	unlock, err := s.writeLock(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(&Q{db: tx, tx: tx, dialect: s.dialect, stmts: s.stmts}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "40001" || pgErr.Code == "40P01"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_BUSY || sqErr.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return false
}

// isUniqueViolation and isForeignKeyViolation recognise constraint errors of both drivers.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func isForeignKeyViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23503"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		// SQLite reports an ON DELETE RESTRICT refusal as a trigger constraint.
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY ||
			(sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_TRIGGER && strings.Contains(sqErr.Error(), "FOREIGN KEY"))
	}
	return false
}

// dbtx is what *sql.DB and *sql.Tx have in common.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Q runs queries, inside a transaction or not.
type Q struct {
	db      dbtx
	tx      *sql.Tx // set inside a transaction
	dialect Dialect
	stmts   *stmtCache
}

// Dialect tells which database the queries run on.
func (q *Q) Dialect() Dialect { return q.dialect }

// rebind turns the portable `?` placeholders into PostgreSQL's `$n`.
func (q *Q) rebind(query string) string {
	if q.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (q *Q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return q.on(ctx, query).ExecContext(ctx, q.rebind(query), args...)
}

func (q *Q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return q.on(ctx, query).QueryContext(ctx, q.rebind(query), args...)
}

func (q *Q) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return q.on(ctx, query).QueryRowContext(ctx, q.rebind(query), args...)
}

// on picks what runs query: its cached prepared statement when there is one (SQLite), the
// connection or transaction otherwise.
func (q *Q) on(ctx context.Context, query string) dbtx {
	if q.stmts == nil {
		return q.db
	}
	var st *sql.Stmt
	if q.tx != nil {
		if st = q.stmts.getInTx(query); st != nil {
			st = q.tx.StmtContext(ctx, st)
		}
	} else {
		st = q.stmts.get(ctx, query)
	}
	if st == nil {
		return q.db
	}
	return preparedStmt{st}
}

// preparedStmt runs a prepared statement through the dbtx interface; the query text it is
// given is the statement's own.
type preparedStmt struct{ st *sql.Stmt }

func (p preparedStmt) ExecContext(ctx context.Context, _ string, args ...any) (sql.Result, error) {
	return p.st.ExecContext(ctx, args...)
}

func (p preparedStmt) QueryContext(ctx context.Context, _ string, args ...any) (*sql.Rows, error) {
	return p.st.QueryContext(ctx, args...)
}

func (p preparedStmt) QueryRowContext(ctx context.Context, _ string, args ...any) *sql.Row {
	return p.st.QueryRowContext(ctx, args...)
}

// inList is a condition that column is one of the values of one list argument (listArg), with
// the same statement text whatever the list's length: so it is prepared once and the statement
// cache holds one entry for it, where an IN (?, ?, …) would take one per length. An empty list
// matches nothing.
func (q *Q) inList(column string) string {
	if q.dialect == Postgres {
		return "(" + column + " = any(?))"
	}
	return "(" + column + " IN (SELECT value FROM json_each(?)))"
}

// listArg is the argument of an inList condition: a text[] on PostgreSQL (pgx encodes a
// []string as one), a JSON array on SQLite.
func (q *Q) listArg(values []string) any {
	if values == nil {
		values = []string{}
	}
	if q.dialect == Postgres {
		return values
	}
	b, _ := json.Marshal(values) // a []string always marshals
	return string(b)
}

// forUpdate is appended to a SELECT that claims rows for a worker.
func (q *Q) forUpdate() string {
	if q.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return "" // SQLite's IMMEDIATE transactions already hold the write lock.
}
