package platform_test

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ nanos atomic.Int64 }

func newFakeClock(t time.Time) *fakeClock {
	c := &fakeClock{}
	c.set(t)
	return c
}

func (c *fakeClock) now() time.Time  { return time.Unix(0, c.nanos.Load()).UTC() }
func (c *fakeClock) set(t time.Time) { c.nanos.Store(t.UnixNano()) }

func TestSchedulesFireOncePerSlotAcrossReplicas(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		url := d.URL(t)
		ctx := context.Background()
		start := time.Date(2030, 1, 1, 10, 0, 10, 0, time.UTC)
		clock := newFakeClock(start)
		withClock := fastRuntime(func(c *platform.Config) { c.Now = clock.now })
		a := platformtest.Start(t, platformtest.WithDatabase(url), withClock)
		b := platformtest.Start(t, platformtest.WithDatabase(url), withClock)
		c := a.Client
		wf := createWorkflow(t, c, api.WorkflowInput{ApplicationID: createApp(t, c, "analytics"), Name: "sales-report", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeSchedule, Cron: ptr("*/5 * * * *")},
			Steps: []api.WorkflowStep{{Name: "stamp", Type: api.Transform,
				Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "report", Expression: `"sales " + scheduled_at`}}}}}})

		// fired waits for the replicas to settle and returns the scheduled slots run so far,
		// oldest first, once they all finished.
		fired := func(want int) []string {
			t.Helper()
			deadline := time.Now().Add(10 * time.Second)
			for {
				time.Sleep(150 * time.Millisecond) // several scheduler passes of both replicas
				resp := must(b.ClientFor(a.OwnerKey).ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{WorkflowID: &wf.ID}))
				if resp.JSON200 == nil {
					t.Fatalf("list: %d %s", resp.StatusCode(), resp.Body)
				}
				slots, done := []string{}, true
				for _, e := range resp.JSON200.Items {
					if e.TriggerType != api.TriggerTypeSchedule {
						t.Errorf("trigger type %s", e.TriggerType)
					}
					slot, ok := e.Input["scheduled_at"].(string)
					if !ok {
						t.Fatalf("execution %s: scheduled_at = %#v, want a timestamp string", e.ID, e.Input["scheduled_at"])
					}
					slots = append(slots, slot)
					done = done && e.Status == api.ExecutionStatusSucceeded
				}
				slices.Reverse(slots)
				if (len(slots) >= want && done) || time.Now().After(deadline) {
					return slots
				}
			}
		}
		if got := fired(0); len(got) != 0 {
			t.Fatalf("fired before the first slot: %v", got)
		}
		clock.set(start.Add(5*time.Minute + 20*time.Second))
		if got := fired(1); !slices.Equal(got, []string{"2030-01-01T10:05:00Z"}) {
			t.Fatalf("after the first slot: %v", got)
		}
		// Missed slots are not made up one by one: only the latest fires.
		clock.set(start.Add(27 * time.Minute))
		if got := fired(2); !slices.Equal(got, []string{"2030-01-01T10:05:00Z", "2030-01-01T10:25:00Z"}) {
			t.Fatalf("after missed slots: %v", got)
		}
		// A disabled workflow does not fire.
		if p := must(c.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{}, api.WorkflowPatch{Enabled: ptr(false)})); p.JSON200 == nil {
			t.Fatalf("disable: %d %s", p.StatusCode(), p.Body)
		}
		clock.set(start.Add(40 * time.Minute))
		if got := fired(2); len(got) != 2 {
			t.Fatalf("a disabled workflow fired: %v", got)
		}
	})
}
