package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// secTarget is a loopback server that counts the requests it gets; it stands for an internal
// service an attacker would like the platform to call.
func secTarget(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if h != nil {
			h(w, r)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestSecuritySSRFSaveTime: on a server started without AllowLoopbackCallbacks (nor
// AllowPrivateCallbacks), a webhook whose callback is an IP literal in a refused range —
// loopback, private, link-local, cloud metadata, unspecified, unique-local — is refused when
// saved (create and replace) with a 400 on callback_url that names the setting to change, and
// nothing is stored.
func TestSecuritySSRFSaveTime(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, platformtest.WithConfig(func(c *platform.Config) { c.AllowLoopbackCallbacks = false }))
	refused := []string{
		"http://127.0.0.1:8080/hooks", "http://127.1.2.3/hooks", "http://[::1]/hooks",
		"http://10.0.0.5/hooks", "http://192.168.1.1/hooks", "http://172.16.0.1/hooks", "http://[fd00::1]/hooks",
		"http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hooks", "http://0.0.0.0/hooks",
		"http://100.100.100.200/latest/meta-data/", // Alibaba Cloud's metadata address
	}
	hook := createWebhook(t, inst.Client, api.WebhookInput{EventTypes: []string{"order.created"}, CallbackURL: "https://hooks.example.com/ok"})
	for _, u := range refused {
		in := map[string]any{"event_types": []string{"order.created"}, "callback_url": u}
		status, body := secCall(t, inst, inst.OwnerKey, "POST", "/webhooks", in)
		if status != http.StatusBadRequest || !strings.Contains(body, `"callback_url"`) {
			t.Errorf("creating a webhook calling %s: %d %s, want 400 on callback_url", u, status, body)
		}
		if strings.Contains(u, "127.") && !strings.Contains(body, "allow-loopback-callbacks") {
			t.Errorf("the refusal of %s does not name the setting that allows it: %s", u, body)
		}
		status, body = secCall(t, inst, inst.OwnerKey, "PUT", "/webhooks/"+hook.ID, in)
		if status != http.StatusBadRequest {
			t.Errorf("changing a webhook's callback to %s: %d %s, want 400", u, status, body)
		}
	}
	if n := countTable(t, inst, "webhooks"); n != 1 {
		t.Errorf("%d webhooks stored, want only the allowed one", n)
	}
}

// TestSecuritySSRFThroughNamesAndRedirects: what cannot be seen at save time is refused when
// calling, with a clear error and without the internal service ever being reached: an http
// step to an IP literal or to `localhost` (a name resolving to loopback) on a server without
// AllowLoopbackCallbacks; and, on a server that allows loopback but not private addresses, a
// webhook delivery and an http step whose allowed first hop redirects to a private or
// metadata address.
func TestSecuritySSRFThroughNamesAndRedirects(t *testing.T) {
	t.Parallel()
	t.Run("http step, loopback refused", func(t *testing.T) {
		t.Parallel()
		inst := platformtest.Start(t, fastRuntime(func(c *platform.Config) { c.AllowLoopbackCallbacks = false }))
		internal, hits := secTarget(t, nil)
		port := internal.URL[strings.LastIndex(internal.URL, ":"):]
		app := createApp(t, inst.Client, "ssrf-steps")
		for _, u := range []string{internal.URL + "/admin", "http://localhost" + port + "/admin", "http://[::1]" + port + "/admin"} {
			wf := storeWorkflow(t, inst, api.WorkflowInput{ApplicationID: app, Name: "call-" + strings.NewReplacer(":", "-", "/", "-", "[", "", "]", "").Replace(u[7:]),
				Version: "1.0.0", Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
				Steps: []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.GET, URL: u}}}})
			exe := waitExecution(t, inst.Client, trigger(t, inst.Client, wf.ID, nil))
			if exe.Status != api.ExecutionStatusFailed || !strings.Contains(deref(exe.Error), "loopback") ||
				!strings.Contains(deref(exe.Error), "allow-loopback-callbacks") {
				t.Errorf("http step to %s: %s, want a failure naming loopback and the setting", u, mustJSON(t, exe))
			}
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the internal service was called %d times", n)
		}
	})
	t.Run("redirects to private and metadata addresses", func(t *testing.T) {
		t.Parallel()
		inst := platformtest.Start(t, fastRuntime())
		for i, target := range []string{"http://10.0.0.1/internal", "http://169.254.169.254/latest/meta-data/"} {
			redirector, hits := secTarget(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target, http.StatusFound)
			})
			eventType := fmt.Sprintf("ssrf.redirect_%d", i)
			hook := createWebhook(t, inst.Client, api.WebhookInput{EventTypes: []string{eventType}, CallbackURL: redirector.URL + "/hook"})
			ev := publish(t, inst.Client, api.EventInput{Type: eventType})
			if len(ev.DeliveryIds) != 1 {
				t.Fatalf("event %s made %d deliveries, want 1", eventType, len(ev.DeliveryIds))
			}
			d := waitDelivery(t, inst.Client, hook.ID, ev.DeliveryIds[0])
			host := strings.Split(strings.TrimPrefix(target, "http://"), "/")[0]
			if d.Status != api.DeliveryStatusFailed || len(d.Attempts) == 0 || !strings.Contains(deref(d.Attempts[0].Error), host) {
				t.Errorf("delivery redirected to %s: %s, want a failure naming %s", target, mustJSON(t, d), host)
			}
			app := createApp(t, inst.Client, "ssrf-redirect-"+strings.ReplaceAll(host, ".", "-"))
			wf := createWorkflow(t, inst.Client, api.WorkflowInput{ApplicationID: app, Name: "follow", Version: "1.0.0",
				Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
				Steps:   []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.GET, URL: redirector.URL + "/step"}}}})
			exe := waitExecution(t, inst.Client, trigger(t, inst.Client, wf.ID, nil))
			if exe.Status != api.ExecutionStatusFailed || !strings.Contains(deref(exe.Error), host) {
				t.Errorf("http step redirected to %s: %s, want a failure naming %s", target, mustJSON(t, exe), host)
			}
			if hits.Load() == 0 {
				t.Errorf("the redirecting first hop was never called, so the redirect was not tested")
			}
		}
	})
}

