package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// ApplicationFilter narrows ListApplications; zero fields do not filter.
type ApplicationFilter struct {
	Name        string
	Environment api.Environment
	PageSize    int // 0 means DefaultPageSize
}

// ListApplications yields the applications the caller may read, page by page.
func (c *Client) ListApplications(ctx context.Context, f ApplicationFilter) iter.Seq2[api.Application, error] {
	return paginate[api.Application](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListApplications(ctx, &api.ListApplicationsParams{PageSize: size, PageToken: token,
			Name: opt(f.Name), Environment: opt(f.Environment)})
	})
}

// CreateApplication creates an application.
func (c *Client) CreateApplication(ctx context.Context, in api.ApplicationInput) (*api.Application, error) {
	return decode[api.Application](c.api.CreateApplication(ctx, &api.CreateApplicationParams{IdempotencyKey: newKey()}, in))
}

// GetApplication reads an application.
func (c *Client) GetApplication(ctx context.Context, id string) (*api.Application, error) {
	return readThrough(ctx, c.readAhead, listing[api.Application]{kind: "applications", id: func(v *api.Application) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListApplications(ctx, &api.ListApplicationsParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.Application, error) { return decode[api.Application](c.api.GetApplication(ctx, id)) })
}

// ReplaceApplication replaces an application's settings if its etag is still etag (empty:
// unconditionally).
func (c *Client) ReplaceApplication(ctx context.Context, id, etag string, in api.ApplicationInput) (*api.Application, error) {
	return decode[api.Application](c.api.ReplaceApplication(ctx, id,
		&api.ReplaceApplicationParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}

// PatchApplication changes the fields set in patch if the etag is still etag (empty:
// unconditionally).
func (c *Client) PatchApplication(ctx context.Context, id, etag string, patch api.ApplicationPatch) (*api.Application, error) {
	return decode[api.Application](c.api.PatchApplication(ctx, id,
		&api.PatchApplicationParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, patch))
}

// DeleteApplication deletes an application if its etag is still etag (empty:
// unconditionally). The server refuses (ErrConflict) while workflows belong to it.
func (c *Client) DeleteApplication(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteApplication(ctx, id,
		&api.DeleteApplicationParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}
