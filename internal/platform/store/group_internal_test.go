package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// groupFixture is a SQLite store with a table to write to, and a Group on it.
func groupFixture(t *testing.T) (*Store, *Group) {
	t.Helper()
	st := openSQLite(t)
	if _, err := st.db.ExecContext(context.Background(), `CREATE TABLE tally (n INTEGER)`); err != nil {
		t.Fatal(err)
	}
	return st, NewGroup(st)
}

func insert(n int) func(q *Q) error {
	return func(q *Q) error {
		_, err := q.exec(context.Background(), `INSERT INTO tally (n) VALUES (?)`, n)
		return err
	}
}

func tally(t *testing.T, st *Store) []int {
	t.Helper()
	rows, err := st.db.QueryContext(context.Background(), `SELECT n FROM tally ORDER BY n`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var n int
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitPending waits until n writes wait for the group's transaction under way.
func waitPending(t *testing.T, g *Group, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		got := len(g.pending)
		g.mu.Unlock()
		if got >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes pending, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// The writes that arrive while a group's transaction is under way share the next one, and
// each is made once; a lone write does not wait for company.
func TestGroupSharesOneTransactionAmongWritesThatArriveTogether(t *testing.T) {
	st, g := groupFixture(t)
	ctx := context.Background()

	if err := g.Tx(ctx, insert(0)); err != nil {
		t.Fatalf("a lone write: %v", err)
	}

	release := leadWith(t, g, insert(1))

	const waiting = 5
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		txs = map[*Q]int{}
	)
	errs := make(chan error, waiting)
	for i := range waiting {
		wg.Go(func() {
			errs <- g.Tx(ctx, func(q *Q) error {
				mu.Lock()
				txs[q]++
				mu.Unlock()
				return insert(10 + i)(q)
			})
		})
	}
	waitPending(t, g, waiting)
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a grouped write: %v", err)
		}
	}
	if len(txs) != 1 {
		t.Errorf("the %d writes that arrived together ran in %d transactions, want 1", waiting, len(txs))
	}
	if got := tally(t, st); len(got) != 2+waiting {
		t.Errorf("rows %v, want 0, 1 and 10..%d once each", got, 10+waiting-1)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.leading || len(g.pending) != 0 {
		t.Errorf("after the writes: leading %v, %d pending; want no transaction under way", g.leading, len(g.pending))
	}
}

// leadWith starts a write through g that holds the group's transaction until release is
// called, which then waits for it and checks it succeeded; it returns once the transaction
// is under way.
func leadWith(t *testing.T, g *Group, fn func(q *Q) error) (release func()) {
	t.Helper()
	proceed := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- g.Tx(context.Background(), func(q *Q) error {
			<-proceed
			return fn(q)
		})
	}()
	waitLeading(t, g)
	return func() {
		t.Helper()
		close(proceed)
		if err := <-done; err != nil {
			t.Fatalf("the first write: %v", err)
		}
	}
}

// waitLeading waits until a group's transaction is under way.
func waitLeading(t *testing.T, g *Group) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		leading := g.leading
		g.mu.Unlock()
		if leading {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("no group transaction started")
		}
		time.Sleep(time.Millisecond)
	}
}

// A write that fails in a shared transaction fails alone: the others are made, and its error
// is its caller's only. A write whose context ended before its turn is not made.
func TestGroupFailsOnlyTheWriteThatFailed(t *testing.T) {
	st, g := groupFixture(t)
	ctx := context.Background()

	release := leadWith(t, g, insert(1))

	refused := errors.New("refused")
	gone, cancel := context.WithCancel(ctx)
	cancel()
	type call struct {
		ctx  context.Context
		fn   func(q *Q) error
		want error
	}
	calls := []call{
		{ctx, insert(2), nil},
		{ctx, func(q *Q) error {
			if err := insert(99)(q); err != nil {
				return err
			}
			return refused // after a write, which must be rolled back
		}, refused},
		{gone, insert(98), context.Canceled},
		{ctx, insert(3), nil},
	}
	got := make([]error, len(calls))
	var wg sync.WaitGroup
	for i, c := range calls {
		wg.Go(func() { got[i] = g.Tx(c.ctx, c.fn) })
		waitPending(t, g, i+1) // in this order
	}
	release()
	wg.Wait()
	for i, c := range calls {
		if !errors.Is(got[i], c.want) {
			t.Errorf("write %d: %v, want %v", i, got[i], c.want)
		}
	}
	if rows := tally(t, st); len(rows) != 3 || rows[0] != 1 || rows[1] != 2 || rows[2] != 3 {
		t.Errorf("rows %v, want [1 2 3]: the failed write and the cancelled one are not made", rows)
	}
}

// No caller serves the others' writes for ever: a call returns once its own transaction is
// done, handing the lead to a waiting call, and a group carries at most maxGroup writes.
func TestGroupHandsTheLeadOn(t *testing.T) {
	st, g := groupFixture(t)
	ctx := context.Background()

	release := leadWith(t, g, insert(0))

	const waiting = maxGroup + 3
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		txs = map[*Q]int{}
	)
	for i := range waiting {
		wg.Go(func() {
			if err := g.Tx(ctx, func(q *Q) error {
				mu.Lock()
				txs[q]++
				mu.Unlock()
				return insert(i + 1)(q)
			}); err != nil {
				t.Errorf("write %d: %v", i, err)
			}
		})
	}
	waitPending(t, g, waiting)
	release()
	wg.Wait()
	if len(txs) != 2 {
		t.Errorf("%d waiting writes ran in %d transactions, want 2 (at most %d to one)", waiting, len(txs), maxGroup)
	}
	for _, n := range txs {
		if n > maxGroup {
			t.Errorf("a transaction carried %d writes, want at most %d", n, maxGroup)
		}
	}
	if rows := tally(t, st); len(rows) != waiting+1 {
		t.Errorf("%d rows, want %d", len(rows), waiting+1)
	}
}
