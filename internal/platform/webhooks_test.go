package platform_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// crmCallback is the seed's CRM receiver of order.created and customer.updated.
const crmCallback = "https://crm.example.com/webhooks/lowcode"

func crmWebhook(appID string) api.WebhookInput {
	in := api.WebhookInput{EventTypes: []string{"order.created", "customer.updated"}, CallbackURL: crmCallback}
	if appID != "" {
		in.ApplicationID = &appID
	}
	return in
}

func createWebhook(t *testing.T, c *api.ClientWithResponses, in api.WebhookInput) api.Webhook {
	t.Helper()
	resp, err := c.CreateWebhookWithResponse(context.Background(), &api.CreateWebhookParams{}, in)
	if err != nil || resp.JSON201 == nil {
		t.Fatalf("creating webhook: %v %d %s", err, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON201
}

// dbQueryRow runs a query with `?` placeholders straight on the platform's database.
func dbQueryRow(t *testing.T, inst *platformtest.Instance, query string, args ...any) *sql.Row {
	t.Helper()
	if inst.Server.Store().Dialect() == store.Postgres {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	return inst.Server.Store().DB().QueryRowContext(context.Background(), query, args...)
}

// tableText concatenates every text a table holds about an object, to look for leaked secrets.
func tableText(t *testing.T, inst *platformtest.Instance, query string, args ...any) string {
	t.Helper()
	var text sql.NullString
	if err := dbQueryRow(t, inst, query, args...).Scan(&text); err != nil && err != sql.ErrNoRows {
		t.Fatalf("%s: %v", query, err)
	}
	return text.String
}

func webhookSecrets(t *testing.T, inst *platformtest.Instance, id string) []string {
	t.Helper()
	secrets, err := inst.Server.WebhookSecretsForTest(context.Background(), id)
	if err != nil {
		t.Fatalf("webhook secrets: %v", err)
	}
	return secrets
}

// hasSecretField tells whether a response body carries a "secret" field.
func hasSecretField(t *testing.T, body []byte) bool {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	_, has := m["secret"]
	return has
}

func TestWebhooksCRUD(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")

		created := must(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{IdempotencyKey: ptr("crm-1")}, crmWebhook(appID)))
		if created.JSON201 == nil {
			t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
		}
		wh := *created.JSON201
		secret := deref(wh.Secret)
		if !strings.HasPrefix(secret, "whsec_") || len(secret) < 40 {
			t.Fatalf("generated secret %q is not whsec_ and 32 bytes of base64", secret)
		}
		if !wh.Active || wh.Description != "" || wh.ApplicationID != appID || !strings.HasPrefix(wh.ID, "whk_") ||
			!slices.Equal(wh.EventTypes, []string{"order.created", "customer.updated"}) || wh.PreviousSecretExpiresAt != nil {
			t.Fatalf("created webhook %+v lacks the input or the defaults", wh)
		}
		if got := created.HTTPResponse.Header.Get("ETag"); got != `"`+wh.Etag+`"` {
			t.Errorf("ETag header %q, want %q", got, wh.Etag)
		}

		// A replay answers the first response, generated secret included, and creates nothing.
		replay := must(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{IdempotencyKey: ptr("crm-1")}, crmWebhook(appID)))
		if replay.StatusCode() != http.StatusCreated || replay.JSON201.ID != wh.ID || deref(replay.JSON201.Secret) != secret ||
			replay.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s", replay.StatusCode(), replay.Body)
		}

		// The secret is never shown again.
		got := must(c.GetWebhookWithResponse(ctx, wh.ID))
		if got.JSON200 == nil || hasSecretField(t, got.Body) || strings.Contains(string(got.Body), secret) {
			t.Fatalf("get shows the secret or fails: %d %s", got.StatusCode(), got.Body)
		}
		list := must(c.ListWebhooksWithResponse(ctx, &api.ListWebhooksParams{}))
		if list.JSON200 == nil || len(list.JSON200.Items) != 1 || strings.Contains(string(list.Body), secret) {
			t.Fatalf("list: %d %s", list.StatusCode(), list.Body)
		}
		// Nor is it anywhere in the database in the clear: the row, the idempotency record, the
		// audit log.
		stored := tableText(t, inst, "SELECT secret_sealed || doc FROM webhooks WHERE id = ?", wh.ID) +
			tableText(t, inst, "SELECT body FROM idempotency_keys WHERE key = ?", "crm-1") +
			tableText(t, inst, "SELECT MAX(doc) FROM audit_events WHERE object_id = ?", wh.ID)
		if !strings.Contains(stored, "v1:") || strings.Contains(stored, secret) || strings.Contains(stored, strings.TrimPrefix(secret, "whsec_")) {
			t.Fatalf("the database holds the secret in the clear (or nothing sealed): %s", stored)
		}
		if got := webhookSecrets(t, inst, wh.ID); !slices.Equal(got, []string{secret}) {
			t.Fatalf("signing secrets %q, want the generated one", got)
		}
		if strings.Contains(inst.Logs.String(), secret) {
			t.Fatalf("the server logged the secret")
		}

		// Stale etags are refused and change nothing.
		wantProblem(t, must(c.PatchWebhookWithResponse(ctx, wh.ID, &api.PatchWebhookParams{IfMatch: ptr(`"stale"`)},
			api.WebhookPatch{Active: ptr(false)})), http.StatusPreconditionFailed)
		patched := must(c.PatchWebhookWithResponse(ctx, wh.ID, &api.PatchWebhookParams{IfMatch: ptr(`"` + wh.Etag + `"`)},
			api.WebhookPatch{Active: ptr(false), Description: ptr("CRM sync")}))
		if patched.JSON200 == nil || patched.JSON200.Active || patched.JSON200.Description != "CRM sync" ||
			patched.JSON200.CallbackURL != crmCallback || patched.JSON200.Etag == wh.Etag || hasSecretField(t, patched.Body) {
			t.Fatalf("patch: %d %s", patched.StatusCode(), patched.Body)
		}

		// PUT replaces everything; a given secret replaces the old one at once and is not echoed.
		newSecret := "a-receiver-chosen-secret-0123456789"
		in := crmWebhook(appID)
		in.EventTypes, in.Secret = []string{"order.created"}, &newSecret
		replaced := must(c.ReplaceWebhookWithResponse(ctx, wh.ID, &api.ReplaceWebhookParams{}, in))
		if replaced.JSON200 == nil || !replaced.JSON200.Active || replaced.JSON200.Description != "" ||
			!slices.Equal(replaced.JSON200.EventTypes, []string{"order.created"}) || hasSecretField(t, replaced.Body) ||
			!replaced.JSON200.SecretUpdatedAt.After(wh.SecretUpdatedAt.Add(-time.Millisecond)) {
			t.Fatalf("replace: %d %s", replaced.StatusCode(), replaced.Body)
		}
		if got := webhookSecrets(t, inst, wh.ID); !slices.Equal(got, []string{newSecret}) {
			t.Fatalf("after PUT with a secret the signing secrets are %q, want only the new one", got)
		}
		if ids := listWebhookIDs(t, c, api.ListWebhooksParams{EventType: ptr("customer.updated")}); len(ids) != 0 {
			t.Fatalf("the event_type index still lists the dropped type: %v", ids)
		}
		other := in
		other.ApplicationID = ptr(createApp(t, c, "analytics"))
		p := wantProblem(t, must(c.ReplaceWebhookWithResponse(ctx, wh.ID, &api.ReplaceWebhookParams{}, other)), http.StatusBadRequest, "application_id")
		if !strings.Contains(fieldMessage(p, "application_id"), "cannot be changed") {
			t.Errorf("message %q does not say application_id cannot change", fieldMessage(p, "application_id"))
		}

		del := must(c.DeleteWebhookWithResponse(ctx, wh.ID, &api.DeleteWebhookParams{IfMatch: ptr(replaced.JSON200.Etag)}))
		if del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(c.DeleteWebhookWithResponse(ctx, wh.ID, &api.DeleteWebhookParams{})), http.StatusNotFound)
		wantProblem(t, must(c.GetWebhookWithResponse(ctx, wh.ID)), http.StatusNotFound)
		if n := tableText(t, inst, "SELECT CAST(COUNT(*) AS TEXT) FROM webhook_event_types WHERE webhook_id = ?", wh.ID); n != "0" {
			t.Fatalf("%s event type rows left after delete", n)
		}
	})
}

