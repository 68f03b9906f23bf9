package platform_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// scrapeWorkflowSeries reads /metrics and returns the value of each lowcode_workflow_* series
// by name and then by workflow_id, and for lowcode_workflow_target_breached by metric label
// too (name "lowcode_workflow_target_breached/<metric>"). It fails unless every such series
// has the 24h window label.
func scrapeWorkflowSeries(t *testing.T, inst *platformtest.Instance) map[string]map[string]float64 {
	t.Helper()
	resp, err := http.Get(inst.MetricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	out := map[string]map[string]float64{}
	for _, name := range []string{"lowcode_workflow_executions", "lowcode_workflow_success_rate_percent", "lowcode_workflow_error_rate_percent",
		"lowcode_workflow_avg_duration_milliseconds", "lowcode_workflow_p99_duration_milliseconds", "lowcode_workflow_target_breached"} {
		f := families[name]
		if f == nil {
			continue
		}
		if f.GetType() != dto.MetricType_GAUGE || f.GetHelp() == "" {
			t.Errorf("%s is a %s with help %q, want a documented gauge", name, f.GetType(), f.GetHelp())
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["window"] != "24h" {
				t.Errorf("%s%v: window is not 24h", name, labels)
			}
			key := name
			if metric, ok := labels["metric"]; ok {
				key += "/" + metric
			}
			if out[key] == nil {
				out[key] = map[string]float64{}
			}
			out[key][labels["workflow_id"]] = m.GetGauge().GetValue()
		}
	}
	return out
}

// /metrics exports, for each workflow active over the API's default window, the figures and
// breaches that GET /workflows/{id}/metrics reports for it.
func TestWorkflowMetricsExported(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		checked := func(name string) api.WorkflowInput {
			return api.WorkflowInput{ApplicationID: appID, Name: name, Version: "1.0.0",
				Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
				Steps: []api.WorkflowStep{
					{Name: "check-amount", Type: api.Validate, Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "Amount exceeds limit"}},
					{Name: "price", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "total", Expression: "amount * 2"}}}},
				}}
		}
		wf := createWorkflow(t, c, checked("order-check"))
		untargeted := createWorkflow(t, c, checked("untargeted"))
		quiet := createWorkflow(t, c, checked("quiet"))

		// Three successes and a failure run by the runtime, and ten slower successes (100ms to
		// 1s) and an old failure written straight into the database; the workers leave
		// finished rows alone.
		for _, amount := range []int{1, 2, 3, 20000} {
			waitExecution(t, c, trigger(t, c, wf.ID, map[string]any{"amount": amount}))
		}
		for i := 1; i <= 10; i++ {
			insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusSucceeded, ago: i, durationMs: int64(i * 100)})
		}
		insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusFailed, ago: 25 * 60, durationMs: 5})
		insertExecution(t, inst, untargeted.ID, execution{status: api.ExecutionStatusFailed, ago: 1, durationMs: 40})
		insertExecution(t, inst, quiet.ID, execution{status: api.ExecutionStatusFailed, ago: 25 * 60, durationMs: 40})

		// 1 failure in 14: the success rate (92.9%) and the average (about 393ms) breach, the
		// error rate and the p99 (1s) do not.
		target := api.MonitoringTargetInput{MinSuccessRate: ptr(99.0), MaxErrorRate: ptr(50.0),
			MaxAvgDurationMs: ptr(int64(300)), MaxP99LatencyMs: ptr(int64(60000)), Alerts: ptr(false)}
		for _, id := range []string{wf.ID, quiet.ID} {
			if put := must(c.PutMonitoringTargetWithResponse(ctx, id, &api.PutMonitoringTargetParams{}, target)); put.JSON200 == nil {
				t.Fatalf("put target: %d %s", put.StatusCode(), put.Body)
			}
		}

		series := scrapeWorkflowSeries(t, inst)
		for _, id := range []string{wf.ID, untargeted.ID} {
			resp := must(c.GetWorkflowMetricsWithResponse(ctx, id, &api.GetWorkflowMetricsParams{}))
			m := resp.JSON200
			if m == nil {
				t.Fatalf("metrics of %s: %d %s", id, resp.StatusCode(), resp.Body)
			}
			for name, want := range map[string]float64{
				"lowcode_workflow_executions":                float64(m.Executions),
				"lowcode_workflow_success_rate_percent":      m.SuccessRate,
				"lowcode_workflow_error_rate_percent":        m.ErrorRate,
				"lowcode_workflow_avg_duration_milliseconds": m.AvgDurationMs,
				"lowcode_workflow_p99_duration_milliseconds": m.P99DurationMs,
			} {
				if got, ok := series[name][id]; !ok || got != want {
					t.Errorf("%s{workflow_id=%q} = %v (exported: %v), want %v as the API reports", name, id, got, ok, want)
				}
			}
		}
		if m := must(c.GetWorkflowMetricsWithResponse(ctx, wf.ID, &api.GetWorkflowMetricsParams{})).JSON200; m.Executions != 14 || m.Failed != 1 ||
			len(m.Breaches) != 2 || m.Breaches[0].Metric != api.SuccessRate || m.Breaches[1].Metric != api.AvgDurationMs {
			t.Fatalf("the scenario is not as intended: %+v", m)
		}

		for metric, want := range map[api.BreachMetric]float64{api.SuccessRate: 1, api.AvgDurationMs: 1, api.ErrorRate: 0, api.P99LatencyMs: 0} {
			name := "lowcode_workflow_target_breached/" + string(metric)
			if got, ok := series[name][wf.ID]; !ok || got != want {
				t.Errorf("%s{workflow_id=%q} = %v (exported: %v), want %v", name, wf.ID, got, ok, want)
			}
			if _, ok := series[name][untargeted.ID]; ok {
				t.Errorf("%s is exported for a workflow without a monitoring target", name)
			}
		}
		// A workflow without executions in the window is not exported, target or not.
		for name, byWorkflow := range series {
			if _, ok := byWorkflow[quiet.ID]; ok {
				t.Errorf("%s is exported for a workflow idle over the window", name)
			}
		}
	})
}

// Without its database the server still answers /metrics, with the workflow series left out
// and a warning logged.
func TestWorkflowMetricsExportedWithoutDatabase(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, platformtest.WithConfig(func(c *platform.Config) { c.Workers = -1 }))
	wf := createWorkflow(t, inst.Client, orderFulfillment(createApp(t, inst.Client, "order-management")))
	insertExecution(t, inst, wf.ID, execution{status: api.ExecutionStatusSucceeded, ago: 1, durationMs: 10})
	if series := scrapeWorkflowSeries(t, inst); series["lowcode_workflow_executions"][wf.ID] != 1 {
		t.Fatalf("before: %v", series)
	}
	_ = inst.Server.Close()
	if series := scrapeWorkflowSeries(t, inst); len(series) != 0 {
		t.Errorf("exported %v without a database", series)
	}
	if !strings.Contains(inst.Logs.String(), "cannot read the workflows' figures") {
		t.Errorf("no warning logged:\n%s", inst.Logs.String())
	}
}
