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

// ExecutionStats computes the stats of the workflow's executions that succeeded or failed at
// or after since. Canceled executions are left out: a cancellation is a user's decision, not
// a success or a failure of the workflow. Both queries run on the (workflow_id, finished_at)
// index; the percentile sorts only the window's durations.
func (q *Q) ExecutionStats(ctx context.Context, workflowID string, since time.Time) (ExecutionStats, error) {
	const where = " FROM executions WHERE workflow_id = ? AND finished_at >= ? AND status IN (?, ?)"
	args := []any{workflowID, since.UnixMilli(), string(api.ExecutionStatusSucceeded), string(api.ExecutionStatusFailed)}
	var st ExecutionStats
	var avg sql.NullFloat64
	err := q.queryRow(ctx, "SELECT"+
		" COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0),"+
		" COALESCE(SUM(CASE WHEN status = ? THEN 1 ELSE 0 END), 0),"+
		" COUNT(duration_ms), CAST(AVG(duration_ms) AS DOUBLE PRECISION)"+where,
		append([]any{string(api.ExecutionStatusSucceeded), string(api.ExecutionStatusFailed)}, args...)...,
	).Scan(&st.Succeeded, &st.Failed, &st.Timed, &avg)
	if err != nil {
		return ExecutionStats{}, err
	}
	st.AvgDurationMs = avg.Float64
	if st.Timed == 0 {
		return st, nil
	}
	rank := (99*st.Timed + 99) / 100 // ceil(0.99 n) in integers, free of rounding
	var p99 int64
	err = q.queryRow(ctx, "SELECT duration_ms"+where+" AND duration_ms IS NOT NULL ORDER BY duration_ms LIMIT 1 OFFSET ?",
		append(args, rank-1)...).Scan(&p99)
	if errors.Is(err, sql.ErrNoRows) {
		// The executions went between the two queries: the workflow was deleted meanwhile.
		return st, nil
	}
	if err != nil {
		return ExecutionStats{}, err
	}
	st.P99DurationMs = float64(p99)
	return st, nil
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
