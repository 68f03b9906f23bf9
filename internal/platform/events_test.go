package platform_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// receiver is a webhook receiver that verifies every delivery with the Standard Webhooks
// reference library, as a real one would.
type receiver struct {
	*httptest.Server
	t *testing.T

	mu sync.Mutex
	// secrets are the ones the receiver accepts (any one verifying suffices).
	secrets []string
	// answers are the statuses of the next answers; 204 once they run out.
	answers []int
	// accepted are the payloads answered 2xx, attempts every request's webhook-id.
	accepted []map[string]any
	attempts []string
	invalid  []string
}

func startReceiver(t *testing.T, answers ...int) *receiver {
	rc := &receiver{t: t, answers: answers}
	rc.Server = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.attempts = append(rc.attempts, r.Header.Get("webhook-id"))
	verified := false
	for _, s := range rc.secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil && wh.Verify(body, r.Header) == nil {
			verified = true
		}
	}
	if !verified || r.Header.Get("Content-Type") != "application/json" {
		rc.invalid = append(rc.invalid, r.Header.Get("webhook-id"))
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	status := http.StatusNoContent
	if len(rc.answers) > 0 {
		status, rc.answers = rc.answers[0], rc.answers[1:]
	}
	if status < 300 {
		var payload map[string]any
		_ = json.Unmarshal(body, &payload)
		rc.accepted = append(rc.accepted, payload)
	}
	w.WriteHeader(status)
}

func (rc *receiver) snapshot() (accepted []map[string]any, attempts, invalid []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.accepted), slices.Clone(rc.attempts), slices.Clone(rc.invalid)
}

// subscribe creates a webhook to the receiver and teaches the receiver its secret.
func (rc *receiver) subscribe(t *testing.T, c *api.ClientWithResponses, appID string, types ...string) api.Webhook {
	t.Helper()
	in := api.WebhookInput{EventTypes: types, CallbackURL: rc.URL + "/hooks"}
	if appID != "" {
		in.ApplicationID = &appID
	}
	wh := createWebhook(t, c, in)
	rc.mu.Lock()
	rc.secrets = append(rc.secrets, deref(wh.Secret))
	rc.mu.Unlock()
	return wh
}

