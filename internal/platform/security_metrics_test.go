package platform_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

func scrape(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}

// /metrics names every tenant's workflow ids, so the API's listener does not serve it: the
// operator gives it a listener of its own (--metrics-listen, off by default).
func TestSecurityMetricsNotOnTheAPIListener(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	wf := createWorkflow(t, inst.Client, orderPipeline(createApp(t, inst.Client, "order-management"), "http://127.0.0.1:1"))
	waitExecution(t, inst.Client, trigger(t, inst.Client, wf.ID, map[string]any{"amount": 1}))

	if code, body := scrape(t, inst.URL+"/metrics"); code != http.StatusNotFound || strings.Contains(body, wf.ID) {
		t.Errorf("the API listener's /metrics: %d, names the workflow: %v", code, strings.Contains(body, wf.ID))
	}
	if code, body := scrape(t, inst.MetricsURL+"/metrics"); code != http.StatusOK || !strings.Contains(body, wf.ID) {
		t.Errorf("the metrics listener: %d, names the workflow: %v", code, strings.Contains(body, wf.ID))
	}
}

// Label values come from bounded sets whatever callers send: invented methods are one value
// (OTHER) and paths are their route's template, so 20 requests with 60 KB methods and 50
// requests for invented ids do not grow /metrics beyond a few new series.
func TestSecurityMetricsLabelsAreBounded(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	// Each series the requests below may add exists once already, so only a bounded number of
	// new series can appear.
	_ = must(inst.Client.GetWorkflowWithResponse(ctx, "wf_warmup"))
	_ = must(inst.Client.ListWorkflowsWithResponse(ctx, &api.ListWorkflowsParams{}))
	_, before := scrape(t, inst.MetricsURL+"/metrics")

	for i := range 20 {
		method := fmt.Sprintf("%c%s", 'A'+i, strings.Repeat("X", 60<<10))
		req, err := http.NewRequestWithContext(ctx, method, inst.URL+"/api/v1/workflows", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+inst.OwnerKey)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	for i := range 50 {
		_ = must(inst.Client.GetWorkflowWithResponse(ctx, fmt.Sprintf("wf_probe%d", i)))
	}

	_, after := scrape(t, inst.MetricsURL+"/metrics")
	if grown := len(after) - len(before); grown > 16<<10 {
		t.Errorf("/metrics grew by %d bytes (from %d to %d)", grown, len(before), len(after))
	}
	for _, leaked := range []string{"XXXXXXXX", "wf_probe", "wf_warmup"} {
		if strings.Contains(after, leaked) {
			t.Errorf("/metrics has a label value from a request: %q", leaked)
		}
	}
	for _, want := range []string{`method="OTHER"`, `route="/api/v1/workflows/{id}"`} {
		if !strings.Contains(after, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
