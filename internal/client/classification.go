package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// ClassificationPolicyFilter narrows ListClassificationPolicies; zero fields do not filter.
type ClassificationPolicyFilter struct {
	Name          string
	Level         api.ClassificationLevel
	ApplicationID string
	PageSize      int // 0 means DefaultPageSize
}

// ListClassificationPolicies yields classification policies, page by page.
func (c *Client) ListClassificationPolicies(ctx context.Context, f ClassificationPolicyFilter) iter.Seq2[api.ClassificationPolicy, error] {
	return paginate[api.ClassificationPolicy](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListClassificationPolicies(ctx, &api.ListClassificationPoliciesParams{PageSize: size, PageToken: token,
			Name: opt(f.Name), Level: opt(f.Level), ApplicationID: opt(f.ApplicationID)})
	})
}

// CreateClassificationPolicy creates a classification policy. The server refuses
// (ErrValidation) encryption or access weaker than the level's minimum.
func (c *Client) CreateClassificationPolicy(ctx context.Context, in api.ClassificationPolicyInput) (*api.ClassificationPolicy, error) {
	return decode[api.ClassificationPolicy](c.api.CreateClassificationPolicy(ctx, &api.CreateClassificationPolicyParams{IdempotencyKey: newKey()}, in))
}

// GetClassificationPolicy reads a classification policy.
func (c *Client) GetClassificationPolicy(ctx context.Context, id string) (*api.ClassificationPolicy, error) {
	return readThrough(ctx, c.readAhead, listing[api.ClassificationPolicy]{kind: "classification-policies", id: func(v *api.ClassificationPolicy) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListClassificationPolicies(ctx, &api.ListClassificationPoliciesParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.ClassificationPolicy, error) {
		return decode[api.ClassificationPolicy](c.api.GetClassificationPolicy(ctx, id))
	})
}

// ReplaceClassificationPolicy replaces a policy if its etag is still etag (empty:
// unconditionally).
func (c *Client) ReplaceClassificationPolicy(ctx context.Context, id, etag string, in api.ClassificationPolicyInput) (*api.ClassificationPolicy, error) {
	return decode[api.ClassificationPolicy](c.api.ReplaceClassificationPolicy(ctx, id,
		&api.ReplaceClassificationPolicyParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}

// PatchClassificationPolicy changes the fields set in patch if the etag is still etag (empty:
// unconditionally).
func (c *Client) PatchClassificationPolicy(ctx context.Context, id, etag string, patch api.ClassificationPolicyPatch) (*api.ClassificationPolicy, error) {
	return decode[api.ClassificationPolicy](c.api.PatchClassificationPolicy(ctx, id,
		&api.PatchClassificationPolicyParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, patch))
}

// DeleteClassificationPolicy deletes a policy if its etag is still etag (empty:
// unconditionally).
func (c *Client) DeleteClassificationPolicy(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteClassificationPolicy(ctx, id,
		&api.DeleteClassificationPolicyParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}

// ClassifyRecord classifies a record against the policies; nothing is stored.
func (c *Client) ClassifyRecord(ctx context.Context, in api.ClassifyRequest) (*api.ClassifyResponse, error) {
	return decode[api.ClassifyResponse](c.api.ClassifyRecord(ctx, &api.ClassifyRecordParams{IdempotencyKey: newKey()}, in))
}