func publish(t *testing.T, c *api.ClientWithResponses, in api.EventInput) api.Event {
	t.Helper()
	resp := must(c.PublishEventWithResponse(context.Background(), &api.PublishEventParams{}, in))
	if resp.JSON202 == nil {
		t.Fatalf("publish %s: %d %s", in.Type, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON202
}

// waitDelivery polls a webhook's deliveries until the one with id is no longer pending.
func waitDelivery(t *testing.T, c *api.ClientWithResponses, webhookID, id string) api.Delivery {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp := must(c.ListWebhookDeliveriesWithResponse(context.Background(), webhookID, &api.ListWebhookDeliveriesParams{}))
		if resp.JSON200 == nil {
			t.Fatalf("deliveries: %d %s", resp.StatusCode(), resp.Body)
		}
		for _, d := range resp.JSON200.Items {
			if d.ID == id && d.Status != api.DeliveryStatusPending {
				return d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s still pending: %s", id, resp.Body)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// counter is an event-triggered workflow that marks its document.
func counter(appID, name, eventType string) api.WorkflowInput {
	return api.WorkflowInput{ApplicationID: appID, Name: name, Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: &eventType},
		Steps: []api.WorkflowStep{{Name: "mark", Type: api.Transform,
			Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "seen_by", Expression: `"` + name + `"`}}}}}}
}

func TestEventFanOut(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		orders := createApp(t, c, "order-management")
		analytics := createApp(t, c, "analytics")
		ordersWF := createWorkflow(t, c, counter(orders, "on-order", "order.created"))
		analyticsWF := createWorkflow(t, c, counter(analytics, "count-orders", "order.created"))
		disabled := counter(orders, "disabled", "order.created")
		disabled.Enabled = ptr(false)
		createWorkflow(t, c, disabled)
		createWorkflow(t, c, counter(orders, "on-customer", "customer.updated"))

		platformRC, ordersRC, analyticsRC := startReceiver(t), startReceiver(t), startReceiver(t)
		platformHook := platformRC.subscribe(t, c, "", "*")
		ordersHook := ordersRC.subscribe(t, c, orders, "order.created")
		analyticsRC.subscribe(t, c, analytics, "order.created")
		otherRC := startReceiver(t)
		otherRC.subscribe(t, c, orders, "customer.updated")

		// An event of the order-management application reaches its workflow and webhook and
		// the platform-wide webhook; the analytics application's get nothing.
		data := map[string]any{"order_id": "A-1", "amount": 250.0}
		ev := publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &orders, Data: &data})
		if ev.ApplicationID != orders || ev.Type != "order.created" || len(ev.ExecutionIds) != 1 || len(ev.DeliveryIds) != 2 {
			t.Fatalf("event %s", mustJSON(t, ev))
		}
		exe := waitExecution(t, c, ev.ExecutionIds[0])
		if exe.WorkflowID != ordersWF.ID || exe.Status != api.ExecutionStatusSucceeded || exe.TriggerType != api.TriggerTypeEvent ||
			deref(exe.EventID) != ev.ID || mustJSON(t, exe.Input) != mustJSON(t, data) {
			t.Errorf("event-triggered execution %s", mustJSON(t, exe))
		}
		for _, hook := range []struct {
			rc *receiver
			id string
		}{{platformRC, platformHook.ID}, {ordersRC, ordersHook.ID}} {
			list := must(c.ListWebhookDeliveriesWithResponse(ctx, hook.id, &api.ListWebhookDeliveriesParams{}))
			if list.JSON200 == nil || len(list.JSON200.Items) != 1 || !slices.Contains(ev.DeliveryIds, list.JSON200.Items[0].ID) {
				t.Fatalf("deliveries of %s: %s", hook.id, list.Body)
			}
			id := list.JSON200.Items[0].ID
			if d := waitDelivery(t, c, hook.id, id); d.Status != api.DeliveryStatusSucceeded || d.EventID != ev.ID {
				t.Fatalf("delivery %s", mustJSON(t, d))
			}
			accepted, attempts, invalid := hook.rc.snapshot()
			if len(accepted) != 1 || len(invalid) != 0 || attempts[0] != id {
				t.Fatalf("receiver of %s: accepted %v, attempts %v, invalid %v", hook.id, accepted, attempts, invalid)
			}
			p := accepted[0]
			if p["type"] != "order.created" || p["event_id"] != ev.ID || p["application_id"] != orders ||
				mustJSON(t, p["data"]) != mustJSON(t, data) || p["timestamp"] == nil {
				t.Errorf("payload %v", p)
			}
		}
		if accepted, attempts, _ := analyticsRC.snapshot(); len(attempts) != 0 || len(accepted) != 0 {
			t.Errorf("the other application's webhook got %v", attempts)
		}

		// A platform-wide event reaches every application's workflows and every subscriber.
		pe := publish(t, c, api.EventInput{Type: "order.created"})
		if len(pe.ExecutionIds) != 2 || len(pe.DeliveryIds) != 3 {
			t.Fatalf("platform-wide event %s", mustJSON(t, pe))
		}
		var ran []string
		for _, id := range pe.ExecutionIds {
			ran = append(ran, waitExecution(t, c, id).WorkflowID)
		}
		slices.Sort(ran)
		want := []string{ordersWF.ID, analyticsWF.ID}
		slices.Sort(want)
		if !slices.Equal(ran, want) {
			t.Errorf("platform-wide event ran %v, want %v", ran, want)
		}

		// Event types, with their sources.
		types := must(c.ListEventTypesWithResponse(ctx))
		if types.JSON200 == nil {
			t.Fatalf("event types: %d", types.StatusCode())
		}
		got := map[string][]api.EventTypeSources{}
		for _, et := range types.JSON200.Items {
			got[et.Name] = et.Sources
		}
		wantTypes := map[string][]api.EventTypeSources{
			"order.created":    {api.EventTypeSourcesWorkflowTrigger, api.EventTypeSourcesWebhook, api.EventTypeSourcesPublished},
			"customer.updated": {api.EventTypeSourcesWorkflowTrigger, api.EventTypeSourcesWebhook},
		}
		if mustJSON(t, got) != mustJSON(t, wantTypes) {
			t.Errorf("event types\n got %s\nwant %s", mustJSON(t, got), mustJSON(t, wantTypes))
		}
	})
}

