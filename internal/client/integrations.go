package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// IntegrationFilter narrows ListIntegrations; zero fields do not filter.
type IntegrationFilter struct {
	Name     string
	PageSize int // 0 means DefaultPageSize
}

// ListIntegrations yields custom integrations, page by page.
func (c *Client) ListIntegrations(ctx context.Context, f IntegrationFilter) iter.Seq2[api.Integration, error] {
	return paginate[api.Integration](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListIntegrations(ctx, &api.ListIntegrationsParams{PageSize: size, PageToken: token, Name: opt(f.Name)})
	})
}

// CreateIntegration creates a custom integration.
func (c *Client) CreateIntegration(ctx context.Context, in api.IntegrationInput) (*api.Integration, error) {
	return decode[api.Integration](c.api.CreateIntegration(ctx, &api.CreateIntegrationParams{IdempotencyKey: newKey()}, in))
}

// GetIntegration reads a custom integration.
func (c *Client) GetIntegration(ctx context.Context, id string) (*api.Integration, error) {
	return readThrough(ctx, c.readAhead, listing[api.Integration]{kind: "integrations", id: func(v *api.Integration) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListIntegrations(ctx, &api.ListIntegrationsParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.Integration, error) { return decode[api.Integration](c.api.GetIntegration(ctx, id)) })
}

// ReplaceIntegration replaces an integration if its etag is still etag (empty:
// unconditionally).
func (c *Client) ReplaceIntegration(ctx context.Context, id, etag string, in api.IntegrationInput) (*api.Integration, error) {
	return decode[api.Integration](c.api.ReplaceIntegration(ctx, id,
		&api.ReplaceIntegrationParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}

// PatchIntegration changes the fields set in patch if the etag is still etag (empty:
// unconditionally).
func (c *Client) PatchIntegration(ctx context.Context, id, etag string, patch api.IntegrationPatch) (*api.Integration, error) {
	return decode[api.Integration](c.api.PatchIntegration(ctx, id,
		&api.PatchIntegrationParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, patch))
}

// DeleteIntegration deletes an integration if its etag is still etag (empty:
// unconditionally).
func (c *Client) DeleteIntegration(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteIntegration(ctx, id,
		&api.DeleteIntegrationParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}
