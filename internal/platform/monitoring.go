package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Metrics windows: the contract's default and bounds.
const (
	defaultMetricsWindow = "24h"
	minMetricsWindow     = time.Minute
	maxMetricsWindow     = 720 * time.Hour
)

func validateMonitoringTarget(in api.MonitoringTargetInput) error {
	if in.MinSuccessRate == nil && in.MaxErrorRate == nil && in.MaxAvgDurationMs == nil && in.MaxP99LatencyMs == nil {
		return invalid(FieldError("body", "set at least one threshold: min_success_rate, max_error_rate, max_avg_duration_ms or max_p99_latency_ms"))
	}
	var errs []api.FieldError
	for _, pct := range []struct {
		field string
		v     *float64
	}{{"min_success_rate", in.MinSuccessRate}, {"max_error_rate", in.MaxErrorRate}} {
		if pct.v != nil && (*pct.v < 0 || *pct.v > 100) {
			errs = append(errs, FieldError(pct.field, "is a percentage: use a number from 0 to 100"))
		}
	}
	for _, ms := range []struct {
		field string
		v     *int64
	}{{"max_avg_duration_ms", in.MaxAvgDurationMs}, {"max_p99_latency_ms", in.MaxP99LatencyMs}} {
		if ms.v != nil && *ms.v < 1 {
			errs = append(errs, FieldError(ms.field, "is in milliseconds and must be at least 1"))
		}
	}
	return invalid(errs...)
}

// noMonitoringTarget is the 404 for a readable workflow without a target.
func noMonitoringTarget(workflowID string) error {
	return &Problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
		Detail: fmt.Sprintf("workflow %s has no monitoring target; create one with PUT /workflows/%s/monitoring-target", workflowID, workflowID)}
}

// loadMonitoringTarget reads the target of a workflow the caller may read.
func loadMonitoringTarget(ctx context.Context, q *store.Q, workflowID string) (*api.MonitoringTarget, error) {
	mt, err := store.MonitoringTargets.Get(ctx, q, workflowID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noMonitoringTarget(workflowID)
	}
	return mt, err
}

// GetMonitoringTarget reads a workflow's monitoring target; it needs the viewer role on the
// workflow.
func (s *Server) GetMonitoringTarget(w http.ResponseWriter, r *http.Request, id api.ID) {
	ctx, q := r.Context(), s.store.Read()
	_, err := s.readWorkflow(ctx, q, r, id, api.Viewer)
	var mt *api.MonitoringTarget
	if err == nil {
		mt, err = loadMonitoringTarget(ctx, q, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, mt)
}

// PutMonitoringTarget creates or replaces a workflow's monitoring target; it needs the editor
// role on the workflow. If-Match applies to the existing target (and fails when there is none).
func (s *Server) PutMonitoringTarget(w http.ResponseWriter, r *http.Request, id api.ID, params api.PutMonitoringTargetParams) {
	var in api.MonitoringTargetInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := validateMonitoringTarget(in); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		if _, err := s.readWorkflow(ctx, q, r, id, api.Editor); err != nil {
			return 0, nil, err
		}
		cur, err := store.MonitoringTargets.Get(ctx, q, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, nil, err
		}
		before := ""
		if cur != nil {
			before = cur.Etag
		}
		if err := checkETag(params.IfMatch, before); err != nil {
			return 0, nil, err
		}
		mt := api.MonitoringTarget{WorkflowID: id, MinSuccessRate: in.MinSuccessRate, MaxErrorRate: in.MaxErrorRate,
			MaxAvgDurationMs: in.MaxAvgDurationMs, MaxP99LatencyMs: in.MaxP99LatencyMs,
			Alerts: in.Alerts == nil || *in.Alerts, Etag: store.NewETag(), UpdatedAt: s.now()}
		action := "update"
		if cur == nil {
			action, err = "create", store.MonitoringTargets.Create(ctx, q, &mt)
		} else {
			err = store.MonitoringTargets.Update(ctx, q, &mt, before)
		}
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, mt, s.audit(ctx, q, r, action, "monitoring_target", id, before, mt.Etag)
	})
}

