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

// InsertExecutionFrom queues a new execution with its lineage. (InsertExecution queues one that
// is its own root: a row whose root_id is NULL.)
func (q *Q) InsertExecutionFrom(ctx context.Context, e api.Execution, lin Lineage) error {
	if err := q.InsertExecution(ctx, e, lin.Depth); err != nil || lin.Root == "" && len(lin.Chain) == 0 {
		return err
	}
	var chain any
	if len(lin.Chain) > 0 {
		b, err := json.Marshal(lin.Chain)
		if err != nil {
			return err
		}
		chain = string(b)
	}
	_, err := q.exec(ctx, `UPDATE executions SET root_id = ?, chain = ? WHERE id = ?`, nullable(lin.Root), chain, e.ID)
	return err
}

// InsertEventFrom stores a published event whose chain began at root (empty: the event is its
// own root); doc is its stored document.
func (q *Q) InsertEventFrom(ctx context.Context, e api.Event, doc any, root string) error {
	if err := q.InsertEvent(ctx, e, doc); err != nil || root == "" {
		return err
	}
	_, err := q.exec(ctx, `UPDATE events SET root_id = ? WHERE id = ?`, root, e.ID)
	return err
}

// ExecutionLineage reads an execution's lineage: an execution without a recorded root is its
// own.
func (q *Q) ExecutionLineage(ctx context.Context, id string) (Lineage, error) {
	var lin Lineage
	var root, chain sql.NullString
	err := q.queryRow(ctx, `SELECT depth, root_id, chain FROM executions WHERE id = ?`, id).Scan(&lin.Depth, &root, &chain)
	if errors.Is(err, sql.ErrNoRows) {
		return lin, ErrNotFound
	}
	if err != nil {
		return lin, err
	}
	lin.Root = id
	if root.Valid && root.String != "" {
		lin.Root = root.String
	}
	if chain.Valid && chain.String != "" {
		if err := json.Unmarshal([]byte(chain.String), &lin.Chain); err != nil {
			return lin, fmt.Errorf("decoding the chain of execution %s: %w", id, err)
		}
	}
	return lin, nil
}

// fanOutLockClass namespaces the advisory locks on roots (PostgreSQL's two-key advisory locks
// do not share their key space with one-key ones).
const fanOutLockClass = 0x6c636630 // "lcf0"

// RootExecutions counts the executions that root has led to (itself included, when it is an
// execution), and holds root until the transaction ends, so that emits of one chain running
// at the same time on several workers or replicas count one after the other and together stay
// within a budget. (SQLite's transactions are serialised already.)
func (q *Q) RootExecutions(ctx context.Context, root string) (int, error) {
	if q.dialect == Postgres {
		if _, err := q.exec(ctx, `SELECT pg_advisory_xact_lock(?, hashtext(?))`, fanOutLockClass, root); err != nil {
			return 0, fmt.Errorf("locking the chain of %s: %w", root, err)
		}
	}
	var n int
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM executions WHERE root_id = ? OR id = ?`, root, root).Scan(&n)
	return n, err
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
