package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStatements bounds the statement cache. The platform's queries are a fixed set of
// texts (an IN list is one argument, whatever its length: see Q.inList); once the cache is full,
// further texts simply run unprepared.
const maxCachedStatements = 512

// stmtCache keeps one prepared statement per SQL text, so SQLite parses and plans each query
// once per connection instead of on every call (the profile of a single GET showed a fifth of
// the server's CPU in SQLite's parser). PostgreSQL needs none: pgx caches statements itself.
//
// Statements are never evicted, so a statement handed out is never closed under its user.
type stmtCache struct {
	db *sql.DB

	mu      sync.RWMutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool
	closed  bool
	// background counts the preparations getInTx started, which close waits for: one still
	// running when the pool closes would open a connection (and SQLite's -wal and -shm files)
	// after it.
	background sync.WaitGroup
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// get returns the prepared statement for query, preparing it on the pool when it is new.
// It returns nil when the statement cannot be cached, and the caller runs the query as text.
func (c *stmtCache) get(ctx context.Context, query string) *sql.Stmt {
	if st := c.lookup(query); st != nil {
		return st
	}
	if !c.reserve(query) {
		return nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	c.settle(query, st, err)
	if err != nil {
		return nil
	}
	return st
}

// getInTx is get for a query inside a transaction. Preparing on the pool there would wait
// for a second connection while the transaction holds one, and with every connection held by
// a transaction doing the same, nothing would move; so a new text is prepared in the
// background and this call runs it as text.
func (c *stmtCache) getInTx(query string) *sql.Stmt {
	if st := c.lookup(query); st != nil {
		return st
	}
	if c.reserveBackground(query) {
		go func() {
			defer c.background.Done()
			st, err := c.db.PrepareContext(context.Background(), query)
			c.settle(query, st, err)
		}()
	}
	return nil
}

func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.stmts[query]
}

// reserve claims the right to prepare query: false when another caller is preparing it, the
// cache is full or closed.
func (c *stmtCache) reserve(query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reserveLocked(query)
}

func (c *stmtCache) reserveLocked(query string) bool {
	if c.closed || c.pending[query] || c.stmts[query] != nil || len(c.stmts)+len(c.pending) >= maxCachedStatements {
		return false
	}
	c.pending[query] = true
	return true
}

// reserveBackground is reserve for a preparation in the background, counted in background
// under the same lock that close takes, so that close waits for every one it did not refuse.
func (c *stmtCache) reserveBackground(query string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.reserveLocked(query) {
		return false
	}
	c.background.Add(1)
	return true
}

// settle stores a prepared statement (or forgets a failed preparation, which the query run as
// text will report).
func (c *stmtCache) settle(query string, st *sql.Stmt, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if err != nil {
		return
	}
	if c.closed {
		_ = st.Close()
		return
	}
	c.stmts[query] = st
}

// close closes every cached statement, once the preparations in the background are done;
// later calls run their queries as text.
func (c *stmtCache) close() {
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
	c.background.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}
