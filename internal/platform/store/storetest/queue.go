package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func newExecution(workflowID string, queuedAt time.Time) api.Execution {
	return api.Execution{ID: store.NewID("exe"), WorkflowID: workflowID, Status: api.ExecutionStatusQueued,
		QueuedAt: queuedAt.UTC(), TriggerType: api.TriggerTypeManual, Input: map[string]any{}, Steps: []api.StepResult{}}
}

// claim takes the next queued execution and leases it to owner until until, in one
// transaction, as a worker does; "" when none is queued.
func claim(t *testing.T, st *store.Store, owner string, until time.Time) string {
	t.Helper()
	id := ""
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		row, err := q.NextQueuedExecution(ctx, nil)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		row.Execution.Status = api.ExecutionStatusRunning
		id = row.Execution.ID
		return q.StartExecution(ctx, row.Execution, store.Lease{Owner: owner, Until: until})
	})
	return id
}

// executionQueue: executions are claimed oldest first, once; a lease is renewed only by its
// owner; an expired lease makes the execution recoverable; counts follow the statuses.
func executionQueue(t *testing.T, st *store.Store) {
	ctx := context.Background()
	wf := seedWorkflows(t, st, 1)[0]
	now := time.Now()
	if err := st.Read().InsertExecution(ctx, newExecution("wf_missing", now), 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an execution of a missing workflow: %v, want ErrNotFound", err)
	}
	older, newer := newExecution(wf, now.Add(-time.Second)), newExecution(wf, now)
	must(t, st.Read().InsertExecution(ctx, newer, 2))
	must(t, st.Read().InsertExecution(ctx, older, 0))

	until := now.Add(time.Minute)
	if got := claim(t, st, "worker-a", until); got != older.ID {
		t.Fatalf("first claim took %q, want the oldest %s", got, older.ID)
	}
	if n, err := st.Read().CountExecutions(ctx, api.ExecutionStatusQueued); err != nil || n != 1 {
		t.Fatalf("queued: %d %v, want 1", n, err)
	}
	if got := claim(t, st, "worker-b", until); got != newer.ID {
		t.Fatalf("second claim took %q, want %s", got, newer.ID)
	}
	if got := claim(t, st, "worker-b", until); got != "" {
		t.Fatalf("a claim of an empty queue took %s", got)
	}
	if n, err := st.Read().CountExecutions(ctx, api.ExecutionStatusRunning); err != nil || n != 2 {
		t.Fatalf("running: %d %v, want 2", n, err)
	}

	var row *store.ExecutionRow
	tx(t, st, func(ctx context.Context, q *store.Q) (err error) {
		row, err = q.LockExecution(ctx, newer.ID)
		return err
	})
	if row.Depth != 2 || row.Lease == nil || row.Lease.Owner != "worker-b" || !row.Lease.Until.Equal(time.UnixMilli(until.UnixMilli())) ||
		row.Execution.Status != api.ExecutionStatusRunning {
		t.Fatalf("locked row: %+v lease %+v", row, row.Lease)
	}
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		if _, err := q.LockExecution(ctx, "exe_missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("locking a missing execution: %v, want ErrNotFound", err)
		}
		if _, _, err := q.LockExecutionLease(ctx, "exe_missing"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("locking a missing execution's lease: %v, want ErrNotFound", err)
		}
		return nil
	})

	// A server renews the leases it holds, and only those. LockExecutionLease reads the
	// status and lease that LockExecution reads.
	must(t, st.Read().RenewExecutionLeases(ctx, "worker-a", now.Add(2*time.Minute)))
	leaseOf := func(id string) *store.Lease {
		t.Helper()
		var row *store.ExecutionRow
		var status api.ExecutionStatus
		var lease *store.Lease
		tx(t, st, func(ctx context.Context, q *store.Q) (err error) {
			if row, err = q.LockExecution(ctx, id); err != nil {
				return err
			}
			status, lease, err = q.LockExecutionLease(ctx, id)
			return err
		})
		if status != row.Execution.Status || (lease == nil) != (row.Lease == nil) || (lease != nil && *lease != *row.Lease) {
			t.Fatalf("LockExecutionLease: %s %+v; LockExecution: %s %+v", status, lease, row.Execution.Status, row.Lease)
		}
		return row.Lease
	}
	if l := leaseOf(older.ID); l == nil || !l.Until.Equal(time.UnixMilli(now.Add(2*time.Minute).UnixMilli())) {
		t.Fatalf("worker-a's renewed lease: %+v", l)
	}
	if l := leaseOf(newer.ID); l == nil || !l.Until.Equal(time.UnixMilli(until.UnixMilli())) {
		t.Fatalf("worker-b's lease after worker-a renewed: %+v, want it unchanged", l)
	}

	// Progress is the document and a later lease end; the status and the owner stay.
	progress := row.Execution
	progress.Steps = []api.StepResult{{Name: "check", Status: api.StepResultStatusSucceeded}}
	must(t, st.Read().SaveProgress(ctx, progress, until.Add(time.Second)))
	if l := leaseOf(newer.ID); l == nil || l.Owner != "worker-b" || !l.Until.Equal(time.UnixMilli(until.Add(time.Second).UnixMilli())) {
		t.Fatalf("the lease after progress was saved: %+v, want worker-b's, a second later", l)
	}
	if got, err := store.Executions.Get(ctx, st.Read(), newer.ID); err != nil || got.Status != api.ExecutionStatusRunning ||
		len(got.Steps) != 1 || got.Steps[0].Name != "check" {
		t.Fatalf("the execution after progress was saved: %+v %v", got, err)
	}
	must(t, st.Read().SaveProgress(ctx, row.Execution, until)) // as it was, for what follows
	if err := st.Read().SaveProgress(ctx, newExecution(wf, now), until); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("saving the progress of a missing execution: %v, want ErrNotFound", err)
	}
	if err := st.Read().StartExecution(ctx, newExecution(wf, now), store.Lease{Owner: "worker-a", Until: until}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("starting a missing execution: %v, want ErrNotFound", err)
	}

	// A lease that expired is taken by the rescuer; a live one is not.
	expired := func(at time.Time) string {
		t.Helper()
		id := ""
		tx(t, st, func(ctx context.Context, q *store.Q) error {
			row, err := q.NextExpiredExecution(ctx, at)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err == nil {
				id = row.Execution.ID
			}
			return err
		})
		return id
	}
	if got := expired(now); got != "" {
		t.Fatalf("%s taken while its lease is live", got)
	}
	if got := expired(now.Add(90 * time.Second)); got != newer.ID {
		t.Fatalf("after worker-b's lease expired: %q, want %s", got, newer.ID)
	}

	finished := older
	finished.Status = api.ExecutionStatusSucceeded
	end := now.Add(time.Second).UTC()
	finished.FinishedAt = &end
	must(t, st.Read().UpdateExecution(ctx, finished, nil))
	if got, err := store.Executions.Get(ctx, st.Read(), older.ID); err != nil || got.Status != api.ExecutionStatusSucceeded {
		t.Fatalf("finished execution: %+v %v", got, err)
	}
	if err := st.Read().UpdateExecution(ctx, newExecution(wf, now), nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("updating a missing execution: %v, want ErrNotFound", err)
	}
	must(t, st.Read().RenewExecutionLeases(ctx, "worker-a", now.Add(time.Hour)))
	if l := leaseOf(older.ID); l != nil {
		t.Fatalf("renewing gave a finished execution a lease: %+v", l)
	}
}

