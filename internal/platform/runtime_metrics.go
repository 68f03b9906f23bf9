package platform

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
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
