package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// The grouped stats read the window through the finished_at index, not every execution that
// ever finished through an index on status.
func TestStatsByWorkflowUsesFinishedAtIndex(t *testing.T) {
	t.Parallel()
	q := openSQLite(t).Read()
	rows, err := q.query(context.Background(), "EXPLAIN QUERY PLAN "+q.statsByWorkflowQuery(), append(statsArgs(), windowArgs(time.Now())...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(plan, "; "); !strings.Contains(got, "executions_finished_at (finished_at>?)") {
		t.Errorf("plan %q does not search executions_finished_at by finished_at", got)
	}
}
