package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"time"
)

// leaderLockKey is the PostgreSQL advisory lock key of the runtime's leader (the replica that
// fires schedules and rescues expired executions): the first 8 bytes of
// sha256("lowcode-platform runtime leader"), so it is unlikely to meet another program's key.
const leaderLockKey int64 = 0x2c5a_61d9_0f3e_b417

// LeaderLock is the runtime leader's session-level advisory lock, held on a connection of its
// own: it lasts as long as that connection, so a replica that dies gives it up as soon as
// PostgreSQL notices the connection closed, with no expiry to wait out and no table to keep.
// (river keeps a leader table with expiry instead because it must work through transaction
// poolers such as PgBouncer, where session locks do not hold; this server connects directly.)
type LeaderLock struct {
	conn *sql.Conn
}

// TryLeaderLock takes the leader lock without waiting: nil when another replica holds it.
// PostgreSQL only: a SQLite file has one process, always the leader.
func (s *Store) TryLeaderLock(ctx context.Context) (*LeaderLock, error) {
	if s.dialect != Postgres {
		return nil, errors.New("the leader lock is PostgreSQL's: with SQLite the one process always leads")
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, leaderLockKey).Scan(&got); err != nil || !got {
		discard(conn)
		return nil, err
	}
	return &LeaderLock{conn: conn}, nil
}

// Check fails when the lock's connection no longer answers: the lock may be lost.
func (l *LeaderLock) Check(ctx context.Context) error {
	var held bool
	err := l.conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()
		AND granted AND classid = ($1::bigint >> 32)::oid AND objid = ($1::bigint & 4294967295)::oid AND objsubid = 1)`, leaderLockKey).Scan(&held)
	if err == nil && !held {
		err = errors.New("the leader lock is no longer held by this connection")
	}
	return err
}

// Release gives the lock up and closes its connection (never returned to the pool, where a
// lock still held would outlive its purpose).
func (l *LeaderLock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, _ = l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, leaderLockKey) // closing the session releases it anyway
	discard(l.conn)
}

// discard closes a dedicated connection for good: the session and its locks end with it.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	_ = conn.Close()
}
