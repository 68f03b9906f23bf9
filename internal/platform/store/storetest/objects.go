package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func appID(a *api.Application) string             { return a.ID }
func workflowID(w *api.Workflow) string           { return w.ID }
func executionID(e *api.Execution) string         { return e.ID }
func policyID(p *api.ClassificationPolicy) string { return p.ID }
func grantID(r *api.RoleAssignment) string        { return r.ID }

// objectsCRUD: create, get, etag-conditional update and delete, and a name free again after
// its object is deleted.
func objectsCRUD(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	app := newApp("orders", api.Production)
	must(t, store.Applications.Create(ctx, q, app))
	var ce *store.ConflictError
	err := store.Applications.Create(ctx, q, newApp("orders", api.Production))
	if !errors.As(err, &ce) || ce.ExistingID != app.ID || !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate create: %v, want a conflict naming %s", err, app.ID)
	}
	if err := store.Applications.Create(ctx, q, newApp("orders", api.Staging)); err != nil {
		t.Fatalf("same name in another environment: %v", err)
	}
	got, err := store.Applications.Get(ctx, q, app.ID)
	if err != nil || got.Name != "orders" || got.Etag != app.Etag {
		t.Fatalf("get: %+v %v", got, err)
	}
	if _, err := store.Applications.Get(ctx, q, "app_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get of a missing id: %v, want ErrNotFound", err)
	}
	// Updates are conditional on the etag the change was based on.
	prev := app.Etag
	app.Version, app.Etag = "1.1.0", store.NewETag()
	if err := store.Applications.Update(ctx, q, app, "stale"); !errors.Is(err, store.ErrPreconditionFailed) {
		t.Fatalf("update with a stale etag: %v, want ErrPreconditionFailed", err)
	}
	if err := store.Applications.Update(ctx, q, app, prev); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Applications.Get(ctx, q, app.ID); err != nil || got.Version != "1.1.0" || got.Etag != app.Etag {
		t.Fatalf("get after update: %+v %v", got, err)
	}
	missing := newApp("nowhere", api.Production)
	if err := store.Applications.Update(ctx, q, missing, missing.Etag); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("update of a missing object: %v, want ErrNotFound", err)
	}
	if err := store.Applications.Delete(ctx, q, app.ID, prev); !errors.Is(err, store.ErrPreconditionFailed) {
		t.Fatalf("delete with an old etag: %v", err)
	}
	if err := store.Applications.Delete(ctx, q, app.ID, app.Etag); err != nil {
		t.Fatal(err)
	}
	if err := store.Applications.Delete(ctx, q, app.ID, ""); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("second delete: %v, want ErrNotFound", err)
	}
	if _, err := store.Applications.Get(ctx, q, app.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := store.Applications.Create(ctx, q, newApp("orders", api.Production)); err != nil {
		t.Fatalf("reuse of a deleted name: %v", err)
	}
}

// uniqueNames: each kind's uniqueness rule holds on create and on update, names the object in
// the way, and is scoped as documented (workflows per application, user emails regardless of
// case).
func uniqueNames(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	orders, billing := newApp("orders", api.Production), newApp("billing", api.Production)
	must(t, store.Applications.Create(ctx, q, orders))
	must(t, store.Applications.Create(ctx, q, billing))
	first := newWorkflow(orders.ID, "fulfil")
	must(t, store.Workflows.Create(ctx, q, first))
	var ce *store.ConflictError
	if err := store.Workflows.Create(ctx, q, newWorkflow(orders.ID, "fulfil")); !errors.As(err, &ce) || ce.ExistingID != first.ID {
		t.Fatalf("same workflow name in one application: %v, want a conflict naming %s", err, first.ID)
	}
	if err := store.Workflows.Create(ctx, q, newWorkflow(billing.ID, "fulfil")); err != nil {
		t.Fatalf("same workflow name in another application: %v", err)
	}
	second := newWorkflow(orders.ID, "refund")
	must(t, store.Workflows.Create(ctx, q, second))
	prev := second.Etag
	second.Name, second.Etag = "fulfil", store.NewETag()
	if err := store.Workflows.Update(ctx, q, second, prev); !errors.As(err, &ce) || ce.ExistingID != first.ID {
		t.Fatalf("renaming onto a taken name: %v, want a conflict naming %s", err, first.ID)
	}
	if got, _ := store.Workflows.Get(ctx, q, second.ID); got == nil || got.Name != "refund" {
		t.Fatalf("the refused rename was stored: %+v", got)
	}

	ada := newUser("ada@example.com")
	must(t, store.Users.Create(ctx, q, ada))
	if err := store.Users.Create(ctx, q, newUser("Ada@Example.COM")); !errors.As(err, &ce) || ce.ExistingID != ada.ID {
		t.Fatalf("the same email in other case: %v, want a conflict naming %s", err, ada.ID)
	}
	grant := newGrant(ada.ID, api.Viewer, api.ScopeTypeApplication, orders.ID)
	must(t, store.RoleAssignments.Create(ctx, q, grant))
	if err := store.RoleAssignments.Create(ctx, q, newGrant(ada.ID, api.Viewer, api.ScopeTypeApplication, orders.ID)); !errors.As(err, &ce) || ce.ExistingID != grant.ID {
		t.Fatalf("the same grant twice: %v, want a conflict naming %s", err, grant.ID)
	}
}