// storeWorkflow writes a workflow straight into the store, as one saved before the save-time
// URL check, or under other server settings, would be: what the runtime refuses on its own.
func storeWorkflow(t *testing.T, inst *platformtest.Instance, in api.WorkflowInput) api.Workflow {
	t.Helper()
	ctx := context.Background()
	now := inst.Server.Now()
	wf := api.Workflow{ID: store.NewID("wf"), ApplicationID: in.ApplicationID, Name: in.Name, Version: in.Version, Enabled: true,
		Trigger: in.Trigger, Steps: in.Steps, Etag: store.NewETag(), CreatedAt: now, LastModified: now}
	if err := inst.Server.Store().Tx(ctx, func(q *store.Q) error { return store.Workflows.Create(ctx, q, &wf) }); err != nil {
		t.Fatalf("storing workflow %s: %v", in.Name, err)
	}
	return wf
}

// http step URLs get the checks webhook callbacks get when saved: IP literals in refused
// ranges, IPv4-compatible forms and names known to be local are refused (400 on the URL,
// naming the setting), on create and replace.
func TestSecuritySSRFStepURLsAtSave(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, platformtest.WithConfig(func(c *platform.Config) { c.AllowLoopbackCallbacks = false }))
	ctx := context.Background()
	app := createApp(t, inst.Client, "ssrf-save")
	step := func(u string) api.WorkflowInput {
		return api.WorkflowInput{ApplicationID: app, Name: "call", Version: "1.0.0", Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps: []api.WorkflowStep{{Name: "call", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.GET, URL: u}}}}
	}
	ok := createWorkflow(t, inst.Client, step("https://crm.example.com/ok"))
	for _, u := range []string{"http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:8080/admin", "http://[::127.0.0.1]/admin",
		"http://localhost:8080/admin", "http://metadata.google.internal/computeMetadata/v1/", "http://10.0.0.5/internal"} {
		p := wantProblem(t, must(inst.Client.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, step(u))), http.StatusBadRequest, "steps[0].http.url")
		if msg := fieldMessage(p, "steps[0].http.url"); !strings.Contains(msg, "refused outgoing call") {
			t.Errorf("%s: %q", u, msg)
		}
		wantProblem(t, must(inst.Client.ReplaceWorkflowWithResponse(ctx, ok.ID, &api.ReplaceWorkflowParams{}, step(u))), http.StatusBadRequest, "steps[0].http.url")
	}
}
