package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// WebhookFilter narrows ListWebhooks; zero fields do not filter.
type WebhookFilter struct {
	EventType     string
	ApplicationID string
	Active        *bool
	PageSize      int // 0 means DefaultPageSize
}

// ListWebhooks yields the webhooks the caller may read, page by page.
func (c *Client) ListWebhooks(ctx context.Context, f WebhookFilter) iter.Seq2[api.Webhook, error] {
	return paginate[api.Webhook](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListWebhooks(ctx, &api.ListWebhooksParams{PageSize: size, PageToken: token,
			EventType: opt(f.EventType), ApplicationID: opt(f.ApplicationID), Active: f.Active})
	})
}

// CreateWebhook creates a webhook. Without in.Secret the server generates one and returns it
// in this answer only.
func (c *Client) CreateWebhook(ctx context.Context, in api.WebhookInput) (*api.Webhook, error) {
	return decode[api.Webhook](c.api.CreateWebhook(ctx, &api.CreateWebhookParams{IdempotencyKey: newKey()}, in))
}

// GetWebhook reads a webhook (never its secret).
func (c *Client) GetWebhook(ctx context.Context, id string) (*api.Webhook, error) {
	return readThrough(ctx, c.readAhead, listing[api.Webhook]{kind: "webhooks", id: func(v *api.Webhook) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListWebhooks(ctx, &api.ListWebhooksParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.Webhook, error) { return decode[api.Webhook](c.api.GetWebhook(ctx, id)) })
}

// ReplaceWebhook replaces a webhook if its etag is still etag (empty: unconditionally). A
// secret given here replaces the signing secret at once; RotateWebhookSecret overlaps them.
func (c *Client) ReplaceWebhook(ctx context.Context, id, etag string, in api.WebhookInput) (*api.Webhook, error) {
	return decode[api.Webhook](c.api.ReplaceWebhook(ctx, id,
		&api.ReplaceWebhookParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}

// PatchWebhook changes the fields set in patch if the etag is still etag (empty:
// unconditionally).
func (c *Client) PatchWebhook(ctx context.Context, id, etag string, patch api.WebhookPatch) (*api.Webhook, error) {
	return decode[api.Webhook](c.api.PatchWebhook(ctx, id,
		&api.PatchWebhookParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, patch))
}

// DeleteWebhook deletes a webhook if its etag is still etag (empty: unconditionally).
func (c *Client) DeleteWebhook(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteWebhook(ctx, id,
		&api.DeleteWebhookParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}

// DeliveryFilter narrows ListWebhookDeliveries; zero fields do not filter.
type DeliveryFilter struct {
	Status   api.DeliveryStatus
	PageSize int // 0 means DefaultPageSize
}

// ListWebhookDeliveries yields a webhook's deliveries, newest first, each with its attempts.
func (c *Client) ListWebhookDeliveries(ctx context.Context, webhookID string, f DeliveryFilter) iter.Seq2[api.Delivery, error] {
	return paginate[api.Delivery](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListWebhookDeliveries(ctx, webhookID, &api.ListWebhookDeliveriesParams{PageSize: size, PageToken: token,
			Status: opt(f.Status)})
	})
}

// RotateWebhookSecret replaces the signing secret, keeping the previous one valid for the
// overlap, if the etag is still etag (empty: unconditionally). The answer holds the new secret.
func (c *Client) RotateWebhookSecret(ctx context.Context, id, etag string, in api.RotateSecretRequest) (*api.Webhook, error) {
	return decode[api.Webhook](c.api.RotateWebhookSecret(ctx, id,
		&api.RotateWebhookSecretParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, in))
}