// deliveryQueue: the delivery due longest is taken; a leased one is not taken again until its
// lease expires; only the lease's owner records the attempt.
func deliveryQueue(t *testing.T, st *store.Store) {
	ctx := context.Background()
	wh := &api.Webhook{ID: store.NewID("whk"), Active: true, EventTypes: []string{"*"}, Etag: store.NewETag()}
	must(t, store.Webhooks.Create(ctx, st.Read(), wh, store.WebhookSecrets{Current: "sealed"}.Columns()...))
	now := time.UnixMilli(time.Now().UnixMilli()).UTC()
	delivery := func(webhookID string, due time.Time) api.Delivery {
		return api.Delivery{ID: store.NewID("dlv"), WebhookID: webhookID, EventID: store.NewID("evt"), EventType: "order.created",
			Status: api.DeliveryStatusPending, CreatedAt: now, NextAttemptAt: &due}
	}
	if err := st.Read().InsertDelivery(ctx, delivery("whk_missing", now), "{}", &now); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a delivery to a missing webhook: %v, want ErrNotFound", err)
	}
	due, later := delivery(wh.ID, now.Add(-time.Second)), delivery(wh.ID, now.Add(time.Hour))
	must(t, st.Read().InsertDelivery(ctx, later, `{"n":2}`, later.NextAttemptAt))
	must(t, st.Read().InsertDelivery(ctx, due, `{"n":1}`, due.NextAttemptAt))

	next := func(at time.Time, lease *store.Lease) *store.DeliveryRow {
		t.Helper()
		var row *store.DeliveryRow
		tx(t, st, func(ctx context.Context, q *store.Q) error {
			r, err := q.NextDueDelivery(ctx, at, nil)
			if errors.Is(err, store.ErrNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			row = r
			if lease != nil {
				return q.LeaseDelivery(ctx, r.Delivery.ID, *lease)
			}
			return nil
		})
		return row
	}
	// HasDueDelivery, a worker's look before it claims, agrees with NextDueDelivery.
	has := func(at time.Time) bool {
		t.Helper()
		found, err := st.Read().HasDueDelivery(ctx, at, nil)
		must(t, err)
		return found
	}
	if !has(now) {
		t.Fatal("HasDueDelivery: false with a delivery due")
	}
	row := next(now, &store.Lease{Owner: "worker-a", Until: now.Add(time.Minute)})
	if row == nil || row.Delivery.ID != due.ID || row.Payload != `{"n":1}` || row.Delivery.Attempts == nil {
		t.Fatalf("first due delivery: %+v", row)
	}
	if row := next(now, nil); row != nil {
		t.Fatalf("%s taken while leased or not yet due", row.Delivery.ID)
	}
	if has(now) {
		t.Fatal("HasDueDelivery: true while the due delivery is leased and the other not yet due")
	}
	if !has(now.Add(2 * time.Minute)) {
		t.Fatal("HasDueDelivery: false after the lease expired")
	}
	if row := next(now.Add(2*time.Minute), nil); row == nil || row.Delivery.ID != due.ID {
		t.Fatalf("after the lease expired: %+v, want %s again", row, due.ID)
	}

	attempted := due
	attempted.Status = api.DeliveryStatusSucceeded
	attempted.NextAttemptAt = nil
	attempted.Attempts = []api.DeliveryAttempt{}
	if ok, err := st.Read().UpdateDelivery(ctx, attempted, "worker-b"); ok || err != nil {
		t.Fatalf("an attempt recorded by a worker without the lease: %v %v", ok, err)
	}
	if ok, err := st.Read().UpdateDelivery(ctx, attempted, "worker-a"); !ok || err != nil {
		t.Fatalf("the lease owner's attempt: %v %v", ok, err)
	}
	if n, err := st.Read().CountPendingDeliveries(ctx); err != nil || n != 1 {
		t.Fatalf("pending deliveries: %d %v, want 1", n, err)
	}
	if row := next(now.Add(2*time.Hour), nil); row == nil || row.Delivery.ID != later.ID {
		t.Fatalf("the later delivery when due: %+v", row)
	}
}

