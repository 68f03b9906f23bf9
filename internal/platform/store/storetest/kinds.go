package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// everyKind: each kind of object not covered elsewhere round-trips through its table, with the
// columns kept beside the document (a workflow's author and sealed headers), the audit log
// lists newest first, and a monitoring target goes with its workflow.
func everyKind(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	if n, err := q.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("users of an empty store: %d %v", n, err)
	}
	ada := newUser("ada@example.com")
	must(t, store.Users.Create(ctx, q, ada))
	if n, err := q.CountUsers(ctx); err != nil || n != 1 {
		t.Fatalf("users: %d %v, want 1", n, err)
	}

	integ := &api.Integration{ID: store.NewID("int"), Name: "crm", APIVersion: "v2", CodeRepo: "https://git.example.com/crm", Etag: store.NewETag()}
	must(t, store.Integrations.Create(ctx, q, integ))
	if err := store.Integrations.Create(ctx, q, &api.Integration{ID: store.NewID("int"), Name: "crm", Etag: store.NewETag()}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a second integration named crm: %v, want a conflict", err)
	}
	if got, err := store.Integrations.Get(ctx, q, integ.ID); err != nil || got.CodeRepo != integ.CodeRepo {
		t.Fatalf("integration: %+v %v", got, err)
	}

	app := newApp("orders", api.Production)
	must(t, store.Applications.Create(ctx, q, app))
	wf := newWorkflow(app.ID, "fulfil")
	must(t, store.Workflows.Create(ctx, q, wf, store.Column{Name: "saved_by", Value: ada.ID},
		store.Column{Name: "secret_headers_sealed", Value: "sealed-headers"}))
	if by, err := q.WorkflowSavedBy(ctx, wf.ID); err != nil || by != ada.ID {
		t.Fatalf("saved by: %q %v", by, err)
	}
	if sealed, err := q.WorkflowSecretHeaders(ctx, wf.ID); err != nil || sealed != "sealed-headers" {
		t.Fatalf("secret headers: %q %v", sealed, err)
	}
	if _, err := q.WorkflowSavedBy(ctx, "wf_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("saved by of a missing workflow: %v", err)
	}
	if n, err := q.CountSealedSecrets(ctx); err != nil || n != 1 {
		t.Fatalf("sealed secrets: %d %v, want 1", n, err)
	}

	limit := 0.05
	target := &api.MonitoringTarget{WorkflowID: wf.ID, Alerts: true, MaxErrorRate: &limit, Etag: store.NewETag()}
	must(t, store.MonitoringTargets.Create(ctx, q, target))
	if got, err := store.MonitoringTargets.Get(ctx, q, wf.ID); err != nil || got.MaxErrorRate == nil || *got.MaxErrorRate != limit {
		t.Fatalf("monitoring target: %+v %v", got, err)
	}
	must(t, store.Workflows.Delete(ctx, q, wf.ID, wf.Etag))
	if _, err := store.MonitoringTargets.Get(ctx, q, wf.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the target of a deleted workflow: %v, want ErrNotFound", err)
	}

	var want []string
	for i, action := range []string{"create", "update", "delete"} {
		e := api.AuditEvent{ID: store.NewID("aud"), At: time.Now().UTC().Add(time.Duration(i) * time.Millisecond), ActorID: ada.ID,
			Action: action, ObjectType: "integration", ObjectID: integ.ID}
		must(t, q.Audit(ctx, e))
		want = append([]string{e.ID}, want...)
	}
	must(t, q.Audit(ctx, api.AuditEvent{ID: store.NewID("aud"), At: time.Now().UTC(), ActorID: "usr_other", Action: "create",
		ObjectType: "application", ObjectID: app.ID}))
	events := listAll(t, st, store.AuditEvents, store.Eq("actor_id", ada.ID))
	if got := idsOf(events, func(e *api.AuditEvent) string { return e.ID }); !slices.Equal(got, want) {
		t.Fatalf("ada's audit events %v, want newest first %v", got, want)
	}
}
