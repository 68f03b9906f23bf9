package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// ExecutionFilter narrows ListExecutions; zero fields do not filter.
type ExecutionFilter struct {
	WorkflowID string
	Status     api.ExecutionStatus
	PageSize   int // 0 means DefaultPageSize
}

// ListExecutions yields executions, newest first, page by page.
func (c *Client) ListExecutions(ctx context.Context, f ExecutionFilter) iter.Seq2[api.Execution, error] {
	return paginate[api.Execution](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListExecutions(ctx, &api.ListExecutionsParams{PageSize: size, PageToken: token,
			WorkflowID: opt(f.WorkflowID), Status: opt(f.Status)})
	})
}

// GetExecution reads an execution; classified fields the caller may not see come masked.
func (c *Client) GetExecution(ctx context.Context, id string) (*api.Execution, error) {
	return decode[api.Execution](c.api.GetExecution(ctx, id))
}

// CancelExecution cancels a queued or running execution; a finished one answers ErrConflict.
func (c *Client) CancelExecution(ctx context.Context, id string) (*api.Execution, error) {
	return decode[api.Execution](c.api.CancelExecution(ctx, id, &api.CancelExecutionParams{IdempotencyKey: newKey()}))
}

// PublishEvent publishes an event, which triggers the workflows and webhooks listening to its
// type. Retries of one call publish it once.
func (c *Client) PublishEvent(ctx context.Context, in api.EventInput) (*api.Event, error) {
	return decode[api.Event](c.api.PublishEvent(ctx, &api.PublishEventParams{IdempotencyKey: newKey()}, in))
}

// ListEventTypes returns the event types the platform knows. The list is not paginated.
func (c *Client) ListEventTypes(ctx context.Context) ([]api.EventType, error) {
	list, err := decode[api.EventTypeList](c.api.ListEventTypes(ctx))
	if err != nil {
		return nil, err
	}
	return list.Items, nil
}