func listWebhookIDs(t *testing.T, c *api.ClientWithResponses, params api.ListWebhooksParams) []string {
	t.Helper()
	resp := must(c.ListWebhooksWithResponse(context.Background(), &params))
	if resp.JSON200 == nil {
		t.Fatalf("list webhooks: %d %s", resp.StatusCode(), resp.Body)
	}
	ids := []string{}
	for _, wh := range resp.JSON200.Items {
		ids = append(ids, wh.ID)
	}
	return ids
}

func TestWebhookListFilters(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		c := inst.Client
		appID := createApp(t, c, "order-management")
		crm := createWebhook(t, c, crmWebhook(appID))
		everything := api.WebhookInput{EventTypes: []string{"*"}, CallbackURL: "https://audit.example.com/in", Active: ptr(false)}
		platformWide := createWebhook(t, c, everything)

		cases := []struct {
			name   string
			params api.ListWebhooksParams
			want   []string
		}{
			{"all", api.ListWebhooksParams{}, []string{crm.ID, platformWide.ID}},
			{"event type", api.ListWebhooksParams{EventType: ptr("customer.updated")}, []string{crm.ID}},
			{"wildcard", api.ListWebhooksParams{EventType: ptr("*")}, []string{platformWide.ID}},
			{"unknown event type", api.ListWebhooksParams{EventType: ptr("payment.failed")}, []string{}},
			{"application", api.ListWebhooksParams{ApplicationID: ptr(appID)}, []string{crm.ID}},
			{"platform-wide", api.ListWebhooksParams{ApplicationID: ptr("")}, []string{platformWide.ID}},
			{"active", api.ListWebhooksParams{Active: ptr(true)}, []string{crm.ID}},
			{"inactive", api.ListWebhooksParams{Active: ptr(false)}, []string{platformWide.ID}},
			{"page", api.ListWebhooksParams{PageSize: ptr(1)}, []string{crm.ID}},
		}
		for _, tc := range cases {
			if got := listWebhookIDs(t, c, tc.params); !slices.Equal(got, tc.want) {
				t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

func TestWebhookRotateSecret(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		wh := createWebhook(t, c, crmWebhook(""))
		first := deref(wh.Secret)

		wantProblem(t, must(c.RotateWebhookSecretWithResponse(ctx, wh.ID, &api.RotateWebhookSecretParams{IfMatch: ptr("stale")},
			api.RotateSecretRequest{})), http.StatusPreconditionFailed)
		if got := webhookSecrets(t, inst, wh.ID); !slices.Equal(got, []string{first}) {
			t.Fatalf("a refused rotation changed the secrets: %q", got)
		}

		// A generated secret, the previous one kept for the default day.
		rotated := must(c.RotateWebhookSecretWithResponse(ctx, wh.ID, &api.RotateWebhookSecretParams{IfMatch: ptr(wh.Etag),
			IdempotencyKey: ptr("rotate-1")}, api.RotateSecretRequest{}))
		if rotated.JSON200 == nil {
			t.Fatalf("rotate: %d %s", rotated.StatusCode(), rotated.Body)
		}
		second := deref(rotated.JSON200.Secret)
		expires := rotated.JSON200.PreviousSecretExpiresAt
		if !strings.HasPrefix(second, "whsec_") || second == first || expires == nil ||
			expires.Sub(rotated.JSON200.SecretUpdatedAt) != 24*time.Hour || rotated.JSON200.Etag == wh.Etag {
			t.Fatalf("rotate answered %s", rotated.Body)
		}
		if got := webhookSecrets(t, inst, wh.ID); !slices.Equal(got, []string{second, first}) {
			t.Fatalf("during the overlap the signing secrets are %q, want the new and the previous", got)
		}
		replay := must(c.RotateWebhookSecretWithResponse(ctx, wh.ID, &api.RotateWebhookSecretParams{IfMatch: ptr(wh.Etag),
			IdempotencyKey: ptr("rotate-1")}, api.RotateSecretRequest{}))
		if replay.JSON200 == nil || deref(replay.JSON200.Secret) != second {
			t.Fatalf("rotate replay: %d %s", replay.StatusCode(), replay.Body)
		}
		got := must(c.GetWebhookWithResponse(ctx, wh.ID))
		if got.JSON200 == nil || hasSecretField(t, got.Body) || got.JSON200.PreviousSecretExpiresAt == nil ||
			!got.JSON200.PreviousSecretExpiresAt.Equal(*expires) {
			t.Fatalf("get after rotate: %s", got.Body)
		}

		// A given secret with no overlap: the previous one ends at once. The caller asked for the
		// rotation, so the new secret is in the response either way.
		chosen := "another-receiver-secret-9876543210"
		now := must(c.RotateWebhookSecretWithResponse(ctx, wh.ID, &api.RotateWebhookSecretParams{},
			api.RotateSecretRequest{Secret: &chosen, OverlapSeconds: ptr(0)}))
		if now.JSON200 == nil || deref(now.JSON200.Secret) != chosen {
			t.Fatalf("rotate with a secret: %d %s", now.StatusCode(), now.Body)
		}
		if got := webhookSecrets(t, inst, wh.ID); !slices.Equal(got, []string{chosen}) {
			t.Fatalf("with no overlap the signing secrets are %q, want only the new one", got)
		}
		if text := tableText(t, inst, "SELECT secret_sealed || previous_secret_sealed FROM webhooks WHERE id = ?", wh.ID); strings.Contains(text, chosen) ||
			strings.Contains(text, second) {
			t.Fatalf("the secrets are stored in the clear: %s", text)
		}
		audit := tableText(t, inst, "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE object_id = ? AND action = 'rotate_secret'", wh.ID)
		if audit != "2" {
			t.Fatalf("%s rotate_secret audit events, want 2", audit)
		}

		wantProblem(t, must(c.RotateWebhookSecretWithResponse(ctx, wh.ID, &api.RotateWebhookSecretParams{},
			api.RotateSecretRequest{Secret: ptr("whsec_this is not base64 at all!!")})), http.StatusBadRequest, "secret")
		wantProblem(t, must(c.RotateWebhookSecretWithResponse(ctx, wh.ID, &api.RotateWebhookSecretParams{},
			api.RotateSecretRequest{OverlapSeconds: ptr(-1)})), http.StatusBadRequest, "overlap_seconds")
		wantProblem(t, must(c.RotateWebhookSecretWithResponse(ctx, "whk_missing", &api.RotateWebhookSecretParams{},
			api.RotateSecretRequest{})), http.StatusNotFound)
	})
}

func TestWebhookValidation(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client
	with := func(f func(*api.WebhookInput)) api.WebhookInput {
		in := crmWebhook("")
		f(&in)
		return in
	}
	cases := []struct {
		name   string
		in     api.WebhookInput
		fields []string
		says   string
	}{
		{"upper-case event type", with(func(in *api.WebhookInput) { in.EventTypes = []string{"Order.Created"} }), []string{"event_types[0]"}, "such as order.created"},
		{"one-segment event type", with(func(in *api.WebhookInput) { in.EventTypes = []string{"order.created", "order"} }), []string{"event_types[1]"}, "not a valid event type"},
		{"duplicate event type", with(func(in *api.WebhookInput) { in.EventTypes = []string{"*", "order.created", "*"} }), []string{"event_types[2]"}, "already listed at event_types[0]"},
		{"no event types", with(func(in *api.WebhookInput) { in.EventTypes = []string{} }), []string{"event_types"}, ""},
		{"not http", with(func(in *api.WebhookInput) { in.CallbackURL = "ftp://crm.example.com/in" }), []string{"callback_url"}, "http"},
		{"credentials in URL", with(func(in *api.WebhookInput) { in.CallbackURL = "https://user:pw@crm.example.com/in" }), []string{"callback_url"}, "credentials"},
		{"private address", with(func(in *api.WebhookInput) { in.CallbackURL = "http://10.1.2.3/hook" }), []string{"callback_url"}, "private"},
		{"metadata service", with(func(in *api.WebhookInput) { in.CallbackURL = "http://169.254.169.254/latest/meta-data" }), []string{"callback_url"}, "metadata"},
		{"short secret", with(func(in *api.WebhookInput) { in.Secret = ptr("too-short") }), []string{"secret"}, ""},
		{"bad whsec secret", with(func(in *api.WebhookInput) { in.Secret = ptr("whsec_%%%%not-base64%%%%%%%%%%") }), []string{"secret"}, "base64"},
		{"unknown application", with(func(in *api.WebhookInput) { in.ApplicationID = ptr("app_missing") }), []string{"application_id"}, "no application"},
		{"several at once", with(func(in *api.WebhookInput) {
			in.EventTypes, in.CallbackURL = []string{"x"}, "nope"
		}), []string{"event_types[0]", "callback_url"}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, must(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, tc.in)), http.StatusBadRequest)
			var fields []string
			for _, fe := range deref(p.Errors) {
				fields = append(fields, fe.Field)
			}
			slices.Sort(fields)
			want := slices.Sorted(slices.Values(tc.fields))
			if !slices.Equal(fields, want) {
				t.Fatalf("field errors %v, want %v: %+v", fields, want, deref(p.Errors))
			}
			if tc.says != "" && !strings.Contains(fieldMessage(p, tc.fields[0]), tc.says) {
				t.Errorf("message %q does not mention %q", fieldMessage(p, tc.fields[0]), tc.says)
			}
			if tc.in.Secret != nil && strings.Contains(string(must(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, tc.in)).Body), *tc.in.Secret) {
				t.Errorf("the error repeats the secret")
			}
		})
	}
	if ids := listWebhookIDs(t, c, api.ListWebhooksParams{}); len(ids) != 0 {
		t.Fatalf("refused requests created webhooks %v", ids)
	}

	// An update is validated the same way and changes nothing when refused.
	wh := createWebhook(t, c, crmWebhook(""))
	wantProblem(t, must(c.PatchWebhookWithResponse(ctx, wh.ID, &api.PatchWebhookParams{},
		api.WebhookPatch{CallbackURL: ptr("http://192.168.1.10/in"), EventTypes: &[]string{"order"}})), http.StatusBadRequest, "event_types[0]", "callback_url")
	got := must(c.GetWebhookWithResponse(ctx, wh.ID))
	if got.JSON200 == nil || got.JSON200.Etag != wh.Etag {
		t.Fatalf("a refused patch changed the webhook: %s", got.Body)
	}
}

