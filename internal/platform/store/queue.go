package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// The runtime's queues: executions, webhook deliveries and events. A worker claims a row inside
// a transaction: on PostgreSQL the SELECT takes the row with FOR UPDATE SKIP LOCKED, so replicas
// claiming at the same time pass over each other's rows; SQLite's IMMEDIATE transactions
// serialise claims outright. The claim then writes a lease (owner and expiry); a lease that
// expires tells every replica that its owner died.
//
// Claims are fair per application (internal/platform/runtime states the rule): the claim first
// picks the application, among those with work waiting and not in the caller's list of full
// ones, that has the least in flight (ties to the one waiting longest), then that
// application's oldest work. The applications with work waiting are found by a loose index
// scan (groupsWith), and each is weighed by index probes, so neither a flood of one
// application's rows nor a platform of many idle applications slows the claim down.

// Executions are written by the runtime and listed newest first. They have no etag: users
// change them only by cancelling.
var Executions = &Kind[api.Execution]{
	Table:  "executions",
	ID:     func(e *api.Execution) string { return e.ID },
	ETag:   func(*api.Execution) string { return "" },
	Newest: true,
	Decode: decodeExecution,
}

// Lease is a worker's claim on a queue row until Until.
type Lease struct {
	Owner string
	Until time.Time
}

// ExecutionRow is an execution with its queue columns.
type ExecutionRow struct {
	Execution api.Execution
	// Depth counts the workflow emits that led to this execution.
	Depth int
	// Lease is nil when no worker holds the execution.
	Lease *Lease
	// ApplicationID is the application of the execution's workflow, its group for fair claims.
	ApplicationID string
}

const executionColumns = "id, workflow_id, status, doc, depth, lease_owner, lease_until, COALESCE(application_id, '')"

func scanExecution(row interface{ Scan(...any) error }) (*ExecutionRow, error) {
	var id, workflowID, status, doc string
	var owner sql.NullString
	var until sql.NullInt64
	r := &ExecutionRow{}
	if err := row.Scan(&id, &workflowID, &status, &doc, &r.Depth, &owner, &until, &r.ApplicationID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if err := decodeExecution([]byte(doc), &r.Execution); err != nil {
		return nil, fmt.Errorf("decoding execution %s: %w", id, err)
	}
	// The columns are what the queue acts on; they win over a document that disagrees.
	r.Execution.ID, r.Execution.WorkflowID, r.Execution.Status = id, workflowID, api.ExecutionStatus(status)
	r.Lease = leaseOf(owner, until)
	return r, nil
}

// leaseOf is the lease that a row's lease columns hold, or nil.
func leaseOf(owner sql.NullString, until sql.NullInt64) *Lease {
	if !owner.Valid || !until.Valid {
		return nil
	}
	return &Lease{Owner: owner.String, Until: time.UnixMilli(until.Int64).UTC()}
}

// lockRow is appended to a SELECT that must wait for, then hold, one known row (cancelling,
// checkpointing): unlike forUpdate it does not skip a row another transaction holds.
func (q *Q) lockRow() string {
	if q.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// InsertExecution queues a new execution; its application is its workflow's.
func (q *Q) InsertExecution(ctx context.Context, e api.Execution, depth int) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, `INSERT INTO executions (id, workflow_id, status, queued_at, depth, doc, application_id)
		VALUES (?, ?, ?, ?, ?, ?, (SELECT application_id FROM workflows WHERE id = ?))`,
		e.ID, e.WorkflowID, string(e.Status), e.QueuedAt.UnixMilli(), depth, string(doc), e.WorkflowID)
	if isForeignKeyViolation(err) {
		return ErrNotFound
	}
	return err
}

// NextQueuedExecution takes the next queued execution no other transaction holds, fairly:
// the oldest of the application with the fewest running executions (ties to the one whose
// oldest waits longest), skipping the applications listed in full; or ErrNotFound. The
// caller leases it with StartExecution in the same transaction.
func (q *Q) NextQueuedExecution(ctx context.Context, full []string) (*ExecutionRow, error) {
	query, args := q.nextQueuedExecution(executionColumns, full)
	return scanExecution(q.queryRow(ctx, query+q.forUpdate(), args...))
}

// HasQueuedExecution tells whether NextQueuedExecution would find an execution, without
// reading its document or locking it: a worker's look before it claims.
func (q *Q) HasQueuedExecution(ctx context.Context, full []string) (bool, error) {
	query, args := q.nextQueuedExecution("1", full)
	return q.exists(ctx, query, args)
}