// DeleteMonitoringTarget removes a workflow's monitoring target; it needs the editor role on
// the workflow.
func (s *Server) DeleteMonitoringTarget(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteMonitoringTargetParams) {
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		if _, err := s.readWorkflow(ctx, q, r, id, api.Editor); err != nil {
			return 0, nil, err
		}
		mt, err := loadMonitoringTarget(ctx, q, id)
		if err != nil {
			return 0, nil, err
		}
		if err := checkETag(params.IfMatch, mt.Etag); err != nil {
			return 0, nil, err
		}
		if err := store.MonitoringTargets.Delete(ctx, q, id, mt.Etag); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.audit(ctx, q, r, "delete", "monitoring_target", id, mt.Etag, "")
	})
}

// parseMetricsWindow reads the window parameter: a Go duration from 1m to 720h.
func parseMetricsWindow(raw *string) (string, time.Duration, error) {
	window := strings.TrimSpace(deref(raw))
	if window == "" {
		window = defaultMetricsWindow
	}
	d, err := time.ParseDuration(window)
	if err != nil {
		return "", 0, invalid(FieldError("window", "%q is not a duration: use a number and a unit, such as 15m, 1h or 24h", window))
	}
	if d < minMetricsWindow || d > maxMetricsWindow {
		return "", 0, invalid(FieldError("window", "%q is out of range: use a duration from %s to %s", window, "1m", "720h"))
	}
	return window, d, nil
}

// GetWorkflowMetrics reports a workflow's finished executions over a window and the
// monitoring thresholds they breach; it needs the viewer role on the workflow.
func (s *Server) GetWorkflowMetrics(w http.ResponseWriter, r *http.Request, id api.ID, params api.GetWorkflowMetricsParams) {
	window, d, err := parseMetricsWindow(params.Window)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, q := r.Context(), s.store.Read()
	if _, err := s.readWorkflow(ctx, q, r, id, api.Viewer); err != nil {
		s.fail(w, r, err)
		return
	}
	stats, err := q.ExecutionStats(ctx, id, s.now().Add(-d))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	target, err := store.MonitoringTargets.Get(ctx, q, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, judgedMetrics(id, window, stats, target))
}

// workflowMetrics turns stats into rates. Canceled executions are not in stats (see
// store.ExecutionStats), so the two rates add up to 100.
func workflowMetrics(id, window string, st store.ExecutionStats) api.WorkflowMetrics {
	m := api.WorkflowMetrics{WorkflowID: id, Window: window, Succeeded: st.Succeeded, Failed: st.Failed,
		Executions: st.Succeeded + st.Failed, SuccessRate: 100,
		AvgDurationMs: st.AvgDurationMs, P99DurationMs: st.P99DurationMs, Breaches: []api.Breach{}}
	if m.Executions > 0 {
		m.SuccessRate = float64(st.Succeeded) * 100 / float64(m.Executions)
		m.ErrorRate = float64(st.Failed) * 100 / float64(m.Executions)
	}
	return m
}