func TestWebhookPrivateCallbacksAllowedBySetting(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, platformtest.WithConfig(func(cfg *platform.Config) { cfg.AllowPrivateCallbacks = true }))
	in := crmWebhook("")
	in.CallbackURL = "http://10.1.2.3:8443/hook"
	createWebhook(t, inst.Client, in)
	in.CallbackURL = "http://169.254.169.254/latest" // link-local stays refused
	wantProblem(t, must(inst.Client.CreateWebhookWithResponse(context.Background(), &api.CreateWebhookParams{}, in)), http.StatusBadRequest, "callback_url")
}

func TestWebhookAuthorization(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		orders := createApp(t, owner, "order-management")
		analytics := createApp(t, owner, "analytics")
		_, editorKey := inst.NewUser("orders-editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: orders})
		_, viewerKey := inst.NewUser("orders-viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: orders})
		editor, viewer := inst.ClientFor(editorKey), inst.ClientFor(viewerKey)

		// The application's editor manages its webhooks.
		own := createWebhook(t, editor, crmWebhook(orders))
		patched := must(editor.PatchWebhookWithResponse(ctx, own.ID, &api.PatchWebhookParams{}, api.WebhookPatch{Description: ptr("mine")}))
		if patched.StatusCode() != http.StatusOK {
			t.Fatalf("editor patching its application's webhook: %d %s", patched.StatusCode(), patched.Body)
		}
		// ...but not another application's, nor platform-wide ones.
		wantProblem(t, must(editor.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, crmWebhook(analytics))), http.StatusBadRequest, "application_id")
		wantProblem(t, must(editor.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, crmWebhook(""))), http.StatusForbidden)
		foreign := createWebhook(t, owner, crmWebhook(analytics))
		platformWide := createWebhook(t, owner, crmWebhook(""))
		for _, id := range []string{foreign.ID, platformWide.ID} {
			wantForbiddenScope(t, must(editor.GetWebhookWithResponse(ctx, id)))
			wantForbiddenScope(t, must(editor.PatchWebhookWithResponse(ctx, id, &api.PatchWebhookParams{}, api.WebhookPatch{Active: ptr(false)})))
			wantForbiddenScope(t, must(editor.DeleteWebhookWithResponse(ctx, id, &api.DeleteWebhookParams{})))
			wantForbiddenScope(t, must(editor.RotateWebhookSecretWithResponse(ctx, id, &api.RotateWebhookSecretParams{}, api.RotateSecretRequest{})))
			wantForbiddenScope(t, must(editor.ListWebhookDeliveriesWithResponse(ctx, id, &api.ListWebhookDeliveriesParams{})))
		}
		if ids := listWebhookIDs(t, editor, api.ListWebhooksParams{}); !slices.Equal(ids, []string{own.ID}) {
			t.Fatalf("the editor lists %v, want only %s", ids, own.ID)
		}
		if ids := listWebhookIDs(t, owner, api.ListWebhooksParams{}); len(ids) != 3 {
			t.Fatalf("the owner lists %v, want all three", ids)
		}

		// A viewer reads but does not change.
		if got := must(viewer.GetWebhookWithResponse(ctx, own.ID)); got.StatusCode() != http.StatusOK {
			t.Fatalf("viewer get: %d", got.StatusCode())
		}
		wantProblem(t, must(viewer.PatchWebhookWithResponse(ctx, own.ID, &api.PatchWebhookParams{}, api.WebhookPatch{Active: ptr(false)})), http.StatusForbidden)
		wantProblem(t, must(viewer.RotateWebhookSecretWithResponse(ctx, own.ID, &api.RotateWebhookSecretParams{}, api.RotateSecretRequest{})), http.StatusForbidden)
		wantProblem(t, must(viewer.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, crmWebhook(orders))), http.StatusForbidden)
	})
}

