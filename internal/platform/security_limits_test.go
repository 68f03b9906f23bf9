package platform_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// TestSecurityRequestLimits: request bodies over 1 MiB are refused with 413 before any
// handler runs, for objects and for published events (which bounds every webhook payload,
// since a delivery carries the event's data), and nothing is stored; list pages are at most
// 1000 items; a workflow has at most 50 steps; an http step's timeout is at most 60 s.
func TestSecurityRequestLimits(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	key := inst.OwnerKey
	app := createApp(t, inst.Client, "limits")
	big := strings.Repeat("x", 1<<20)

	for _, tc := range []struct {
		name, path, table string
		body              any
	}{
		{"application", "/applications", "applications", map[string]any{"name": "big", "environment": "production", "version": "1.0.0", "description": big}},
		{"event (webhook payload)", "/events", "events", map[string]any{"type": "order.created", "data": map[string]any{"blob": big}}},
	} {
		before := countTable(t, inst, tc.table)
		status, body := secCall(t, inst, key, "POST", tc.path, tc.body)
		if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "1048576") {
			t.Errorf("%s over 1 MiB: %d %.300s, want 413 naming the limit", tc.name, status, body)
		}
		if after := countTable(t, inst, tc.table); after != before {
			t.Errorf("%s over 1 MiB: %d rows stored", tc.name, after-before)
		}
	}
	// Just under the limit an event is accepted, so the limit is what refused the one above.
	status, body := secCall(t, inst, key, "POST", "/events", map[string]any{"type": "order.created", "data": map[string]any{"blob": big[:1<<19]}})
	if status != http.StatusAccepted {
		t.Errorf("event of 512 KiB: %d %.300s, want 202", status, body)
	}

	for _, tc := range []struct {
		query string
		want  int
	}{{"page_size=1000", 200}, {"page_size=1001", 400}, {"page_size=0", 400}} {
		status, body := secCall(t, inst, key, "GET", "/applications?"+tc.query, nil)
		if status != tc.want || (tc.want == 400 && !strings.Contains(body, "page_size")) {
			t.Errorf("GET /applications?%s: %d %.300s, want %d", tc.query, status, body, tc.want)
		}
	}

	steps := func(n int) []api.WorkflowStep {
		out := make([]api.WorkflowStep, n)
		for i := range out {
			out[i] = api.WorkflowStep{Name: fmt.Sprintf("step-%d", i), Type: api.Validate, Validate: &api.ValidateStep{Expression: "true", Message: "m"}}
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		steps []api.WorkflowStep
		want  int
		field string
	}{
		{"50 steps", steps(50), 201, ""},
		{"51 steps", steps(51), 400, "steps"},
		{"http timeout 60 s", []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.GET, URL: "https://crm.example.com", TimeoutMs: ptr(60000)}}}, 201, ""},
		{"http timeout over 60 s", []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.GET, URL: "https://crm.example.com", TimeoutMs: ptr(60001)}}}, 400, "timeout_ms"},
	} {
		in := api.WorkflowInput{ApplicationID: app, Name: strings.ReplaceAll(tc.name, " ", "-"), Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: tc.steps}
		status, body := secCall(t, inst, key, "POST", "/workflows", in)
		if status != tc.want || !strings.Contains(body, tc.field) {
			t.Errorf("workflow with %s: %d %.300s, want %d naming %q", tc.name, status, body, tc.want, tc.field)
		}
	}
}

// TestSecurityRuntimeLimits: what a malicious workflow author controls at run time is bounded.
// An expression that loops too long or builds a value too large fails its execution with a
// limit error, quickly; an http step to a server that never answers fails after the step's
// timeout; a webhook receiver that never answers fails the delivery attempt after the
// server's delivery timeout.
func TestSecurityRuntimeLimits(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime(func(c *platform.Config) {
		c.DeliveryTimeout = 300 * time.Millisecond
		c.DeliveryRetrySchedule = []time.Duration{} // one attempt, no retries
	}))
	c := inst.Client
	app := createApp(t, c, "runtime-limits")
	hang := make(chan struct{})
	tarpit, _ := secTarget(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	t.Cleanup(func() { close(hang) }) // before the tarpit's Close, which waits for its handlers

	for _, tc := range []struct {
		name    string
		step    api.WorkflowStep
		wantErr string
	}{
		{"too many steps of evaluation", api.WorkflowStep{Name: "spin", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
			{Field: "n", Expression: "let a = 1..1000; all(a, all(a, all(a, true)))"}}}}, "ran longer than 100ms|1000000 steps per expression"},
		{"too large a value", api.WorkflowStep{Name: "grow", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
			{Field: "s", Expression: "let a = repeat('ab', 200000); let b = a + a; let c = b + b; len(c + c)"}}}}, "the limit is 4194304 bytes per expression|ran longer than 100ms"},
		{"too much memory", api.WorkflowStep{Name: "hoard", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{
			{Field: "s", Expression: "len(repeat('x', 1000000000))"}}}}, "repeat would allocate 1000000000 bytes; the limit is 4194304 bytes per expression"},
		{"an http server that never answers", api.WorkflowStep{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.GET,
			URL: tarpit.URL + "/slow", TimeoutMs: ptr(300)}}, "did not answer within 300ms"},
	} {
		wf := createWorkflow(t, c, api.WorkflowInput{ApplicationID: app, Name: strings.ReplaceAll(tc.name, " ", "-"), Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: []api.WorkflowStep{tc.step}})
		start := time.Now()
		exe := waitExecution(t, c, trigger(t, c, wf.ID, nil))
		took := time.Since(start)
		if exe.Status != api.ExecutionStatusFailed || !regexp.MustCompile(tc.wantErr).MatchString(deref(exe.Error)) {
			t.Errorf("%s: %s, want a failure saying %q", tc.name, mustJSON(t, exe), tc.wantErr)
		}
		if took > 10*time.Second {
			t.Errorf("%s took %s to fail", tc.name, took)
		}
	}

	hook := createWebhook(t, c, api.WebhookInput{EventTypes: []string{"limits.slow"}, CallbackURL: tarpit.URL + "/hook"})
	ev := publish(t, c, api.EventInput{Type: "limits.slow"})
	d := waitDelivery(t, c, hook.ID, ev.DeliveryIds[0])
	if d.Status != api.DeliveryStatusFailed || len(d.Attempts) != 1 || !strings.Contains(deref(d.Attempts[0].Error), "300ms") {
		t.Errorf("delivery to a receiver that never answers: %s, want one attempt failing after 300ms", mustJSON(t, d))
	}
}