// windowString spells a window as the metrics API's window parameter does: 1h, 90m as 1h30m,
// 45s as 45s (not Go's 1h0m0s), so an alert's window reads like the query that reproduces it.
func windowString(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// judgedMetrics are a workflow's metrics with the thresholds of its target (nil when it has
// none) that they breach: what GET /workflows/{id}/metrics reports, and /metrics exports.
func judgedMetrics(id, window string, st store.ExecutionStats, target *api.MonitoringTarget) api.WorkflowMetrics {
	m := workflowMetrics(id, window, st)
	m.Breaches = breaches(m, st.Timed > 0, target)
	return m
}

// thresholds names the thresholds a target sets, as breaches names those breached.
func thresholds(t *api.MonitoringTarget) []api.BreachMetric {
	var out []api.BreachMetric
	if t.MinSuccessRate != nil {
		out = append(out, api.SuccessRate)
	}
	if t.MaxErrorRate != nil {
		out = append(out, api.ErrorRate)
	}
	if t.MaxAvgDurationMs != nil {
		out = append(out, api.AvgDurationMs)
	}
	if t.MaxP99LatencyMs != nil {
		out = append(out, api.P99LatencyMs)
	}
	return out
}

// breaches compares metrics with a target. Without executions nothing is breached, and
// without recorded durations the duration thresholds are not judged.
func breaches(m api.WorkflowMetrics, timed bool, t *api.MonitoringTarget) []api.Breach {
	out := []api.Breach{}
	if t == nil || m.Executions == 0 {
		return out
	}
	check := func(metric api.BreachMetric, actual, threshold float64, breached bool) {
		if breached {
			out = append(out, api.Breach{Metric: metric, Actual: actual, Threshold: threshold})
		}
	}
	if t.MinSuccessRate != nil {
		check(api.SuccessRate, m.SuccessRate, *t.MinSuccessRate, m.SuccessRate < *t.MinSuccessRate)
	}
	if t.MaxErrorRate != nil {
		check(api.ErrorRate, m.ErrorRate, *t.MaxErrorRate, m.ErrorRate > *t.MaxErrorRate)
	}
	if t.MaxAvgDurationMs != nil && timed {
		limit := float64(*t.MaxAvgDurationMs)
		check(api.AvgDurationMs, m.AvgDurationMs, limit, m.AvgDurationMs > limit)
	}
	if t.MaxP99LatencyMs != nil && timed {
		limit := float64(*t.MaxP99LatencyMs)
		check(api.P99LatencyMs, m.P99DurationMs, limit, m.P99DurationMs > limit)
	}
	return out
}

// breachedEvent is the event type published when a monitoring target's threshold is breached.
const breachedEvent = "monitoring.target_breached"

// alertOnBreach checks, in the transaction that records a finished execution, the workflow's
// figures over the monitoring window against its target, and publishes one
// monitoring.target_breached event when a threshold that was met is now breached. A threshold
// that stays breached publishes nothing more; once it is met again, the next breach publishes
// again. Workflows without a target, or whose target has alerts off, cost one lookup.
func (s *Server) alertOnBreach(ctx context.Context, q *store.Q, wf *api.Workflow) (published bool, err error) {
	target, err := store.MonitoringTargets.Get(ctx, q, wf.ID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !target.Alerts) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	window := s.cfg.MonitoringWindow
	stats, err := q.ExecutionStats(ctx, wf.ID, s.now().Add(-window))
	if err != nil {
		return false, err
	}
	m := judgedMetrics(wf.ID, windowString(window), stats, target)
	now := make([]string, len(m.Breaches))
	for i, b := range m.Breaches {
		now[i] = string(b.Metric)
	}
	sort.Strings(now)
	before, err := q.SwapBreached(ctx, wf.ID, now, s.now())
	if err != nil {
		return false, err
	}
	var newly []string
	for _, metric := range now {
		if !slices.Contains(before, metric) {
			newly = append(newly, metric)
		}
	}
	if len(newly) == 0 {
		return false, nil
	}
	data := map[string]any{
		"workflow_id":     wf.ID,
		"workflow_name":   wf.Name,
		"application_id":  wf.ApplicationID,
		"window":          m.Window,
		"newly_breached":  newly,
		"breaches":        m.Breaches,
		"executions":      m.Executions,
		"success_rate":    m.SuccessRate,
		"error_rate":      m.ErrorRate,
		"avg_duration_ms": m.AvgDurationMs,
		"p99_duration_ms": m.P99DurationMs,
	}
	doc, err := jsonObject(data) // the plain JSON form that subscribers and expressions see
	if err != nil {
		return false, err
	}
	// Depth 1: a workflow triggered by this event counts as emitted, so a chain of workflows
	// alerting each other ends at the emit depth limit.
	if _, err := s.publish(ctx, q, breachedEvent, wf.ApplicationID, doc, origin{lineage: store.Lineage{Depth: 1}}); err != nil {
		return false, err
	}
	return true, nil
}