func TestWebhookDeliveries(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		wh := createWebhook(t, c, crmWebhook(""))
		other := createWebhook(t, c, crmWebhook(""))
		now := inst.Server.Now()
		insert := func(webhookID string, status api.DeliveryStatus) string {
			d := api.Delivery{ID: store.NewID("dlv"), WebhookID: webhookID, EventID: store.NewID("evt"), EventType: "order.created",
				Status: status, CreatedAt: now}
			var next *time.Time
			if status == api.DeliveryStatusPending {
				next = &now
			} else {
				d.Attempts = []api.DeliveryAttempt{{Number: 1, At: now, ResponseStatus: ptr(200), DurationMs: ptr(int64(12))}}
				d.DeliveredAt = &now
			}
			err := inst.Server.Store().Tx(ctx, func(q *store.Q) error { return q.InsertDelivery(ctx, d, `{"order_id":"A-1"}`, next) })
			if err != nil {
				t.Fatalf("inserting a delivery: %v", err)
			}
			return d.ID
		}
		first := insert(wh.ID, api.DeliveryStatusSucceeded)
		second := insert(wh.ID, api.DeliveryStatusPending)
		insert(other.ID, api.DeliveryStatusSucceeded)

		ids := func(params api.ListWebhookDeliveriesParams) ([]string, string) {
			resp := must(c.ListWebhookDeliveriesWithResponse(ctx, wh.ID, &params))
			if resp.JSON200 == nil {
				t.Fatalf("list deliveries: %d %s", resp.StatusCode(), resp.Body)
			}
			var got []string
			for _, d := range resp.JSON200.Items {
				if d.WebhookID != wh.ID || d.Attempts == nil {
					t.Fatalf("delivery %+v", d)
				}
				got = append(got, d.ID)
			}
			return got, resp.JSON200.NextPageToken
		}
		if got, _ := ids(api.ListWebhookDeliveriesParams{}); !slices.Equal(got, []string{second, first}) {
			t.Fatalf("deliveries %v, want newest first %v", got, []string{second, first})
		}
		if got, _ := ids(api.ListWebhookDeliveriesParams{Status: ptr(api.DeliveryStatusSucceeded)}); !slices.Equal(got, []string{first}) {
			t.Fatalf("succeeded deliveries %v, want %v", got, []string{first})
		}
		got, next := ids(api.ListWebhookDeliveriesParams{PageSize: ptr(1)})
		rest, _ := ids(api.ListWebhookDeliveriesParams{PageSize: ptr(1), PageToken: &next})
		if !slices.Equal(got, []string{second}) || !slices.Equal(rest, []string{first}) {
			t.Fatalf("pages %v then %v", got, rest)
		}
		wantProblem(t, must(c.ListWebhookDeliveriesWithResponse(ctx, "whk_missing", &api.ListWebhookDeliveriesParams{})), http.StatusNotFound)

		// A delivery of a webhook that does not exist is refused; deleting a webhook takes its
		// deliveries with it.
		err := inst.Server.Store().Tx(ctx, func(q *store.Q) error {
			return q.InsertDelivery(ctx, api.Delivery{ID: store.NewID("dlv"), WebhookID: "whk_missing", EventID: "evt_x",
				EventType: "order.created", Status: api.DeliveryStatusPending, CreatedAt: now}, "{}", nil)
		})
		if err == nil {
			t.Fatalf("a delivery of a missing webhook was stored")
		}
		must(c.DeleteWebhookWithResponse(ctx, wh.ID, &api.DeleteWebhookParams{}))
		if n := tableText(t, inst, "SELECT CAST(COUNT(*) AS TEXT) FROM deliveries WHERE webhook_id = ?", wh.ID); n != "0" {
			t.Fatalf("%s deliveries left after the webhook was deleted", n)
		}
	})
}
