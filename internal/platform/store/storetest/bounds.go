package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// pageBytes: a page ends early, with a token for the next, before the stored documents it
// holds pass store.MaxPageBytes; every object is still listed once.
func pageBytes(t *testing.T, st *store.Store) {
	big := strings.Repeat("x", 3<<20)
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		for i := range 5 {
			app := newApp(fmt.Sprintf("big-%d", i), api.Production)
			app.Description = big
			if err := store.Applications.Create(ctx, q, app); err != nil {
				return err
			}
		}
		return nil
	})
	var sizes []int
	seen := map[string]bool{}
	for token := ""; ; {
		items, next, err := store.Applications.List(context.Background(), st.Read(), nil, store.Page{Size: 1000, Token: token})
		must(t, err)
		sizes = append(sizes, len(items))
		for _, a := range items {
			seen[a.ID] = true
		}
		if token = next; token == "" {
			break
		}
	}
	// 3 MiB each: two fit in 8 MiB, the third would not.
	if fmt.Sprint(sizes) != "[2 2 1]" || len(seen) != 5 {
		t.Errorf("pages of %v items, %d distinct, want [2 2 1] and 5", sizes, len(seen))
	}
}

// fanOutRoots: an execution keeps its lineage (depth, root, chain of workflows); one inserted
// without a root is its own; RootExecutions counts a root's executions.
func fanOutRoots(t *testing.T, st *store.Store) {
	wf := seedWorkflows(t, st, 1)[0]
	first := newExecution(wf, time.Now())
	chain := []store.ChainLink{{ID: wf, Name: "ping"}}
	var emitted []string
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		if err := q.InsertExecution(ctx, first, 0); err != nil {
			return err
		}
		for range 3 {
			e := newExecution(wf, time.Now())
			emitted = append(emitted, e.ID)
			if err := q.InsertExecutionFrom(ctx, e, store.Lineage{Depth: 1, Root: first.ID, Chain: chain}); err != nil {
				return err
			}
		}
		return nil
	})
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		lin, err := q.ExecutionLineage(ctx, first.ID)
		if err != nil {
			return err
		}
		if lin.Root != first.ID || lin.Depth != 0 || len(lin.Chain) != 0 {
			t.Errorf("a triggered execution's lineage: %+v; want its own id, depth 0, no chain", lin)
		}
		lin, err = q.ExecutionLineage(ctx, emitted[0])
		if err != nil {
			return err
		}
		if lin.Root != first.ID || lin.Depth != 1 || fmt.Sprint(lin.Chain) != fmt.Sprint(chain) {
			t.Errorf("an emitted execution's lineage: %+v", lin)
		}
		if n, err := q.RootExecutions(ctx, first.ID); err != nil || n != 4 {
			t.Errorf("RootExecutions = %d, %v; want 4 (the root and the 3 it led to)", n, err)
		}
		if n, err := q.RootExecutions(ctx, emitted[1]); err != nil || n != 1 {
			t.Errorf("RootExecutions of an execution that led to none = %d, %v; want 1 (itself)", n, err)
		}
		return nil
	})
}

// deepExecutionRecord: an execution stored nested deeper than encoding/json decodes (as an
// older server could) is read and listed, with what lies too deep replaced by a marker.
func deepExecutionRecord(t *testing.T, st *store.Store) {
	wf := seedWorkflows(t, st, 1)[0]
	e := newExecution(wf, time.Now())
	var out map[string]any
	must(t, json.Unmarshal([]byte(strings.Repeat(`{"a":`, 9999)+`{}`+strings.Repeat(`}`, 9999)), &out))
	e.Output = &out
	tx(t, st, func(ctx context.Context, q *store.Q) error { return q.InsertExecution(ctx, e, 0) })
	got, err := store.Executions.Get(context.Background(), st.Read(), e.ID)
	must(t, err)
	if b, _ := json.Marshal(got.Output); !strings.Contains(string(b), "not shown: nested deeper than 128 levels") {
		t.Errorf("the deep output read as %.200s", b)
	}
	if items := listAll(t, st, store.Executions); len(items) != 1 {
		t.Errorf("listed %d executions", len(items))
	}
}
