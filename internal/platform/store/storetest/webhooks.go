package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func webhookID(w *api.Webhook) string { return w.ID }

// webhooks: sealed secrets round-trip; an event reaches the active webhooks subscribed to its
// type or to "*", of its application or platform-wide; the event_type list filter matches the
// subscription exactly; replacing the event types re-indexes the webhook.
func webhooks(t *testing.T, st *store.Store) {
	ctx := context.Background()
	orders, analytics := newApp("order-management", api.Production), newApp("analytics", api.Production)
	hook := func(appID string, active bool, types ...string) *api.Webhook {
		return &api.Webhook{ID: store.NewID("whk"), ApplicationID: appID, Active: active, EventTypes: types, Etag: store.NewETag()}
	}
	crm := hook(orders.ID, true, "order.created", "customer.updated")
	everything := hook("", true, "*")
	other := hook(analytics.ID, true, "order.created")
	off := hook("", false, "order.created")
	expires := time.UnixMilli(time.Now().UnixMilli()).UTC()
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		for _, app := range []*api.Application{orders, analytics} {
			if err := store.Applications.Create(ctx, q, app); err != nil {
				return err
			}
		}
		for _, wh := range []*api.Webhook{crm, everything, other, off} {
			secrets := store.WebhookSecrets{Current: "sealed-" + wh.ID}
			if wh == crm {
				secrets.Previous, secrets.PreviousExpiresAt = "sealed-old", &expires
			}
			if err := store.Webhooks.Create(ctx, q, wh, secrets.Columns()...); err != nil {
				return err
			}
			if err := q.SetWebhookEventTypes(ctx, wh.ID, wh.EventTypes); err != nil {
				return err
			}
		}
		return nil
	})

	got, err := st.Read().GetWebhookSecrets(ctx, crm.ID)
	if err != nil || got.Current != "sealed-"+crm.ID || got.Previous != "sealed-old" || got.PreviousExpiresAt == nil || !got.PreviousExpiresAt.Equal(expires) {
		t.Fatalf("secrets %+v %v", got, err)
	}
	if got, err := st.Read().GetWebhookSecrets(ctx, everything.ID); err != nil || got.Previous != "" || got.PreviousExpiresAt != nil {
		t.Fatalf("secrets without a previous one: %+v %v", got, err)
	}
	if _, err := st.Read().GetWebhookSecrets(ctx, "whk_missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing webhook: %v", err)
	}
	if n, err := st.Read().CountSealedSecrets(ctx); err != nil || n != 4 {
		t.Fatalf("sealed secrets: %d %v, want 4", n, err)
	}

	cases := []struct {
		eventType, appID string
		want             []string
	}{
		{"order.created", orders.ID, []string{crm.ID, everything.ID}},
		{"order.created", "", []string{crm.ID, everything.ID, other.ID}},
		{"customer.updated", analytics.ID, []string{everything.ID}},
		{"payment.failed", "", []string{everything.ID}},
	}
	for _, tc := range cases {
		hooks, err := st.Read().WebhooksForEvent(ctx, tc.eventType, tc.appID)
		if err != nil || !slices.Equal(idsOf(hooks, webhookID), tc.want) {
			t.Errorf("WebhooksForEvent(%q, %q) = %v %v, want %v", tc.eventType, tc.appID, idsOf(hooks, webhookID), err, tc.want)
		}
	}
	lists := []struct {
		name    string
		filters []store.Filter
		want    []string
	}{
		{"subscribed to order.created", []store.Filter{store.WebhookEventType("order.created")}, []string{crm.ID, other.ID, off.ID}},
		{"subscribed to *", []store.Filter{store.WebhookEventType("*")}, []string{everything.ID}},
		{"platform-wide", []store.Filter{store.PlatformWide()}, []string{everything.ID, off.ID}},
		{"active, of an application", []store.Filter{store.Eq("active", true), store.In("application_id", []string{orders.ID, analytics.ID})},
			[]string{crm.ID, other.ID}},
	}
	for _, tc := range lists {
		if got := idsOf(listAll(t, st, store.Webhooks, tc.filters...), webhookID); !slices.Equal(got, tc.want) {
			t.Errorf("webhooks %s: %v, want %v", tc.name, got, tc.want)
		}
	}
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		return q.SetWebhookEventTypes(ctx, crm.ID, []string{"invoice.paid"})
	})
	if hooks, _ := st.Read().WebhooksForEvent(ctx, "order.created", orders.ID); !slices.Equal(idsOf(hooks, webhookID), []string{everything.ID}) {
		t.Fatalf("after re-indexing: %v", idsOf(hooks, webhookID))
	}
}
