package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// CreateAPIToken issues a short-lived API token. Its Token value is in this answer only and
// is never logged.
func (c *Client) CreateAPIToken(ctx context.Context, in api.APITokenInput) (*api.APIToken, error) {
	return decode[api.APIToken](c.api.CreateAPIToken(ctx, &api.CreateAPITokenParams{IdempotencyKey: newKey()}, in))
}

// DeleteAPIToken revokes an API token.
func (c *Client) DeleteAPIToken(ctx context.Context, id string) error {
	return discard(c.api.DeleteAPIToken(ctx, id, &api.DeleteAPITokenParams{IdempotencyKey: newKey()}))
}

// AuditEventFilter narrows ListAuditEvents; zero fields do not filter.
type AuditEventFilter struct {
	ActorID    string
	ObjectID   string
	ObjectType string
	PageSize   int // 0 means DefaultPageSize
}

// ListAuditEvents yields audit events, newest first: all of them for platform admins, the
// caller's own otherwise.
func (c *Client) ListAuditEvents(ctx context.Context, f AuditEventFilter) iter.Seq2[api.AuditEvent, error] {
	return paginate[api.AuditEvent](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListAuditEvents(ctx, &api.ListAuditEventsParams{PageSize: size, PageToken: token,
			ActorID: opt(f.ActorID), ObjectID: opt(f.ObjectID), ObjectType: opt(f.ObjectType)})
	})
}