func TestPublishEventRefusals(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	ctx := context.Background()
	c := inst.Client
	orders := createApp(t, c, "order-management")
	analytics := createApp(t, c, "analytics")
	_, editorKey := inst.NewUser("editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: orders})
	_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: analytics})
	editor, viewer := inst.ClientFor(editorKey), inst.ClientFor(viewerKey)

	if resp := must(editor.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "order.created", ApplicationID: &orders})); resp.StatusCode() != http.StatusAccepted {
		t.Fatalf("editor publishing in their application: %d %s", resp.StatusCode(), resp.Body)
	}
	wantProblem(t, must(editor.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "order.created"})), http.StatusForbidden)
	wantProblem(t, must(editor.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "order.created", ApplicationID: &analytics})),
		http.StatusBadRequest, "application_id")
	wantProblem(t, must(viewer.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "order.created", ApplicationID: &analytics})),
		http.StatusForbidden)
	wantProblem(t, must(c.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "Order Created!"})), http.StatusBadRequest, "type")
	if n := countTable(t, inst, "events"); n != 1 {
		t.Errorf("%d events stored, want only the accepted one", n)
	}
	// The viewer of analytics sees no event types of order-management.
	types := must(viewer.ListEventTypesWithResponse(ctx))
	if types.JSON200 == nil || len(types.JSON200.Items) != 0 {
		t.Errorf("viewer event types: %s", types.Body)
	}
}

func countTable(t *testing.T, inst *platformtest.Instance, table string) int {
	t.Helper()
	var n int
	if err := dbQueryRow(t, inst, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

func TestDeliveryRetries(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		c := inst.Client
		app := createApp(t, c, "order-management")

		// Fails twice, then accepts: one accepted delivery, three attempts, one webhook-id.
		flaky := startReceiver(t, http.StatusInternalServerError, http.StatusBadGateway, http.StatusOK)
		hook := flaky.subscribe(t, c, app, "order.created")
		ev := publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &app, Data: &map[string]any{"order_id": "A-1"}})
		d := waitDelivery(t, c, hook.ID, ev.DeliveryIds[0])
		accepted, attempts, invalid := flaky.snapshot()
		if d.Status != api.DeliveryStatusSucceeded || len(d.Attempts) != 3 || d.DeliveredAt == nil || d.NextAttemptAt != nil {
			t.Fatalf("delivery %s", mustJSON(t, d))
		}
		var statuses []int
		for i, a := range d.Attempts {
			statuses = append(statuses, deref(a.ResponseStatus))
			if a.Number != i+1 || a.DurationMs == nil || (i > 0 && !a.At.After(d.Attempts[i-1].At)) {
				t.Errorf("attempt %d: %s", i, mustJSON(t, a))
			}
		}
		if !slices.Equal(statuses, []int{500, 502, 200}) || deref(d.Attempts[0].Error) == "" || d.Attempts[2].Error != nil {
			t.Errorf("attempts %s", mustJSON(t, d.Attempts))
		}
		// Each retry waited its turn of the schedule (fastRuntime: 20 ms, then 40 ms), less at
		// most the 20% of jitter; times are kept to the millisecond.
		for i, wait := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond} {
			if gap := d.Attempts[i+1].At.Sub(d.Attempts[i].At); gap < wait*8/10-time.Millisecond {
				t.Errorf("retry %d came %v after the attempt before it; the schedule says %v (±20%%)", i+1, gap, wait)
			}
		}
		if len(accepted) != 1 || len(invalid) != 0 || !slices.Equal(attempts, []string{d.ID, d.ID, d.ID}) {
			t.Errorf("receiver: accepted %d, attempts %v, invalid %v", len(accepted), attempts, invalid)
		}

		// Never accepting: the schedule (3 retries) runs out after 4 attempts.
		down := startReceiver(t, 503, 503, 503, 503, 503)
		downHook := down.subscribe(t, c, app, "order.cancelled")
		ev = publish(t, c, api.EventInput{Type: "order.cancelled", ApplicationID: &app})
		d = waitDelivery(t, c, downHook.ID, ev.DeliveryIds[0])
		if d.Status != api.DeliveryStatusFailed || len(d.Attempts) != 4 {
			t.Errorf("delivery to a receiver that is down: %s", mustJSON(t, d))
		}
	})
}

