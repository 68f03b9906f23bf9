package platform_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/platformproc"
)

// A platform process killed with SIGKILL while executions run and others wait loses none of
// them: after the restart, the ones that were waiting run, and the ones that were running fail
// visibly once their lease runs out, never silently and never run twice.
func TestExecutionsSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		url := d.URL(t)
		receiver := startHangingServer(t)
		proc := platformproc.Start(t, platformproc.Config{DatabaseURL: url,
			Args: []string{"--allow-loopback-callbacks", "--workers", "3", "--lease-duration", "2s"}})
		c, err := api.NewClientWithResponses(proc.URL+"/api/v1", api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
			req.Header.Set("Authorization", "Bearer "+proc.OwnerKey)
			return nil
		}))
		if err != nil {
			t.Fatal(err)
		}
		wf := createWorkflow(t, c, slowWorkflow(createApp(t, c, "order-management"), receiver.URL))

		// Three workers, of which one application may hold two: two executions wait in their
		// http step, two more wait in the queue.
		var ids []string
		for range 4 {
			ids = append(ids, trigger(t, c, wf.ID, nil))
		}
		receiver.waitArrivals(t, 1)
		receiver.waitArrivals(t, 1)
		proc.Kill()
		receiver.unblock()
		proc.Restart()

		var interrupted, succeeded int
		for _, id := range ids {
			exe := waitExecution(t, c, id)
			switch {
			case exe.Status == api.ExecutionStatusSucceeded && mustJSON(t, stepStatuses(exe)) == `["call:succeeded","mark:succeeded","announce:succeeded"]`:
				succeeded++
			case exe.Status == api.ExecutionStatusFailed && strings.HasPrefix(deref(exe.Error), "interrupted by a server restart") &&
				mustJSON(t, stepStatuses(exe)) == `["call:failed","mark:skipped","announce:skipped"]` && exe.FinishedAt != nil:
				interrupted++
			default:
				t.Errorf("execution %s after the restart: %s", id, mustJSON(t, exe))
			}
		}
		if interrupted != 2 || succeeded != 2 {
			t.Errorf("%d executions failed as interrupted and %d succeeded after the restart, want 2 and 2", interrupted, succeeded)
		}
		// The receiver saw the two interrupted calls and one call for each queued execution:
		// nothing ran twice.
		if extra := len(receiver.arrived); extra != 2 {
			t.Errorf("the receiver got %d calls after the restart, want 2 (one per queued execution)", extra)
		}
	})
}
