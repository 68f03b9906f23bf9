package store

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func openSQLite(t *testing.T) *Store {
	t.Helper()
	st, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "cache.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func (c *stmtCache) size() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.stmts)
}

// A query run outside a transaction is prepared once and reused; the cache stops growing at
// its bound and the queries past it still run.
func TestStatementCacheReusesAndIsBounded(t *testing.T) {
	t.Parallel()
	st := openSQLite(t)
	ctx := context.Background()
	q := st.Read()
	query := "SELECT COUNT(*) FROM applications WHERE name = ?"
	for range 3 {
		var n int
		if err := q.queryRow(ctx, query, "x").Scan(&n); err != nil || n != 0 {
			t.Fatalf("count: %d, %v", n, err)
		}
	}
	first := st.stmts.lookup(query)
	if first == nil {
		t.Fatal("the query was not cached")
	}
	for i := range maxCachedStatements + 50 {
		var n int
		if err := q.queryRow(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n); err != nil || n != i {
			t.Fatalf("query %d: %d, %v", i, n, err)
		}
	}
	if got := st.stmts.size(); got != maxCachedStatements {
		t.Errorf("cache holds %d statements, want the bound %d", got, maxCachedStatements)
	}
	if st.stmts.lookup(query) != first {
		t.Error("the first statement was replaced")
	}
}

// A transaction running a query text the cache has never seen must not wait for a second
// connection to prepare it on: with every connection held by such transactions, none would
// move. The text runs unprepared and is prepared in the background for the next call. Here
// the pool has one connection, so waiting for another would hang until the deadline.
func TestStatementCacheInTransactionsNeverWaitsForAConnection(t *testing.T) {
	t.Parallel()
	st := openSQLite(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	var n int
	query := "SELECT COUNT(*) FROM users WHERE email = ?"
	st.db.SetMaxOpenConns(1)
	err := st.Tx(ctx, func(q *Q) error {
		return q.queryRow(ctx, query, "a@example.com").Scan(&n)
	})
	if err != nil {
		t.Fatalf("a new text in a transaction with the only connection: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for st.stmts.lookup(query) == nil {
		if time.Now().After(deadline) {
			t.Fatal("the text run in the transaction was never prepared for later calls")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := st.Tx(ctx, func(q *Q) error { return q.queryRow(ctx, query, "a@example.com").Scan(&n) }); err != nil || n != 0 {
		t.Fatalf("the cached text in a transaction: %d, %v", n, err)
	}
}

// A list filtered by an id list runs one prepared statement whatever the length of the list
// and the size of the page: the cache holds one entry for it after lists of 0 to 5,000 ids.
func TestStatementCacheHoldsOneListQueryWhateverTheListLength(t *testing.T) {
	t.Parallel()
	st := openSQLite(t)
	ctx := context.Background()
	before := st.stmts.size()
	for i, n := range []int{0, 1, 2, 3, 10, 999, 1000, 5000} {
		ids := make([]string, n)
		for j := range ids {
			ids[j] = NewID("app")
		}
		filters := []Filter{In("id", ids), ReadableWorkflows(ids, ids), VisibleAssignments("usr_1", ids, ids)}
		if _, _, err := Applications.List(ctx, st.Read(), filters[:1], Page{Size: 10 + i}); err != nil {
			t.Fatalf("applications in a list of %d: %v", n, err)
		}
		if _, _, err := Workflows.List(ctx, st.Read(), filters[1:2], Page{Size: 10 + i}); err != nil {
			t.Fatalf("workflows readable through a list of %d: %v", n, err)
		}
		if _, _, err := RoleAssignments.List(ctx, st.Read(), filters[2:], Page{Size: 10 + i}); err != nil {
			t.Fatalf("assignments visible through a list of %d: %v", n, err)
		}
	}
	if got := st.stmts.size() - before; got != 3 {
		t.Errorf("the cache took %d statements for three list queries run with 8 list lengths and page sizes, want 3", got)
	}
}

// Both dialects write an id list as one argument, so the statement text is the same for
// every length.
func TestInListTextIsTheSameForEveryLength(t *testing.T) {
	t.Parallel()
	for _, d := range []Dialect{SQLite, Postgres} {
		q := &Q{dialect: d}
		texts := map[string]bool{}
		for _, n := range []int{0, 1, 2, 1000} {
			conds, args := q.filterSQL([]Filter{In("id", make([]string, n)), OfWorkflows(ReadableWorkflows(make([]string, n), nil))})
			if len(args) != 3 {
				t.Errorf("%s, %d ids: %d arguments, want 3 (one per list)", d, n, len(args))
			}
			texts[q.rebind(strings.Join(conds, " AND "))] = true
		}
		if len(texts) != 1 {
			t.Errorf("%s: %d statement texts for 4 list lengths, want 1", d, len(texts))
		}
	}
}
