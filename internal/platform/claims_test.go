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

// The Deliverer's batch claim takes, in one transaction, what that many claims one after
// another would: fairly across applications, and none of an application past its cap, counting
// what the batch itself took.
func TestDeliveryBatchClaimIsFairAndCapped(t *testing.T) {
	inst := platformtest.Start(t, fastRuntime(func(c *platform.Config) { c.Workers = -1 })) // nothing claims but the test
	c := inst.Client
	noisy, quiet := createApp(t, c, "noisy"), createApp(t, c, "quiet")
	startReceiver(t).subscribe(t, c, noisy, "order.created")
	startReceiver(t).subscribe(t, c, quiet, "order.created")
	for i := range 6 {
		publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &noisy, Data: &map[string]any{"n": i}})
	}
	publish(t, c, api.EventInput{Type: "order.created", ApplicationID: &quiet, Data: &map[string]any{"n": 0}})

	ctx := context.Background()
	got, err := inst.Server.ClaimDeliveriesForTest(ctx, 4, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	count := func(groups []string, app string) int {
		n := 0
		for _, g := range groups {
			if g == app {
				n++
			}
		}
		return n
	}
	if len(got) != 4 || count(got, noisy) != 3 || count(got, quiet) != 1 {
		t.Fatalf("a batch of 4 with a cap of 3 took %v; want 3 of the noisy application and the quiet one's", got)
	}
	if got[0] != noisy || got[1] != quiet {
		t.Errorf("claimed in the order %v; want the noisy application's oldest, then the quiet one's (fewest in flight)", got)
	}
	// The noisy application holds 3 (its cap): a second batch takes none of its 3 waiting.
	if got, err := inst.Server.ClaimDeliveriesForTest(ctx, 4, 3, map[string]int{noisy: 3}); err != nil || len(got) != 0 {
		t.Fatalf("a batch while the only application with work is at its cap took %v (%v), want nothing", got, err)
	}
	if got, err := inst.Server.ClaimDeliveriesForTest(ctx, 4, 5, map[string]int{noisy: 3}); err != nil || len(got) != 2 || count(got, noisy) != 2 {
		t.Fatalf("a batch of 4 with room for 2 more of the noisy application took %v (%v), want 2 of it", got, err)
	}
}