// referencesRestrictDelete: an object others refer to cannot be deleted, and an object cannot
// refer to one that does not exist; both are conflicts, not database errors.
func referencesRestrictDelete(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	app := newApp("orders", api.Production)
	must(t, store.Applications.Create(ctx, q, app))
	wf := newWorkflow(app.ID, "fulfil")
	must(t, store.Workflows.Create(ctx, q, wf))
	if err := store.Applications.Delete(ctx, q, app.ID, ""); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("deleting an application with a workflow: %v, want a conflict", err)
	}
	if err := store.Workflows.Create(ctx, q, newWorkflow("app_missing", "orphan")); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a workflow of a missing application: %v, want a conflict", err)
	}
	must(t, store.Workflows.Delete(ctx, q, wf.ID, wf.Etag))
	must(t, store.Applications.Delete(ctx, q, app.ID, app.Etag))
}

// pagination: every page size walks the whole list in id order, without gaps or repeats, with
// and without a filter; a token this server did not issue is refused.
func pagination(t *testing.T, st *store.Store) {
	ctx := context.Background()
	const n = 2500
	want := map[string]api.Environment{}
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		for i := range n {
			env := api.Production
			if i%3 == 0 {
				env = api.Staging
			}
			app := newApp(fmt.Sprintf("app-%04d", i), env)
			want[app.ID] = env
			if err := store.Applications.Create(ctx, q, app); err != nil {
				return err
			}
		}
		return nil
	})
	cases := []struct {
		name    string
		size    int
		filters []store.Filter
		env     api.Environment
	}{
		{"pages of 100", 100, nil, ""},
		{"pages of 1000", 1000, nil, ""},
		{"odd page size", 333, nil, ""},
		{"no size asked", 0, nil, ""},
		{"more than the maximum asked", 5000, nil, ""},
		{"filtered by environment", 100, []store.Filter{store.Eq("environment", string(api.Staging))}, api.Staging},
	}
	for _, tc := range cases {
		limit := tc.size
		if limit <= 0 {
			limit = 100
		}
		limit = min(limit, store.MaxPageSize)
		seen := map[string]bool{}
		token, pages, last := "", 0, ""
		for {
			items, next, err := store.Applications.List(ctx, st.Read(), tc.filters, store.Page{Size: tc.size, Token: token})
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			pages++
			if len(items) > limit || (next != "" && len(items) != limit) {
				t.Fatalf("%s: page %d of %d items (next %q), pages hold %d", tc.name, pages, len(items), next, limit)
			}
			for _, a := range items {
				if seen[a.ID] {
					t.Fatalf("%s: %s returned twice", tc.name, a.ID)
				}
				if a.ID <= last {
					t.Fatalf("%s: %s out of order after %s", tc.name, a.ID, last)
				}
				seen[a.ID], last = true, a.ID
			}
			if next == "" {
				break
			}
			token = next
		}
		expected := 0
		for id, env := range want {
			if tc.env == "" || env == tc.env {
				expected++
				if !seen[id] {
					t.Fatalf("%s: %s never listed", tc.name, id)
				}
			}
		}
		if len(seen) != expected {
			t.Fatalf("%s: saw %d objects in %d pages, want %d", tc.name, len(seen), pages, expected)
		}
	}
	if _, _, err := store.Applications.List(ctx, st.Read(), nil, store.Page{Token: "not-a-token"}); !errors.Is(err, store.ErrBadPageToken) {
		t.Fatalf("bad page token: %v", err)
	}
}

// newestFirst: executions list newest first, across pages.
func newestFirst(t *testing.T, st *store.Store) {
	ctx := context.Background()
	wf := seedWorkflows(t, st, 1)[0]
	var want []string
	for i := range 5 {
		e := newExecution(wf, time.Now().Add(time.Duration(i)*time.Second))
		must(t, st.Read().InsertExecution(ctx, e, 0))
		want = append([]string{e.ID}, want...)
	}
	var got []string
	token := ""
	for {
		items, next, err := store.Executions.List(ctx, st.Read(), nil, store.Page{Size: 2, Token: token})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, idsOf(items, executionID)...)
		if next == "" {
			break
		}
		token = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("executions listed %v, want newest first %v", got, want)
	}
}