// scheduleFires: a slot fires once across replicas, never behind one already fired.
func scheduleFires(t *testing.T, st *store.Store) {
	ctx := context.Background()
	wf := seedWorkflows(t, st, 1)[0]
	q := st.Read()
	if last, err := q.LastScheduleFire(ctx, wf); last != nil || err != nil {
		t.Fatalf("before any fire: %v %v", last, err)
	}
	slot := time.UnixMilli(time.Now().UnixMilli()).UTC()
	cases := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"a first slot", slot, true},
		{"the same slot again", slot, false},
		{"an older slot", slot.Add(-time.Minute), false},
		{"the next slot", slot.Add(time.Minute), true},
	}
	for _, tc := range cases {
		if ok, err := q.ClaimScheduleFire(ctx, wf, tc.at); ok != tc.want || err != nil {
			t.Errorf("%s: %v %v, want %v", tc.name, ok, err, tc.want)
		}
	}
	if last, err := q.LastScheduleFire(ctx, wf); err != nil || last == nil || !last.Equal(slot.Add(time.Minute)) {
		t.Fatalf("last fire: %v %v", last, err)
	}
	if _, err := q.ClaimScheduleFire(ctx, "wf_missing", slot); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a fire of a missing workflow: %v, want ErrNotFound", err)
	}
}

