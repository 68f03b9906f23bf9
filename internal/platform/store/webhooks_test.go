package store_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

func TestWebhookStore(t *testing.T) {
	t.Parallel()
	dialects := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "webhooks.db") },
		"postgres": func(t *testing.T) string { return pgtest.Start(t) },
	}
	for name, url := range dialects {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st, err := store.Open(ctx, url(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			orders := api.Application{ID: store.NewID("app"), Name: "order-management", Environment: api.Production, Version: "2.3.0", Etag: store.NewETag()}
			analytics := api.Application{ID: store.NewID("app"), Name: "analytics", Environment: api.Production, Version: "1.0.0", Etag: store.NewETag()}
			hook := func(appID string, active bool, types ...string) api.Webhook {
				return api.Webhook{ID: store.NewID("whk"), ApplicationID: appID, Active: active, EventTypes: types, Etag: store.NewETag()}
			}
			crm := hook(orders.ID, true, "order.created", "customer.updated")
			everything := hook("", true, "*")
			other := hook(analytics.ID, true, "order.created")
			off := hook("", false, "order.created")
			expires := time.UnixMilli(time.Now().UnixMilli()).UTC()
			err = st.Tx(ctx, func(q *store.Q) error {
				for _, app := range []*api.Application{&orders, &analytics} {
					if err := store.Applications.Create(ctx, q, app); err != nil {
						return err
					}
				}
				for _, wh := range []*api.Webhook{&crm, &everything, &other, &off} {
					secrets := store.WebhookSecrets{Current: "sealed-" + wh.ID}
					if wh == &crm {
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
			if err != nil {
				t.Fatal(err)
			}

			got, err := st.Read().GetWebhookSecrets(ctx, crm.ID)
			if err != nil || got.Current != "sealed-"+crm.ID || got.Previous != "sealed-old" || got.PreviousExpiresAt == nil || !got.PreviousExpiresAt.Equal(expires) {
				t.Fatalf("secrets %+v %v", got, err)
			}
			if got, err := st.Read().GetWebhookSecrets(ctx, everything.ID); err != nil || got.Previous != "" || got.PreviousExpiresAt != nil {
				t.Fatalf("secrets without a previous one: %+v %v", got, err)
			}
			if _, err := st.Read().GetWebhookSecrets(ctx, "whk_missing"); err != store.ErrNotFound {
				t.Fatalf("missing webhook: %v", err)
			}

			ids := func(hooks []api.Webhook) []string {
				out := []string{}
				for _, h := range hooks {
					out = append(out, h.ID)
				}
				return out
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
				if err != nil || !slices.Equal(ids(hooks), tc.want) {
					t.Errorf("WebhooksForEvent(%q, %q) = %v %v, want %v", tc.eventType, tc.appID, ids(hooks), err, tc.want)
				}
			}
			// Replacing the event types re-indexes the webhook.
			if err := st.Tx(ctx, func(q *store.Q) error { return q.SetWebhookEventTypes(ctx, crm.ID, []string{"invoice.paid"}) }); err != nil {
				t.Fatal(err)
			}
			if hooks, _ := st.Read().WebhooksForEvent(ctx, "order.created", orders.ID); !slices.Equal(ids(hooks), []string{everything.ID}) {
				t.Fatalf("after re-indexing: %v", ids(hooks))
			}
		})
	}
}

func TestSQLitePath(t *testing.T) {
	t.Parallel()
	cases := []struct {
		url, want string
		ok        bool
	}{
		{"sqlite://data/lowcode.db", "data/lowcode.db", true},
		{"sqlite:///var/lib/lowcode.db?_pragma=x", "/var/lib/lowcode.db", true},
		{"file:lowcode.db", "lowcode.db", true},
		{"lowcode.db", "lowcode.db", true},
		{"sqlite://:memory:", "", false},
		{"file::memory:?cache=shared", "", false},
		{"file:shared?mode=memory", "", false},
		{"mysql://x/y", "", false},
	}
	for _, tc := range cases {
		got, err := store.SQLitePath(tc.url)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("SQLitePath(%q) = %q, %v; want %q (ok %v)", tc.url, got, err, tc.want, tc.ok)
		}
	}
}