// nextQueuedExecution is NextQueuedExecution's query, selecting columns, and its arguments.
func (q *Q) nextQueuedExecution(columns string, full []string) (string, []any) {
	queued, running := string(api.ExecutionStatusQueued), string(api.ExecutionStatusRunning)
	return groupsWith("executions", "status = ?") + `
		SELECT ` + columns + ` FROM executions WHERE status = ? AND application_id = (
			SELECT g.id FROM g WHERE g.id IS NOT NULL AND NOT ` + q.inList("g.id") + `
			ORDER BY (SELECT COUNT(*) FROM executions r WHERE r.status = ? AND r.application_id = g.id),
				(SELECT MIN(e.queued_at) FROM executions e WHERE e.status = ? AND e.application_id = g.id), g.id
			LIMIT 1)
		ORDER BY queued_at, id LIMIT 1`, []any{queued, queued, queued, q.listArg(full), running, queued}
}

// exists tells whether query finds a row.
func (q *Q) exists(ctx context.Context, query string, args []any) (bool, error) {
	var one int
	err := q.queryRow(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// groupsWith is a WITH clause naming g the distinct application_ids of table's rows that
// match cond (its arguments twice), in order: a loose index scan, one probe of the queue's
// (status, application_id, …) index per application that has such rows, so a claim costs
// what the applications with work waiting cost, however many applications there are.
func groupsWith(table, cond string) string {
	return `WITH RECURSIVE g(id) AS (
		SELECT (SELECT MIN(application_id) FROM ` + table + ` WHERE ` + cond + `)
		UNION ALL
		SELECT (SELECT MIN(application_id) FROM ` + table + ` WHERE ` + cond + ` AND application_id > g.id) FROM g WHERE g.id IS NOT NULL)`
}

// NextExpiredExecution takes a running execution whose lease expired before now (its worker
// died), or ErrNotFound.
func (q *Q) NextExpiredExecution(ctx context.Context, now time.Time) (*ExecutionRow, error) {
	return scanExecution(q.queryRow(ctx, `SELECT `+executionColumns+` FROM executions WHERE status = ?
		AND lease_until < ? ORDER BY lease_until LIMIT 1`+q.forUpdate(), string(api.ExecutionStatusRunning), now.UnixMilli()))
}

// LockExecution loads an execution and holds it until the transaction ends.
func (q *Q) LockExecution(ctx context.Context, id string) (*ExecutionRow, error) {
	return scanExecution(q.queryRow(ctx, `SELECT `+executionColumns+` FROM executions WHERE id = ?`+q.lockRow(), id))
}

// LockExecutionLease holds an execution until the transaction ends, as LockExecution does,
// and returns only what a worker checks before it records progress, its status and lease,
// without reading the document.
func (q *Q) LockExecutionLease(ctx context.Context, id string) (api.ExecutionStatus, *Lease, error) {
	var status string
	var owner sql.NullString
	var until sql.NullInt64
	err := q.queryRow(ctx, `SELECT status, lease_owner, lease_until FROM executions WHERE id = ?`+q.lockRow(), id).Scan(&status, &owner, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, ErrNotFound
	}
	if err != nil {
		return "", nil, err
	}
	return api.ExecutionStatus(status), leaseOf(owner, until), nil
}

// UpdateExecution writes an execution's document and the columns derived from it, with the
// lease it is held under (nil releases it).
func (q *Q) UpdateExecution(ctx context.Context, e api.Execution, lease *Lease) error {
	var finished, owner, until any
	if e.FinishedAt != nil {
		finished = e.FinishedAt.UnixMilli()
	}
	if lease != nil {
		owner, until = lease.Owner, lease.Until.UnixMilli()
	}
	return q.updateExecution(ctx, `UPDATE executions SET status = ?, finished_at = ?, duration_ms = ?, lease_owner = ?, lease_until = ?,
		cancel_requested = ?, doc = ? WHERE id = ?`, e, string(e.Status), finished, e.DurationMs, owner, until,
		e.Status == api.ExecutionStatusCanceled)
}

// StartExecution records that a worker took a queued execution: its document, its status
// (running) and its lease. It writes only those columns, so that of the queue's indexes only
// those on the status and the lease change.
func (q *Q) StartExecution(ctx context.Context, e api.Execution, lease Lease) error {
	return q.updateExecution(ctx, `UPDATE executions SET status = ?, lease_owner = ?, lease_until = ?, doc = ? WHERE id = ?`,
		e, string(e.Status), lease.Owner, lease.Until.UnixMilli())
}

// SaveProgress records a running execution's document as its steps finish and extends its
// lease until until. It writes only those two columns: the status, the owner and the
// finishing columns stay, and so do the index entries on them.
func (q *Q) SaveProgress(ctx context.Context, e api.Execution, until time.Time) error {
	return q.updateExecution(ctx, `UPDATE executions SET lease_until = ?, doc = ? WHERE id = ?`, e, until.UnixMilli())
}

// updateExecution runs an UPDATE of one execution whose last two arguments are the document
// and the id, after args; ErrNotFound when no row has the id.
func (q *Q) updateExecution(ctx context.Context, query string, e api.Execution, args ...any) error {
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	res, err := q.exec(ctx, query, append(args, string(doc), e.ID)...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return ErrNotFound
	}
	return err
}

// RenewExecutionLeases extends every lease owner holds on a running execution until until.
func (q *Q) RenewExecutionLeases(ctx context.Context, owner string, until time.Time) error {
	_, err := q.exec(ctx, `UPDATE executions SET lease_until = ? WHERE lease_owner = ? AND status = ?`,
		until.UnixMilli(), owner, string(api.ExecutionStatusRunning))
	return err
}

// CanceledExecutions returns the ids of the executions owner still holds that were canceled:
// their worker has yet to stop. The leased rows are few and indexed, so this is cheap enough
// to ask twice a second.
func (q *Q) CanceledExecutions(ctx context.Context, owner string) ([]string, error) {
	rows, err := q.query(ctx, `SELECT id FROM executions WHERE lease_owner = ? AND status = ?`, owner, string(api.ExecutionStatusCanceled))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// CountExecutions counts the executions with a status, for the queue-depth gauge.
func (q *Q) CountExecutions(ctx context.Context, status api.ExecutionStatus) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM executions WHERE status = ?`, string(status)).Scan(&n)
	return n, err
}

// DeliveryRow is a delivery with the exact body every attempt sends.
type DeliveryRow struct {
	Delivery api.Delivery
	Payload  string
	// ApplicationID is the webhook's application (empty for a platform-wide webhook), the
	// delivery's group for fair claims.
	ApplicationID string
}

// NextDueDelivery takes the next due delivery that no live lease holds, fairly: the one due
// longest of the application (the webhook's; the empty id for platform-wide webhooks) with the fewest
// attempts in flight, skipping the applications listed in full; or ErrNotFound. A lease that
// expired belongs to a worker that died mid-attempt: the attempt is made again (receivers
// deduplicate by webhook-id).
func (q *Q) NextDueDelivery(ctx context.Context, now time.Time, full []string) (*DeliveryRow, error) {
	var doc string
	r := &DeliveryRow{}
	query, args := q.nextDueDelivery("doc, payload, application_id", now, full)
	err := q.queryRow(ctx, query+q.forUpdate(), args...).Scan(&doc, &r.Payload, &r.ApplicationID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(doc), &r.Delivery); err != nil {
		return nil, fmt.Errorf("decoding a delivery: %w", err)
	}
	return r, nil
}

// HasDueDelivery tells whether NextDueDelivery would find a delivery, without reading it or
// locking it: a worker's look before it claims.
func (q *Q) HasDueDelivery(ctx context.Context, now time.Time, full []string) (bool, error) {
	query, args := q.nextDueDelivery("1", now, full)
	return q.exists(ctx, query, args)
}

// nextDueDelivery is NextDueDelivery's query, selecting columns, and its arguments.
func (q *Q) nextDueDelivery(columns string, now time.Time, full []string) (string, []any) {
	pending, at := string(api.DeliveryStatusPending), now.UnixMilli()
	return groupsWith("deliveries", "status = ?") + `
		SELECT ` + columns + ` FROM deliveries
		WHERE status = ? AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) AND application_id = (
			SELECT c.id FROM (
				SELECT g.id, (SELECT MIN(d.next_attempt_at) FROM deliveries d WHERE d.status = ? AND d.application_id = g.id
					AND d.next_attempt_at <= ? AND (d.lease_until IS NULL OR d.lease_until < ?)) AS due
				FROM g WHERE g.id IS NOT NULL AND NOT ` + q.inList("g.id") + `) c
			WHERE c.due IS NOT NULL
			ORDER BY (SELECT COUNT(*) FROM deliveries f WHERE f.lease_owner IS NOT NULL AND f.application_id = c.id AND f.lease_until >= ?),
				c.due, c.id
			LIMIT 1)
		ORDER BY next_attempt_at LIMIT 1`, []any{pending, pending, pending, at, at, pending, at, at, q.listArg(full), at}
}

// LeaseDelivery records that owner is attempting a delivery until the lease's end.
func (q *Q) LeaseDelivery(ctx context.Context, id string, lease Lease) error {
	_, err := q.exec(ctx, `UPDATE deliveries SET lease_owner = ?, lease_until = ? WHERE id = ?`, lease.Owner, lease.Until.UnixMilli(), id)
	return err
}

// UpdateDelivery writes a delivery after an attempt and releases its lease, provided owner
// still holds it (false otherwise: the lease expired and another worker took over, or the
// webhook and its deliveries were deleted).
func (q *Q) UpdateDelivery(ctx context.Context, d api.Delivery, owner string) (bool, error) {
	doc, err := json.Marshal(d)
	if err != nil {
		return false, err
	}
	var due any
	if d.NextAttemptAt != nil {
		due = d.NextAttemptAt.UnixMilli()
	}
	res, err := q.exec(ctx, `UPDATE deliveries SET status = ?, next_attempt_at = ?, lease_owner = NULL, lease_until = NULL, doc = ?
		WHERE id = ? AND lease_owner = ?`, string(d.Status), due, string(doc), d.ID, owner)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// CountPendingDeliveries counts the deliveries still to be made, for the queue-depth gauge.
func (q *Q) CountPendingDeliveries(ctx context.Context) (int64, error) {
	var n int64
	err := q.queryRow(ctx, `SELECT COUNT(*) FROM deliveries WHERE status = ?`, string(api.DeliveryStatusPending)).Scan(&n)
	return n, err
}

// InsertEvent stores a published event; doc is its stored document (the API object and its
// data). Its root (fanout.go) is itself.
func (q *Q) InsertEvent(ctx context.Context, e api.Event, doc any) error {
	text, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = q.exec(ctx, `INSERT INTO events (id, type, application_id, published_at, doc) VALUES (?, ?, ?, ?, ?)`,
		e.ID, e.Type, nullable(e.ApplicationID), e.PublishedAt.UnixMilli(), string(text))
	return err
}

// EventTypeSource names a place event types are found, for GET /event-types.
type EventTypeSource int

// The sources of event type names.
const (
	// SourceTriggers: event triggers of workflows (filters apply to workflows).
	SourceTriggers EventTypeSource = iota
	// SourceWebhooks: webhook subscriptions, without the wildcard (filters apply to webhooks).
	SourceWebhooks
	// SourcePublished: published events (filters apply to events).
	SourcePublished
)

// EventTypes returns the distinct event type names one source holds among the objects that
// match filters, sorted.
func (q *Q) EventTypes(ctx context.Context, source EventTypeSource, filters []Filter) ([]string, error) {
	conds, args := q.filterSQL(filters)
	var query string
	switch source {
	case SourceTriggers:
		query = `SELECT DISTINCT event_type FROM workflows WHERE trigger_type = 'event' AND event_type IS NOT NULL`
	case SourceWebhooks:
		query = `SELECT DISTINCT event_type FROM webhook_event_types WHERE event_type <> '*' AND webhook_id IN (SELECT id FROM webhooks WHERE 1 = 1`
		for _, c := range conds {
			query += " AND " + c
		}
		conds = nil
		query += ")"
	case SourcePublished:
		query = `SELECT DISTINCT type FROM events WHERE 1 = 1`
	default:
		return nil, fmt.Errorf("unknown event type source %d", source)
	}
	if len(conds) > 0 {
		query += " AND " + strings.Join(conds, " AND ")
	}
	rows, err := q.query(ctx, query+" ORDER BY 1", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	return names, rows.Err()
}

// LastScheduleFire returns the latest slot a workflow's schedule fired for, or nil.
func (q *Q) LastScheduleFire(ctx context.Context, workflowID string) (*time.Time, error) {
	var at sql.NullInt64
	if err := q.queryRow(ctx, `SELECT MAX(fire_at) FROM schedule_fires WHERE workflow_id = ?`, workflowID).Scan(&at); err != nil {
		return nil, err
	}
	if !at.Valid {
		return nil, nil
	}
	t := time.UnixMilli(at.Int64).UTC()
	return &t, nil
}

// ClaimScheduleFire records that a workflow's schedule fires for the slot at; false when
// another replica already claimed that slot. Older slots are forgotten: only the latest is
// ever asked for.
func (q *Q) ClaimScheduleFire(ctx context.Context, workflowID string, at time.Time) (bool, error) {
	// A slot older than one already fired is refused too: a replica whose clock lags must not
	// fire a slot the others have moved past (and forgotten).
	res, err := q.exec(ctx, `INSERT INTO schedule_fires (workflow_id, fire_at) SELECT ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM schedule_fires WHERE workflow_id = ? AND fire_at > ?) ON CONFLICT DO NOTHING`,
		workflowID, at.UnixMilli(), workflowID, at.UnixMilli())
	if err != nil {
		if isForeignKeyViolation(err) {
			return false, ErrNotFound
		}
		return false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	_, err = q.exec(ctx, `DELETE FROM schedule_fires WHERE workflow_id = ? AND fire_at < ?`, workflowID, at.UnixMilli())
	return err == nil, err
}