func TestDeliveryGoneDisablesWebhook(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		gone := startReceiver(t, http.StatusGone)
		hook := gone.subscribe(t, c, "", "order.created")
		ev := publish(t, c, api.EventInput{Type: "order.created"})
		d := waitDelivery(t, c, hook.ID, ev.DeliveryIds[0])
		if d.Status != api.DeliveryStatusFailed || len(d.Attempts) != 1 || deref(d.Attempts[0].ResponseStatus) != http.StatusGone {
			t.Fatalf("delivery %s", mustJSON(t, d))
		}
		got := must(c.GetWebhookWithResponse(ctx, hook.ID))
		if got.JSON200 == nil || got.JSON200.Active || !strings.Contains(deref(got.JSON200.DisabledReason), "410 Gone") || got.JSON200.Etag == hook.Etag {
			t.Fatalf("webhook after 410: %s", got.Body)
		}
		audit := must(c.ListAuditEventsWithResponse(ctx, &api.ListAuditEventsParams{ObjectID: &hook.ID}))
		if audit.JSON200 == nil || len(audit.JSON200.Items) == 0 || audit.JSON200.Items[0].ActorID != "system" ||
			audit.JSON200.Items[0].Action != "disable" || deref(audit.JSON200.Items[0].EtagAfter) != got.JSON200.Etag {
			t.Errorf("audit %s", audit.Body)
		}
		// An inactive webhook gets no more deliveries.
		if ev := publish(t, c, api.EventInput{Type: "order.created"}); len(ev.DeliveryIds) != 0 {
			t.Errorf("deliveries to a disabled webhook: %v", ev.DeliveryIds)
		}
	})
}

func TestDeliverySignedWithBothSecretsDuringRotation(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	ctx := context.Background()
	c := inst.Client
	rc := startReceiver(t)
	hook := rc.subscribe(t, c, "", "order.created")
	rotated := must(c.RotateWebhookSecretWithResponse(ctx, hook.ID, &api.RotateWebhookSecretParams{}, api.RotateSecretRequest{OverlapSeconds: ptr(3600)}))
	if rotated.JSON200 == nil {
		t.Fatalf("rotate: %d %s", rotated.StatusCode(), rotated.Body)
	}
	// During the overlap a receiver that still holds the old secret accepts deliveries, and so
	// does one that already switched to the new secret.
	for i, secret := range []string{deref(hook.Secret), deref(rotated.JSON200.Secret)} {
		rc.mu.Lock()
		rc.secrets = []string{secret}
		rc.mu.Unlock()
		ev := publish(t, c, api.EventInput{Type: "order.created"})
		if d := waitDelivery(t, c, hook.ID, ev.DeliveryIds[0]); d.Status != api.DeliveryStatusSucceeded {
			t.Fatalf("delivery %d: %s", i, mustJSON(t, d))
		}
	}
	if accepted, _, invalid := rc.snapshot(); len(accepted) != 2 || len(invalid) != 0 {
		t.Errorf("accepted %d, invalid %v", len(accepted), invalid)
	}
	// A receiver with neither secret refuses.
	rc.mu.Lock()
	rc.secrets = []string{"whsec_" + strings.Repeat("A", 43) + "="}
	rc.mu.Unlock()
	ev := publish(t, c, api.EventInput{Type: "order.created"})
	waitAttempts(t, rc, 3)
	if _, _, invalid := rc.snapshot(); len(invalid) != 1 || invalid[0] != ev.DeliveryIds[0] {
		t.Errorf("invalid %v", invalid)
	}
}

// waitAttempts waits until the receiver has been called n times.
func waitAttempts(t *testing.T, rc *receiver, n int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if _, attempts, _ := rc.snapshot(); len(attempts) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the receiver was not called %d times", n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestDeliveryRefusedByPolicyAtDeliveryTime(t *testing.T) {
	t.Parallel()
	// A webhook saved by a server that allows loopback, delivered by one that does not (one
	// database, as after a change of settings): refused when delivering.
	db := "sqlite://" + filepath.Join(t.TempDir(), "platform.db")
	saver := platformtest.Start(t, platformtest.WithDatabase(db), platformtest.WithConfig(func(c *platform.Config) { c.Workers = -1 }))
	platformtest.Start(t, platformtest.WithDatabase(db), fastRuntime(func(c *platform.Config) { c.AllowLoopbackCallbacks = false }))
	c := saver.Client
	rc := startReceiver(t)
	port := rc.URL[strings.LastIndex(rc.URL, ":"):]
	hook := createWebhook(t, c, api.WebhookInput{EventTypes: []string{"order.created"}, CallbackURL: "http://localhost" + port + "/hooks"})
	ev := publish(t, c, api.EventInput{Type: "order.created"})
	d := waitDelivery(t, c, hook.ID, ev.DeliveryIds[0])
	if d.Status != api.DeliveryStatusFailed || len(d.Attempts) != 1 || !strings.Contains(deref(d.Attempts[0].Error), "loopback") {
		t.Errorf("delivery to loopback: %s", mustJSON(t, d))
	}
	if _, attempts, _ := rc.snapshot(); len(attempts) != 0 {
		t.Errorf("the loopback receiver was called %d times", len(attempts))
	}
}