// eventTypes: each source gives the distinct names among the objects its filters select,
// sorted; webhook subscriptions leave out the wildcard.
func eventTypes(t *testing.T, st *store.Store) {
	ctx := context.Background()
	orders, billing := newApp("orders", api.Production), newApp("billing", api.Production)
	triggered := func(appID, name, eventType string) *api.Workflow {
		wf := newWorkflow(appID, name)
		wf.Trigger = api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: &eventType}
		return wf
	}
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		errs := []error{store.Applications.Create(ctx, q, orders), store.Applications.Create(ctx, q, billing)}
		for _, wf := range []*api.Workflow{triggered(orders.ID, "a", "order.created"), triggered(orders.ID, "b", "order.created"),
			triggered(orders.ID, "c", "customer.updated"), triggered(billing.ID, "d", "invoice.paid")} {
			errs = append(errs, store.Workflows.Create(ctx, q, wf))
		}
		for _, h := range []*api.Webhook{
			{ID: store.NewID("whk"), ApplicationID: orders.ID, EventTypes: []string{"order.shipped", "*"}, Etag: store.NewETag()},
			{ID: store.NewID("whk"), ApplicationID: billing.ID, EventTypes: []string{"invoice.sent"}, Etag: store.NewETag()},
		} {
			errs = append(errs, store.Webhooks.Create(ctx, q, h, store.WebhookSecrets{Current: "s"}.Columns()...),
				q.SetWebhookEventTypes(ctx, h.ID, h.EventTypes))
		}
		for _, e := range []api.Event{
			{ID: store.NewID("evt"), Type: "order.refunded", ApplicationID: orders.ID, PublishedAt: time.Now()},
			{ID: store.NewID("evt"), Type: "invoice.voided", ApplicationID: billing.ID, PublishedAt: time.Now()},
		} {
			errs = append(errs, q.InsertEvent(ctx, e, e))
		}
		return errors.Join(errs...)
	})
	ofOrders := []store.Filter{store.In("application_id", []string{orders.ID})}
	cases := []struct {
		name    string
		source  store.EventTypeSource
		filters []store.Filter
		want    []string
	}{
		{"every trigger", store.SourceTriggers, nil, []string{"customer.updated", "invoice.paid", "order.created"}},
		{"readable triggers", store.SourceTriggers, []store.Filter{store.ReadableWorkflows([]string{orders.ID}, nil)},
			[]string{"customer.updated", "order.created"}},
		{"every subscription", store.SourceWebhooks, nil, []string{"invoice.sent", "order.shipped"}},
		{"an application's subscriptions", store.SourceWebhooks, ofOrders, []string{"order.shipped"}},
		{"every published event", store.SourcePublished, nil, []string{"invoice.voided", "order.refunded"}},
		{"an application's published events", store.SourcePublished, ofOrders, []string{"order.refunded"}},
		{"nothing readable", store.SourcePublished, []store.Filter{store.In("application_id", nil)}, nil},
	}
	for _, tc := range cases {
		got, err := st.Read().EventTypes(ctx, tc.source, tc.filters)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, err, tc.want)
		}
	}
}

