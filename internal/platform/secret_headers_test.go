package platform_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// headerReceiver records the Authorization and X-Source headers of each call.
type headerReceiver struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func startHeaderReceiver(t *testing.T) *headerReceiver {
	rc := &headerReceiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.seen = append(rc.seen, r.Header.Get("X-Source")+"|"+r.Header.Get("Authorization"))
		rc.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *headerReceiver) last() string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.seen) == 0 {
		return ""
	}
	return rc.seen[len(rc.seen)-1]
}

// An http step's secret headers are sent with its request, sealed at rest, never returned by
// any read, kept by saves that do not send them, and replaced or removed by saves that do.
func TestWorkflowSecretHeaders(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		rc := startHeaderReceiver(t)
		app := createApp(t, owner, "order-management")
		_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: app})
		viewer := inst.ClientFor(viewerKey)
		input := func(secret *map[string]string) api.WorkflowInput {
			return api.WorkflowInput{ApplicationID: app, Name: "crm-sync", Version: "1.0.0", Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
				Steps: []api.WorkflowStep{{Name: "crm", Type: api.HTTP, HTTP: &api.HTTPStep{Method: api.POST, URL: rc.URL + "/orders",
					Headers: &map[string]string{"X-Source": "terraform"}, SecretHeaders: secret}}}}
		}
		const first, second = "Bearer crm-token-1111", "Bearer crm-token-2222"

		created := must(owner.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, input(&map[string]string{"Authorization": first})))
		if created.JSON201 == nil || strings.Contains(string(created.Body), "crm-token") || strings.Contains(string(created.Body), "secret_headers") {
			t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
		}
		id := created.JSON201.ID
		run := func(want string) {
			t.Helper()
			exe := waitExecution(t, owner, trigger(t, owner, id, nil))
			if exe.Status != api.ExecutionStatusSucceeded || rc.last() != want {
				t.Fatalf("the receiver saw %q, want %q: %s", rc.last(), want, mustJSON(t, exe))
			}
		}
		run("terraform|" + first)
		for name, c := range map[string]*api.ClientWithResponses{"owner": owner, "viewer": viewer} {
			got := must(c.GetWorkflowWithResponse(ctx, id))
			if got.JSON200 == nil || strings.Contains(string(got.Body), "crm-token") || !strings.Contains(string(got.Body), `"X-Source":"terraform"`) {
				t.Errorf("%s's read: %d %s", name, got.StatusCode(), got.Body)
			}
		}
		var doc, sealed string
		query := `SELECT doc, secret_headers_sealed FROM workflows WHERE id = ?`
		if inst.Server.Store().Dialect() == store.Postgres {
			query = strings.Replace(query, "?", "$1", 1)
		}
		if err := inst.Server.Store().DB().QueryRowContext(ctx, query, id).Scan(&doc, &sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(doc+sealed, "crm-token") || !strings.HasPrefix(sealed, "v1:") {
			t.Errorf("stored in the clear: doc %s, sealed %s", doc, sealed)
		}

		// A save without secret_headers keeps them; one with them replaces them; {} removes them.
		if r := must(owner.PatchWorkflowWithResponse(ctx, id, &api.PatchWorkflowParams{}, api.WorkflowPatch{Description: ptr("syncs orders")})); r.JSON200 == nil {
			t.Fatalf("patch: %d %s", r.StatusCode(), r.Body)
		}
		run("terraform|" + first)
		if r := must(owner.ReplaceWorkflowWithResponse(ctx, id, &api.ReplaceWorkflowParams{}, input(nil))); r.JSON200 == nil {
			t.Fatalf("replace without secret headers: %d %s", r.StatusCode(), r.Body)
		}
		run("terraform|" + first)
		if r := must(owner.ReplaceWorkflowWithResponse(ctx, id, &api.ReplaceWorkflowParams{}, input(&map[string]string{"Authorization": second}))); r.JSON200 == nil {
			t.Fatalf("rotate: %d %s", r.StatusCode(), r.Body)
		}
		run("terraform|" + second)
		if r := must(owner.ReplaceWorkflowWithResponse(ctx, id, &api.ReplaceWorkflowParams{}, input(&map[string]string{}))); r.JSON200 == nil {
			t.Fatalf("remove: %d %s", r.StatusCode(), r.Body)
		}
		run("terraform|")

		// A header is plain or secret, not both.
		both := input(&map[string]string{"x-source": "forged"})
		p := wantProblem(t, must(owner.ReplaceWorkflowWithResponse(ctx, id, &api.ReplaceWorkflowParams{}, both)), http.StatusBadRequest, "steps[0].http.secret_headers.x-source")
		if msg := fieldMessage(p, "steps[0].http.secret_headers.x-source"); !strings.Contains(msg, "also in headers") {
			t.Errorf("message %q", msg)
		}
	})
}