// filters: each named filter matches what its name says, filters combine with AND, and the
// zero Filter matches nothing.
func filters(t *testing.T, st *store.Store) {
	orders, billing := newApp("orders", api.Production), newApp("billing", api.Staging)
	emits := []api.WorkflowStep{{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.shipped"}}}
	a1, a2, b1 := newWorkflow(orders.ID, "a1", emits...), newWorkflow(orders.ID, "a2"), newWorkflow(billing.ID, "b1")
	policy := func(name, appID string) *api.ClassificationPolicy {
		return &api.ClassificationPolicy{ID: store.NewID("cls"), Name: name, ApplicationID: appID, Level: api.Confidential,
			FieldPatterns: []string{"email"}, Etag: store.NewETag()}
	}
	everywhere, ofOrders, ofBilling := policy("everywhere", ""), policy("orders-pii", orders.ID), policy("billing-pii", billing.ID)
	execs := map[string]string{}
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		for _, a := range []*api.Application{orders, billing} {
			if err := store.Applications.Create(ctx, q, a); err != nil {
				return err
			}
		}
		for _, w := range []*api.Workflow{a1, a2, b1} {
			if err := store.Workflows.Create(ctx, q, w); err != nil {
				return err
			}
			e := newExecution(w.ID, time.Now())
			if err := q.InsertExecution(ctx, e, 0); err != nil {
				return err
			}
			execs[w.ID] = e.ID
		}
		for _, p := range []*api.ClassificationPolicy{everywhere, ofOrders, ofBilling} {
			if err := store.ClassificationPolicies.Create(ctx, q, p); err != nil {
				return err
			}
		}
		return nil
	})
	sorted := func(ids ...string) []string { return slices.Sorted(slices.Values(ids)) }
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(sorted(got...), sorted(want...)) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
	}
	check("Eq", idsOf(listAll(t, st, store.Applications, store.Eq("environment", string(api.Staging))), appID), []string{billing.ID})
	check("the zero Filter", idsOf(listAll(t, st, store.Applications, store.Filter{}), appID), nil)
	check("PlatformWide", idsOf(listAll(t, st, store.ClassificationPolicies, store.PlatformWide()), policyID), []string{everywhere.ID})
	check("PlatformWideOr", idsOf(listAll(t, st, store.ClassificationPolicies, store.PlatformWideOr(orders.ID)), policyID),
		[]string{everywhere.ID, ofOrders.ID})
	check("EmittingWorkflows", idsOf(listAll(t, st, store.Workflows, store.EmittingWorkflows()), workflowID), []string{a1.ID})
	readable := []struct {
		name       string
		apps, wfs  []string
		want       []string
		executions []string
	}{
		{"an application", []string{orders.ID}, nil, []string{a1.ID, a2.ID}, []string{execs[a1.ID], execs[a2.ID]}},
		{"a workflow", nil, []string{b1.ID}, []string{b1.ID}, []string{execs[b1.ID]}},
		{"both", []string{orders.ID}, []string{b1.ID}, []string{a1.ID, a2.ID, b1.ID}, []string{execs[a1.ID], execs[a2.ID], execs[b1.ID]}},
		{"neither", nil, []string{}, nil, nil},
	}
	for _, tc := range readable {
		f := store.ReadableWorkflows(tc.apps, tc.wfs)
		check("ReadableWorkflows, "+tc.name, idsOf(listAll(t, st, store.Workflows, f), workflowID), tc.want)
		check("OfWorkflows, "+tc.name, idsOf(listAll(t, st, store.Executions, store.OfWorkflows(f)), executionID), tc.executions)
	}
	check("filters combine with AND", idsOf(listAll(t, st, store.Workflows,
		store.ReadableWorkflows([]string{orders.ID}, []string{b1.ID}), store.Eq("name", "b1")), workflowID), []string{b1.ID})
	check("OfWorkflows of the zero Filter", idsOf(listAll(t, st, store.Executions, store.OfWorkflows(store.Filter{})), executionID), nil)
}

// inLists: an In filter matches exactly the listed ids that exist, whatever the length of the
// list (none, one, several, more than either database's limit on parameters of one
// statement), with duplicates and with values that would be SQL if spliced into the text.
func inLists(t *testing.T, st *store.Store) {
	var apps []string
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		for i := range 5 {
			a := newApp(fmt.Sprintf("app-%d", i), api.Production)
			if err := store.Applications.Create(ctx, q, a); err != nil {
				return err
			}
			apps = append(apps, a.ID)
		}
		return nil
	})
	unknown := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = store.NewID("app")
		}
		return out
	}
	cases := []struct {
		name string
		ids  []string
		want []string
	}{
		{"nil", nil, nil},
		{"empty", []string{}, nil},
		{"one", apps[2:3], apps[2:3]},
		{"several", apps[1:4], apps[1:4]},
		{"duplicates", []string{apps[0], apps[0], apps[4]}, []string{apps[0], apps[4]}},
		{"1,500 ids, 2 known", append(unknown(1498), apps[3], apps[1]), []string{apps[1], apps[3]}},
		{"70,000 ids, past every parameter limit", append(unknown(70000), apps...), apps},
		{"SQL in a value", []string{"x') OR 1=1 --", `x" OR "1"="1`, "' OR ''='"}, nil},
	}
	for _, tc := range cases {
		got := idsOf(listAll(t, st, store.Applications, store.In("id", tc.ids)), appID)
		if !slices.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("In(id, %s): got %v, want %v", tc.name, got, tc.want)
		}
	}
	// The named filters built on In take long lists too.
	many := append(unknown(3000), apps[0])
	if got := listAll(t, st, store.Workflows, store.ReadableWorkflows(many, many)); len(got) != 0 {
		t.Errorf("ReadableWorkflows of 3,001 ids: %d workflows, want none", len(got))
	}
}
