package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// WorkflowFilter narrows ListWorkflows; zero fields do not filter.
type WorkflowFilter struct {
	ApplicationID string
	Name          string
	Enabled       *bool
	PageSize      int // 0 means DefaultPageSize
}

// ListWorkflows yields the workflows the caller may read, page by page.
func (c *Client) ListWorkflows(ctx context.Context, f WorkflowFilter) iter.Seq2[api.Workflow, error] {
	return paginate[api.Workflow](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListWorkflows(ctx, &api.ListWorkflowsParams{PageSize: size, PageToken: token,
			ApplicationID: opt(f.ApplicationID), Name: opt(f.Name), Enabled: f.Enabled})
	})
}

// CreateWorkflow creates a workflow.
func (c *Client) CreateWorkflow(ctx context.Context, in api.WorkflowInput) (*api.Workflow, error) {
	return decode[api.Workflow](c.api.CreateWorkflow(ctx, &api.CreateWorkflowParams{IdempotencyKey: newKey()}, in))
}

// GetWorkflow reads a workflow.
func (c *Client) GetWorkflow(ctx context.Context, id string) (*api.Workflow, error) {
	return readThrough(ctx, c.readAhead, listing[api.Workflow]{kind: "workflows", id: func(v *api.Workflow) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListWorkflows(ctx, &api.ListWorkflowsParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.Workflow, error) { return decode[api.Workflow](c.api.GetWorkflow(ctx, id)) })
}

// ReplaceWorkflow replaces a workflow if its etag is still etag (empty: unconditionally).
func (c *Client) ReplaceWorkflow(ctx context.Context, id, etag string, in api.WorkflowInput) (*api.Workflow, error) {
	return decode[api.Workflow](c.api.ReplaceWorkflow(ctx, id,
		&api.ReplaceWorkflowParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}

// PatchWorkflow changes the fields set in patch if the etag is still etag (empty:
// unconditionally).
func (c *Client) PatchWorkflow(ctx context.Context, id, etag string, patch api.WorkflowPatch) (*api.Workflow, error) {
	return decode[api.Workflow](c.api.PatchWorkflow(ctx, id,
		&api.PatchWorkflowParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, patch))
}

// DeleteWorkflow deletes a workflow, with its monitoring target and execution history, if its
// etag is still etag (empty: unconditionally).
func (c *Client) DeleteWorkflow(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteWorkflow(ctx, id,
		&api.DeleteWorkflowParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}

// TriggerWorkflow queues an execution and returns at once; follow it with GetExecution. A
// disabled workflow answers ErrConflict. Retries of one call queue one execution.
func (c *Client) TriggerWorkflow(ctx context.Context, id string, in api.TriggerRequest) (*api.TriggerResponse, error) {
	return decode[api.TriggerResponse](c.api.TriggerWorkflow(ctx, id, &api.TriggerWorkflowParams{IdempotencyKey: newKey()}, in))
}

// GetMonitoringTarget reads a workflow's monitoring target; ErrNotFound when it has none.
func (c *Client) GetMonitoringTarget(ctx context.Context, workflowID string) (*api.MonitoringTarget, error) {
	return decode[api.MonitoringTarget](c.api.GetMonitoringTarget(ctx, workflowID))
}

// PutMonitoringTarget creates or replaces a workflow's monitoring target, if its etag is still
// etag (empty: unconditionally, as when creating it).
func (c *Client) PutMonitoringTarget(ctx context.Context, workflowID, etag string, in api.MonitoringTargetInput) (*api.MonitoringTarget, error) {
	return decode[api.MonitoringTarget](c.api.PutMonitoringTarget(ctx, workflowID,
		&api.PutMonitoringTargetParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}

// DeleteMonitoringTarget removes a workflow's monitoring target if its etag is still etag
// (empty: unconditionally).
func (c *Client) DeleteMonitoringTarget(ctx context.Context, workflowID, etag string) error {
	return discard(c.api.DeleteMonitoringTarget(ctx, workflowID,
		&api.DeleteMonitoringTargetParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}

// GetWorkflowMetrics reads a workflow's execution metrics over window, a Go duration such as
// "1h" (empty: the server's default, 24h), with the monitoring thresholds it breaches.
func (c *Client) GetWorkflowMetrics(ctx context.Context, workflowID, window string) (*api.WorkflowMetrics, error) {
	return decode[api.WorkflowMetrics](c.api.GetWorkflowMetrics(ctx, workflowID, &api.GetWorkflowMetricsParams{Window: opt(window)}))
}