// fairClaims: claims are fair per application: the next claim takes the oldest queued
// execution of the application with the fewest running, ties to the one waiting longest, and
// never one of an application the caller lists as full. A server finds the executions it holds
// that were canceled (their lease kept until the worker lets go) by its owner name.
func fairClaims(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	base := time.Now().UTC().Truncate(time.Millisecond).Add(-time.Hour)
	workflow, appID := map[string]string{}, map[string]string{}
	for _, name := range []string{"noisy", "quiet", "other"} {
		app := newApp(name, api.Production)
		if err := store.Applications.Create(ctx, q, app); err != nil {
			t.Fatal(err)
		}
		wf := api.Workflow{ID: store.NewID("wf"), ApplicationID: app.ID, Name: name, Version: "1.0.0", Enabled: true,
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Etag: store.NewETag(), LastModified: base}
		if err := store.Workflows.Create(ctx, q, &wf); err != nil {
			t.Fatal(err)
		}
		workflow[name], appID[name] = wf.ID, app.ID
	}
	names := map[string]string{}
	queue := func(name string, n int) {
		exe := api.Execution{ID: store.NewID("exe"), WorkflowID: workflow[name], Status: api.ExecutionStatusQueued,
			TriggerType: api.TriggerTypeManual, Input: map[string]any{}, Steps: []api.StepResult{}, QueuedAt: base.Add(time.Duration(n) * time.Second)}
		if err := q.InsertExecution(ctx, exe, 0); err != nil {
			t.Fatal(err)
		}
		names[exe.ID] = name
	}
	// The noisy application queued first, and most.
	queue("noisy", 0)
	queue("noisy", 1)
	queue("noisy", 2)
	queue("quiet", 3)
	queue("other", 4)

	lease := &store.Lease{Owner: "srv_test", Until: time.Now().Add(time.Minute)}
	claim := func(full ...string) (string, error) {
		var got string
		err := st.Tx(ctx, func(q *store.Q) error {
			row, err := q.NextQueuedExecution(ctx, full)
			if err != nil {
				return err
			}
			row.Execution.Status = api.ExecutionStatusRunning
			got = row.Execution.ID
			return q.UpdateExecution(ctx, row.Execution, lease)
		})
		return got, err
	}
	var order []string
	for range 4 {
		id, err := claim()
		if err != nil {
			t.Fatal(err)
		}
		order = append(order, names[id])
	}
	// Ties go to the oldest (noisy); then the applications running nothing come first.
	if want := []string{"noisy", "quiet", "other", "noisy"}; !slices.Equal(order, want) {
		t.Errorf("claimed %v, want %v", order, want)
	}
	// HasQueuedExecution, a worker's look before it claims, agrees with the claims below.
	has := func(full ...string) bool {
		t.Helper()
		found, err := q.HasQueuedExecution(ctx, full)
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	if has(appID["noisy"]) || !has() || !has(appID["quiet"], appID["other"]) {
		t.Errorf("HasQueuedExecution with only the noisy application's work waiting: %v when it is full, %v with none full, %v with the others full; want false, true, true",
			has(appID["noisy"]), has(), has(appID["quiet"], appID["other"]))
	}
	// A full application is passed over, even when only it has work waiting.
	if _, err := claim(appID["noisy"]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim with the noisy application full: %v, want ErrNotFound", err)
	}
	last, err := claim(appID["quiet"], appID["other"])
	if err != nil || names[last] != "noisy" {
		t.Fatalf("last claim: %s %v", names[last], err)
	}
	if _, err := claim(); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("claim from an empty queue: %v, want ErrNotFound", err)
	}
	if has() {
		t.Error("HasQueuedExecution: true with the queue empty")
	}

	// A cancel keeps the lease until the worker lets go: the server finds it by owner.
	row, err := q.LockExecution(ctx, last)
	if err != nil {
		t.Fatal(err)
	}
	row.Execution.Status = api.ExecutionStatusCanceled
	if err := q.UpdateExecution(ctx, row.Execution, row.Lease); err != nil {
		t.Fatal(err)
	}
	if ids, err := q.CanceledExecutions(ctx, "srv_test"); err != nil || !slices.Equal(ids, []string{last}) {
		t.Errorf("canceled executions %v %v, want [%s]", ids, err, last)
	}
	if ids, err := q.CanceledExecutions(ctx, "srv_other"); err != nil || len(ids) != 0 {
		t.Errorf("another server's canceled executions %v %v, want none", ids, err)
	}
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	if err := q.RenewExecutionLeases(ctx, "srv_test", until); err != nil {
		t.Fatal(err)
	}
	for id := range names {
		row, err := q.LockExecution(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		renewed := row.Lease != nil && row.Lease.Until.Equal(until)
		if renewed != (row.Execution.Status == api.ExecutionStatusRunning) {
			t.Errorf("execution %s (%s): lease %+v after renewal", id, row.Execution.Status, row.Lease)
		}
	}
}

// groupedWrites: writes made through a store.Group while another holds its transaction are
// each made once, and one that fails fails alone: the others' outcomes are recorded and its
// delivery stays leased and pending. (Whether they share a transaction is timing; the store's
// internal tests check that they do.)
func groupedWrites(t *testing.T, st *store.Store) {
	ctx := context.Background()
	wh := &api.Webhook{ID: store.NewID("whk"), Active: true, EventTypes: []string{"*"}, Etag: store.NewETag()}
	must(t, store.Webhooks.Create(ctx, st.Read(), wh, store.WebhookSecrets{Current: "sealed"}.Columns()...))
	now := time.UnixMilli(time.Now().UnixMilli()).UTC()
	lease := store.Lease{Owner: "worker-a", Until: now.Add(time.Minute)}
	deliveries := make([]api.Delivery, 4)
	for i := range deliveries {
		d := api.Delivery{ID: store.NewID("dlv"), WebhookID: wh.ID, EventID: store.NewID("evt"), EventType: "order.created",
			Status: api.DeliveryStatusPending, CreatedAt: now, NextAttemptAt: &now, Attempts: []api.DeliveryAttempt{}}
		must(t, st.Read().InsertDelivery(ctx, d, "{}", &now))
		must(t, st.Read().LeaseDelivery(ctx, d.ID, lease))
		deliveries[i] = d
	}
	record := func(d api.Delivery, fail error) func(q *store.Q) error {
		d.Status, d.NextAttemptAt = api.DeliveryStatusSucceeded, nil
		return func(q *store.Q) error {
			held, err := q.UpdateDelivery(ctx, d, lease.Owner)
			if err == nil && !held {
				err = errors.New("the lease was not held")
			}
			if err != nil {
				return err
			}
			return fail
		}
	}

	g := store.NewGroup(st)
	refused := errors.New("refused")
	entered, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- g.Tx(ctx, func(q *store.Q) error {
			select {
			case <-entered: // made again alone, after a shared transaction failed
			default:
				close(entered)
			}
			<-release
			return record(deliveries[0], nil)(q)
		})
	}()
	<-entered
	errs := make([]error, 3)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for i, fail := range []error{nil, refused, nil} {
			wg.Go(func() { errs[i] = g.Tx(ctx, record(deliveries[i+1], fail)) })
		}
		wg.Wait()
	}()
	time.Sleep(50 * time.Millisecond) // let them queue behind the first
	close(release)
	must(t, <-first)
	<-done
	for i, want := range []error{nil, refused, nil} {
		if !errors.Is(errs[i], want) {
			t.Errorf("grouped write %d: %v, want %v", i+1, errs[i], want)
		}
	}
	for i, d := range deliveries {
		got, err := store.Deliveries.Get(ctx, st.Read(), d.ID)
		must(t, err)
		want := api.DeliveryStatusSucceeded
		if i == 2 {
			want = api.DeliveryStatusPending // its write failed, and only its write
		}
		if got.Status != want {
			t.Errorf("delivery %d: %s, want %s", i, got.Status, want)
		}
	}
	if n, err := st.Read().CountPendingDeliveries(ctx); err != nil || n != 1 {
		t.Fatalf("pending deliveries: %d %v, want 1", n, err)
	}
}
