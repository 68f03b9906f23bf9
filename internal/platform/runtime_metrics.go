package platform

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// runtimeMetrics are the runtime's Prometheus series, on the server's registry.
type runtimeMetrics struct {
	executions *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	deliveries *prometheus.CounterVec
}

func newRuntimeMetrics(s *Server) *runtimeMetrics {
	m := &runtimeMetrics{
		executions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lowcode_executions_total",
			Help: "Workflow executions finished by this server, by final status.",
		}, []string{"status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "lowcode_execution_duration_seconds",
			Help:    "Time from start to finish of the workflow executions this server ran, by final status.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"status"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lowcode_webhook_delivery_attempts_total",
			Help: "Webhook delivery attempts made by this server, by outcome (succeeded, retry, failed, disabled).",
		}, []string{"outcome"}),
	}
	// Queue depths are the database's, shared by all replicas: read at scrape time.
	gauge := func(name, help string, count func(ctx context.Context) (int64, error)) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			n, err := count(ctx)
			if err != nil {
				return -1
			}
			return float64(n)
		})
	}
	s.metrics.registry.MustRegister(m.executions, m.duration, m.deliveries,
		gauge("lowcode_executions_queued", "Executions waiting for a worker (all replicas).", func(ctx context.Context) (int64, error) {
			return s.store.Read().CountExecutions(ctx, api.ExecutionStatusQueued)
		}),
		gauge("lowcode_executions_running", "Executions being run (all replicas).", func(ctx context.Context) (int64, error) {
			return s.store.Read().CountExecutions(ctx, api.ExecutionStatusRunning)
		}),
		gauge("lowcode_webhook_deliveries_pending", "Webhook deliveries still to be made (all replicas).", s.store.Read().CountPendingDeliveries),
		newWorkflowCollector(s),
	)
	return m
}

// finished counts a finished execution; durationMs is nil when it never ran.
func (m *runtimeMetrics) finished(status api.ExecutionStatus, durationMs *int64) {
	m.executions.WithLabelValues(string(status)).Inc()
	if durationMs != nil {
		m.duration.WithLabelValues(string(status)).Observe(float64(*durationMs) / 1000)
	}
}

// delivered counts one delivery attempt.
func (m *runtimeMetrics) delivered(outcome deliveryOutcome) {
	m.deliveries.WithLabelValues(string(outcome)).Inc()
}

// workflowCollector exports each workflow's figures over the API's default window, as
// GET /workflows/{id}/metrics without a window reports them. They are read from the database
// at scrape time, so that every replica exports the same.
type workflowCollector struct {
	s           *Server
	executions  *prometheus.Desc
	successRate *prometheus.Desc
	errorRate   *prometheus.Desc
	avgDuration *prometheus.Desc
	p99Duration *prometheus.Desc
	breached    *prometheus.Desc
}

// workflowScrapeTimeout bounds the database reads of one scrape, within Prometheus's default
// scrape timeout of 10s.
const workflowScrapeTimeout = 5 * time.Second

func newWorkflowCollector(s *Server) *workflowCollector {
	over := fmt.Sprintf(" Over the last %s (the window label), for each workflow that finished an execution in it,"+
		" as GET /workflows/{id}/metrics reports it.", defaultMetricsWindow)
	desc := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help+over, append([]string{"workflow_id", "window"}, labels...), nil)
	}
	return &workflowCollector{
		s:           s,
		executions:  desc("lowcode_workflow_executions", "Executions of the workflow that succeeded or failed (canceled ones are left out)."),
		successRate: desc("lowcode_workflow_success_rate_percent", "Percentage of the workflow's executions that succeeded."),
		errorRate:   desc("lowcode_workflow_error_rate_percent", "Percentage of the workflow's executions that failed."),
		avgDuration: desc("lowcode_workflow_avg_duration_milliseconds", "Average duration of the workflow's executions, in milliseconds."),
		p99Duration: desc("lowcode_workflow_p99_duration_milliseconds",
			"Nearest-rank 99th percentile of the durations of the workflow's executions, in milliseconds."),
		breached: desc("lowcode_workflow_target_breached",
			"1 when the workflow breaches the threshold of its monitoring target that the metric label names (success_rate,"+
				" error_rate, avg_duration_ms or p99_latency_ms, as in the API's breaches), 0 when it meets it;"+
				" a series for each threshold the target sets.", "metric"),
	}
}

// Describe implements prometheus.Collector.
func (c *workflowCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.executions, c.successRate, c.errorRate, c.avgDuration, c.p99Duration, c.breached} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. On a database error it exports no workflow series
// and logs a warning, rather than failing the whole scrape.
func (c *workflowCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), workflowScrapeTimeout)
	defer cancel()
	all, err := c.read(ctx)
	if err != nil {
		c.s.log.Warn("metrics: cannot read the workflows' figures; /metrics leaves them out", slog.Any("error", err))
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, wm := range all {
		m := wm.metrics
		gauge(c.executions, float64(m.Executions), m.WorkflowID, m.Window)
		gauge(c.successRate, m.SuccessRate, m.WorkflowID, m.Window)
		gauge(c.errorRate, m.ErrorRate, m.WorkflowID, m.Window)
		gauge(c.avgDuration, m.AvgDurationMs, m.WorkflowID, m.Window)
		gauge(c.p99Duration, m.P99DurationMs, m.WorkflowID, m.Window)
		if wm.target == nil {
			continue
		}
		for _, metric := range thresholds(wm.target) {
			v := 0.0
			if slices.ContainsFunc(m.Breaches, func(b api.Breach) bool { return b.Metric == metric }) {
				v = 1
			}
			gauge(c.breached, v, m.WorkflowID, m.Window, string(metric))
		}
	}
}

type judgedWorkflow struct {
	metrics api.WorkflowMetrics
	target  *api.MonitoringTarget
}

// read judges every workflow active in the window: one grouped query for the stats (and one
// percentile query per workflow), then every monitoring target.
func (c *workflowCollector) read(ctx context.Context) ([]judgedWorkflow, error) {
	window, d, err := parseMetricsWindow(nil)
	if err != nil {
		return nil, err
	}
	q := c.s.store.Read()
	stats, err := q.ExecutionStatsByWorkflow(ctx, c.s.now().Add(-d))
	if err != nil || len(stats) == 0 {
		return nil, err
	}
	all, err := listAll(ctx, q, store.MonitoringTargets, nil)
	if err != nil {
		return nil, err
	}
	targets := make(map[string]*api.MonitoringTarget, len(all))
	for i := range all {
		targets[all[i].WorkflowID] = &all[i]
	}
	out := make([]judgedWorkflow, len(stats))
	for i, ws := range stats {
		target := targets[ws.WorkflowID]
		out[i] = judgedWorkflow{metrics: judgedMetrics(ws.WorkflowID, window, ws.ExecutionStats, target), target: target}
	}
	return out, nil
}
