package platform_test

import (
	"context"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// While the only application with work waiting holds its cap of workers, a claim finds
// nothing, and it learns that without the write lock: on SQLite it answers while another
// transaction holds the lock, instead of queueing behind it. A claim that may take the work
// still waits for the lock and takes it.
func TestClaimAtTheCapTakesNoWriteLock(t *testing.T) {
	inst := platformtest.Start(t, fastRuntime(func(c *platform.Config) { c.Workers = -1 })) // nothing claims but the test
	c := inst.Client
	app := createApp(t, c, "flooding")
	wf := createWorkflow(t, c, api.WorkflowInput{ApplicationID: app, Name: "flood", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
		Steps:   []api.WorkflowStep{{Name: "check", Type: api.Validate, Validate: &api.ValidateStep{Expression: "true", Message: "never"}}}})
	exe := trigger(t, c, wf.ID, map[string]any{})
	startReceiver(t).subscribe(t, c, app, "order.created")
	publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &app, Data: &map[string]any{"n": 1}})

	for _, claim := range []struct {
		kind string
		fn   func(context.Context, []string) (string, error)
	}{{"execution", inst.Server.ClaimExecutionForTest}, {"delivery", inst.Server.ClaimDeliveryForTest}} {
		t.Run(claim.kind, func(t *testing.T) {
			release := make(chan struct{})
			held := make(chan struct{})
			holder := make(chan error, 1)
			go func() {
				holder <- inst.Server.Store().Tx(context.Background(), func(*store.Q) error {
					close(held)
					<-release
					return nil
				})
			}()
			<-held
			released := false
			releaseLock := func() {
				if !released {
					released = true
					close(release)
					if err := <-holder; err != nil {
						t.Errorf("the transaction holding the lock: %v", err)
					}
				}
			}
			defer releaseLock()

			type result struct {
				id  string
				err error
			}
			atCap := make(chan result, 1)
			go func() {
				id, err := claim.fn(context.Background(), []string{app})
				atCap <- result{id, err}
			}()
			select {
			case r := <-atCap:
				if r.id != "" || r.err != nil {
					t.Fatalf("a claim skipping the only application with work took %q (%v), want nothing", r.id, r.err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("a claim that could take nothing waited for the write lock another transaction held")
			}

			free := make(chan result, 1)
			go func() {
				id, err := claim.fn(context.Background(), nil)
				free <- result{id, err}
			}()
			select {
			case r := <-free:
				t.Fatalf("a claim that may take work answered (%q, %v) while another transaction held the write lock", r.id, r.err)
			case <-time.After(100 * time.Millisecond):
			}
			releaseLock()
			if r := <-free; r.err != nil || r.id == "" || claim.kind == "execution" && r.id != exe {
				t.Fatalf("the claim after the lock was released: %q, %v; want the waiting %s", r.id, r.err, claim.kind)
			}
		})
	}
}
