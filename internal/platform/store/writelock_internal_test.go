package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// holdWriteLock runs a SQLite transaction that holds the write lock until release is closed;
// it returns once the lock is held.
func holdWriteLock(t *testing.T, st *Store, release <-chan struct{}) {
	t.Helper()
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- st.Tx(context.Background(), func(q *Q) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	t.Cleanup(func() {
		if err := <-done; err != nil {
			t.Errorf("the transaction holding the lock: %v", err)
		}
	})
}

// A SQLite store's writers queue in process: while one transaction holds the write lock the
// others wait, none fails, and each commits once its turn comes.
func TestSQLiteWritersQueueForTheWriteLock(t *testing.T) {
	st := openSQLite(t)
	ctx := context.Background()
	if _, err := st.db.ExecContext(ctx, `CREATE TABLE tally (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	holdWriteLock(t, st, release)

	const writers = 40 // more than the pool's 8 connections
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Go(func() {
			errs <- st.Tx(ctx, func(q *Q) error {
				_, err := q.exec(ctx, `INSERT INTO tally (n) VALUES (1)`)
				return err
			})
		})
	}
	var n int
	if err := st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tally`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows written while another transaction held the lock: %d (%v), want 0", n, err)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a queued writer failed: %v", err)
		}
	}
	if err := st.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM tally`).Scan(&n); err != nil || n != writers {
		t.Fatalf("rows after the queue drained: %d (%v), want %d", n, err, writers)
	}
}

// A writer waiting for the lock gives up when its context ends, with the context's cause, and
// when the lock stays held past the store's bound, saying the database stayed busy; neither
// runs its function.
func TestSQLiteWriterWaitIsBounded(t *testing.T) {
	st := openSQLite(t)
	st.writeWait = 200 * time.Millisecond
	release := make(chan struct{})
	holdWriteLock(t, st, release)
	defer close(release)

	cause := errors.New("the client went away")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(cause) })
	ran := false
	err := st.Tx(ctx, func(*Q) error { ran = true; return nil })
	if !errors.Is(err, cause) || ran {
		t.Fatalf("a writer whose context ended while it waited: %v (ran %v), want the context's cause and no run", err, ran)
	}

	err = st.Tx(context.Background(), func(*Q) error { ran = true; return nil })
	if err == nil || !strings.Contains(err.Error(), "the database stayed busy") || ran {
		t.Fatalf("a writer that waited past the bound: %v (ran %v), want 'the database stayed busy' and no run", err, ran)
	}
}
