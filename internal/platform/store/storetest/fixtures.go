package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func newApp(name string, env api.Environment) *api.Application {
	now := time.Now().UTC()
	return &api.Application{ID: store.NewID("app"), Name: name, Environment: env, Version: "1.0.0",
		Labels: api.Labels{}, Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
}

func newWorkflow(appID, name string, steps ...api.WorkflowStep) *api.Workflow {
	if steps == nil {
		steps = []api.WorkflowStep{}
	}
	return &api.Workflow{ID: store.NewID("wf"), ApplicationID: appID, Name: name, Version: "1.0.0", Enabled: true,
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: steps, Etag: store.NewETag()}
}

func newUser(email string) *api.User {
	now := time.Now().UTC()
	return &api.User{ID: store.NewID("usr"), Email: email, DisplayName: email, Active: true, Etag: store.NewETag(),
		CreatedAt: now, UpdatedAt: now}
}

func newGrant(userID string, role api.Role, scopeType api.ScopeType, scopeID string) *api.RoleAssignment {
	sc := api.Scope{Type: scopeType}
	if scopeID != "" {
		sc.ID = &scopeID
	}
	return &api.RoleAssignment{ID: store.NewID("ra"), UserID: userID, Role: role, Scope: sc, Etag: store.NewETag(),
		CreatedAt: time.Now().UTC()}
}

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tx runs fn in one transaction of st and fails the test on its error.
func tx(t *testing.T, st *store.Store, fn func(ctx context.Context, q *store.Q) error) {
	t.Helper()
	ctx := context.Background()
	must(t, st.Tx(ctx, func(q *store.Q) error { return fn(ctx, q) }))
}

// seedWorkflows stores an application with n workflows and returns their ids.
func seedWorkflows(t *testing.T, st *store.Store, n int) []string {
	t.Helper()
	ids := make([]string, n)
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		app := newApp("order-management", api.Production)
		if err := store.Applications.Create(ctx, q, app); err != nil {
			return err
		}
		for i := range ids {
			wf := newWorkflow(app.ID, fmt.Sprintf("workflow-%d", i))
			if err := store.Workflows.Create(ctx, q, wf); err != nil {
				return err
			}
			ids[i] = wf.ID
		}
		return nil
	})
	return ids
}

// listAll lists every object of kind matching filters, in list order.
func listAll[T any](t *testing.T, st *store.Store, kind *store.Kind[T], filters ...store.Filter) []T {
	t.Helper()
	var out []T
	token := ""
	for {
		items, next, err := kind.List(context.Background(), st.Read(), filters, store.Page{Size: store.MaxPageSize, Token: token})
		if err != nil {
			t.Fatalf("listing %s: %v", kind.Table, err)
		}
		out = append(out, items...)
		if next == "" {
			return out
		}
		token = next
	}
}

// idsOf returns the ids of objects, in order.
func idsOf[T any](objs []T, id func(*T) string) []string {
	out := []string{}
	for i := range objs {
		out = append(out, id(&objs[i]))
	}
	return out
}
