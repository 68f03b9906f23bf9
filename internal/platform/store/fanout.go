package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/document"
)

// Lineage is where an execution comes from: how many emits led to it, the root (the event or
// trigger that began its chain) and the workflows whose emits led to it.
type Lineage struct {
	// Depth counts the workflow emits that led to the execution.
	Depth int
	// Root is the id of the published event, or of the execution a user or a schedule
	// started, that began the chain; empty means the execution is its own root.
	Root string
	// Chain lists the workflows whose emits led to the execution, oldest first.
	Chain []ChainLink
}

// ChainLink is one workflow in a chain of emits.
type ChainLink struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// InsertExecutionFrom queues a new execution with its lineage.
func (q *Q) InsertExecutionFrom(ctx context.Context, e api.Execution, lin Lineage) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	root := lin.Root
	if root == "" {
		root = e.ID
	}
	var chain any
	if len(lin.Chain) > 0 {
		b, err := json.Marshal(lin.Chain)
		if err != nil {
			return err
		}
		chain = string(b)
	}
	_, err = q.exec(ctx, `INSERT INTO executions (id, workflow_id, status, queued_at, depth, root_id, chain, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.WorkflowID, string(e.Status), e.QueuedAt.UnixMilli(), lin.Depth, root, chain, string(doc))
	if isForeignKeyViolation(err) {
		return ErrNotFound
	}
	return err
}

// fanOutLockClass namespaces the advisory locks on roots (PostgreSQL's two-key advisory locks
// do not share their key space with one-key ones).
const fanOutLockClass = 0x6c636630 // "lcf0"

// RootExecutions counts the executions that root has led to, and holds root until the
// transaction ends, so that emits of one chain running at the same time on several workers or
// replicas count one after the other and together stay within a budget. (SQLite's
// transactions are serialised already.)
func (q *Q) RootExecutions(ctx context.Context, root string) (int, error) {
	if q.dialect == Postgres {
		if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, fanOutLockClass, root); err != nil {
			return 0, fmt.Errorf("locking the chain of %s: %w", root, err)
		}
	}
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM executions WHERE root_id = ?`, root).Scan(&n)
	return n, err
}

// scanLineage fills a row's lineage from its columns (a row written before roots were
// recorded is its own root).
func scanLineage(r *ExecutionRow, root, chain sql.NullString) error {
	r.Root = r.Execution.ID
	if root.Valid && root.String != "" {
		r.Root = root.String
	}
	if chain.Valid && chain.String != "" {
		if err := json.Unmarshal([]byte(chain.String), &r.Chain); err != nil {
			return fmt.Errorf("decoding the chain of execution %s: %w", r.Execution.ID, err)
		}
	}
	return nil
}

// storedDepthLimit is the nesting kept when an execution stored too deep to decode is read:
// the platform's document limit (64 by default) plus the levels of the record around it.
const storedDepthLimit = 128

// tooDeepMarker replaces what lies deeper than storedDepthLimit in such a record.
var tooDeepMarker = fmt.Sprintf("(not shown: nested deeper than %d levels; stored before the platform bounded documents)", storedDepthLimit)

// decodeExecution reads a stored execution. One that an older server stored nested deeper
// than encoding/json decodes (10,000 levels) is read with what lies too deep replaced by a
// marker, so that it never breaks reading or listing the others.
func decodeExecution(doc []byte, e *api.Execution) error {
	err := json.Unmarshal(doc, e)
	var syntax *json.SyntaxError // "exceeded max depth" is one
	if !errors.As(err, &syntax) {
		return err
	}
	pruned, _, perr := document.Prune(doc, storedDepthLimit, tooDeepMarker)
	if perr != nil {
		return err
	}
	*e = api.Execution{}
	return json.Unmarshal(pruned, e)
}
