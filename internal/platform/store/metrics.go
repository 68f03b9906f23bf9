package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// ExecutionStats sums up a workflow's finished executions over a window.
type ExecutionStats struct {
	Succeeded int64
	Failed    int64
	// Timed counts the executions with a recorded duration, which the duration figures cover.
	Timed         int64
	AvgDurationMs float64
	// P99DurationMs is the nearest-rank 99th percentile: the smallest duration that at least
	// 99% of the timed executions do not exceed.
	P99DurationMs float64
}

// statsColumns sum up finished executions: succeeded, failed, timed and the average duration.
// Its arguments are statsArgs().
const statsColumns = " COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0)," +
	" COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0)," +
	" COUNT(duration_ms), CAST(AVG(duration_ms) AS DOUBLE PRECISION)"

func statsArgs() []any {
	return []any{string(api.ExecutionStatusSucceeded), string(api.ExecutionStatusFailed)}
}

// inWindow selects the executions that succeeded or failed at or after a time; its arguments
// are windowArgs.
const inWindow = " WHERE finished_at >= ? AND status IN (?, ?)"

func windowArgs(since time.Time) []any {
	return []any{since.UnixMilli(), string(api.ExecutionStatusSucceeded), string(api.ExecutionStatusFailed)}
}

// ExecutionStats computes the stats of the workflow's executions that succeeded or failed at
// or after since. Canceled executions are left out: a cancellation is a user's decision, not
// a success or a failure of the workflow. Both queries run on the (workflow_id, finished_at)
// index; the percentile sorts only the window's durations.
func (q *Q) ExecutionStats(ctx context.Context, workflowID string, since time.Time) (ExecutionStats, error) {
	var st ExecutionStats
	var avg sql.NullFloat64
	err := q.queryRow(ctx, "SELECT"+statsColumns+" FROM executions"+inWindow+" AND workflow_id = ?",
		append(append(statsArgs(), windowArgs(since)...), workflowID)...,
	).Scan(&st.Succeeded, &st.Failed, &st.Timed, &avg)
	if err != nil {
		return ExecutionStats{}, err
	}
	st.AvgDurationMs = avg.Float64
	if st.P99DurationMs, err = q.p99DurationMs(ctx, workflowID, since, st.Timed); err != nil {
		return ExecutionStats{}, err
	}
	return st, nil
}

// WorkflowStats are the ExecutionStats of one workflow.
type WorkflowStats struct {
	WorkflowID string
	ExecutionStats
}

// ExecutionStatsByWorkflow computes ExecutionStats, as ExecutionStats does, for every workflow
// with at least one execution that succeeded or failed at or after since, in workflow id
// order. The counts and averages of all workflows come from one grouped query on the
// finished_at index; the percentile takes one query per workflow with timed executions.
func (q *Q) ExecutionStatsByWorkflow(ctx context.Context, since time.Time) ([]WorkflowStats, error) {
	rows, err := q.query(ctx, q.statsByWorkflowQuery(), append(statsArgs(), windowArgs(since)...)...)
	if err != nil {
		return nil, err
	}
	var out []WorkflowStats
	for rows.Next() {
		var ws WorkflowStats
		var avg sql.NullFloat64
		if err := rows.Scan(&ws.WorkflowID, &ws.Succeeded, &ws.Failed, &ws.Timed, &avg); err != nil {
			_ = rows.Close()
			return nil, err
		}
		ws.AvgDurationMs = avg.Float64
		out = append(out, ws)
	}
	// Closed before the percentiles so that they do not need a second connection.
	if err := errors.Join(rows.Err(), rows.Close()); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].P99DurationMs, err = q.p99DurationMs(ctx, out[i].WorkflowID, since, out[i].Timed); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (q *Q) statsByWorkflowQuery() string {
	from := " FROM executions"
	if q.dialect == SQLite {
		// Without table statistics SQLite would take an index on status, reading every
		// execution that ever finished instead of the window's.
		from += " INDEXED BY executions_finished_at"
	}
	return "SELECT workflow_id," + statsColumns + from + inWindow + " GROUP BY workflow_id ORDER BY workflow_id"
}

// p99DurationMs is the nearest-rank 99th percentile of the durations of the workflow's
// executions that succeeded or failed at or after since, timed of which have a duration: the
// smallest duration that at least 99% of them do not exceed. It is 0 without timed executions.
func (q *Q) p99DurationMs(ctx context.Context, workflowID string, since time.Time, timed int64) (float64, error) {
	if timed == 0 {
		return 0, nil
	}
	rank := (99*timed + 99) / 100 // ceil(0.99 n) in integers, free of rounding
	var p99 int64
	err := q.queryRow(ctx, "SELECT duration_ms FROM executions"+inWindow+" AND workflow_id = ? AND duration_ms IS NOT NULL ORDER BY duration_ms LIMIT 1 OFFSET ?",
		append(windowArgs(since), workflowID, rank-1)...).Scan(&p99)
	if errors.Is(err, sql.ErrNoRows) {
		// The executions went since they were counted: the workflow was deleted meanwhile.
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return float64(p99), nil
}

// SwapBreached records which thresholds of a workflow's monitoring target are breached now
// and returns those that were before, in one step under a row lock, so that of several
// replicas finishing executions of one workflow at once, exactly one sees each change.
func (q *Q) SwapBreached(ctx context.Context, workflowID string, breached []string, now time.Time) ([]string, error) {
	if _, err := q.exec(ctx, `INSERT INTO monitoring_alerts (workflow_id, breached, updated_at) VALUES (?, '', ?)
		ON CONFLICT (workflow_id) DO NOTHING`, workflowID, now.UnixMilli()); err != nil {
		return nil, err
	}
	lock := ""
	if q.dialect == Postgres {
		lock = " FOR UPDATE"
	}
	var prev string
	if err := q.queryRow(ctx, `SELECT breached FROM monitoring_alerts WHERE workflow_id = ?`+lock, workflowID).Scan(&prev); err != nil {
		return nil, err
	}
	if _, err := q.exec(ctx, `UPDATE monitoring_alerts SET breached = ?, updated_at = ? WHERE workflow_id = ?`,
		strings.Join(breached, ","), now.UnixMilli(), workflowID); err != nil {
		return nil, err
	}
	if prev == "" {
		return nil, nil
	}
	return strings.Split(prev, ","), nil
}
