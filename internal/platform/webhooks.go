package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/netguard"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// defaultOverlapSeconds is the contract's default for how long a rotated-out secret stays valid.
const defaultOverlapSeconds = 86400

// wildcardEventType subscribes a webhook to every event type.
const wildcardEventType = "*"

// callbackPolicy is the SSRF policy for webhook callbacks and http steps, from the server's
// settings.
func (s *Server) callbackPolicy() netguard.Policy {
	return netguard.Policy{AllowLoopback: s.cfg.AllowLoopbackCallbacks, AllowPrivate: s.cfg.AllowPrivateCallbacks}
}

// validateWebhook checks what the contract cannot express. cur is the stored webhook on
// updates: its callback URL, if unchanged, is not held against a policy tightened since it was
// saved, so that such a webhook can still be edited (and deactivated).
func (s *Server) validateWebhook(in api.WebhookInput, cur *api.Webhook) error {
	var errs []api.FieldError
	errs = append(errs, checkEventTypes("event_types", in.EventTypes)...)
	if cur == nil || cur.CallbackURL != in.CallbackURL {
		errs = append(errs, s.checkCallbackURL("callback_url", in.CallbackURL)...)
	}
	if in.Secret != nil {
		errs = append(errs, checkSigningSecret("secret", *in.Secret)...)
	}
	return invalid(errs...)
}

// checkEventTypes accepts dotted event types and the wildcard, each at most once.
func checkEventTypes(field string, types []string) []api.FieldError {
	var errs []api.FieldError
	dups := repeats(types, func(s string) string { return s })
	for i, et := range types {
		at := fmt.Sprintf("%s[%d]", field, i)
		if j, dup := dups[i]; dup {
			errs = append(errs, FieldError(at, "%q is already listed at %s[%d]; list each event type once", et, field, j))
		} else if et != wildcardEventType {
			errs = append(errs, checkEventType(at, et)...)
		}
	}
	return errs
}

// repeats maps the index of every item whose key an earlier item already had to that earlier
// item's index, for "listed twice" errors.
func repeats(items []string, key func(string) string) map[int]int {
	first, dups := map[string]int{}, map[int]int{}
	for i, item := range items {
		k := key(item)
		if j, seen := first[k]; seen {
			dups[i] = j
		} else {
			first[k] = i
		}
	}
	return dups
}

// checkCallbackURL refuses URLs the server may not call: not http(s), or an IP literal in a
// range the SSRF policy refuses. Host names are checked again when delivering, after DNS.
func (s *Server) checkCallbackURL(field, raw string) []api.FieldError {
	if errs := checkHTTPURL(field, raw); errs != nil {
		return errs
	}
	if err := s.callbackPolicy().CheckURL(raw); err != nil {
		return []api.FieldError{FieldError(field, "%s", err.Error())}
	}
	return nil
}

// checkSigningSecret refuses a secret deliveries could not be signed with; the message never
// repeats the secret.
func checkSigningSecret(field, secret string) []api.FieldError {
	if err := signing.CheckStrength(secret); err != nil {
		return []api.FieldError{FieldError(field, "%s: %s", err.Error(), signing.StrengthRule)}
	}
	return nil
}

// webhookTarget is what a grant must cover to act on a webhook: its application, or the
// platform for platform-wide webhooks.
func webhookTarget(wh *api.Webhook) Target { return Target{ApplicationID: wh.ApplicationID} }

// ListWebhooks lists the webhooks the caller may read. event_type matches the listed types
// exactly ("*" finds wildcard subscribers); an empty application_id finds platform-wide ones.
func (s *Server) ListWebhooks(w http.ResponseWriter, r *http.Request, params api.ListWebhooksParams) {
	var filters []store.Filter
	if all, apps, _ := readable(principal(r)); !all {
		filters = append(filters, store.In("application_id", apps))
	}
	if params.EventType != nil {
		filters = append(filters, store.WebhookEventType(*params.EventType))
	}
	if params.ApplicationID != nil {
		filters = append(filters, applicationFilter(*params.ApplicationID))
	}
	if params.Active != nil {
		filters = append(filters, store.Eq("active", *params.Active))
	}
	writeList(s, w, r, store.Webhooks, filters, page(params.PageSize, params.PageToken))
}

// applicationFilter matches objects of one application, or platform-wide ones for "".
func applicationFilter(appID string) store.Filter {
	if appID == "" {
		return store.PlatformWide()
	}
	return store.Eq("application_id", appID)
}

// CreateWebhook needs the editor role on the webhook's application, or on the platform for a
// platform-wide webhook. A generated secret is in this response only; a given one is never
// echoed.
func (s *Server) CreateWebhook(w http.ResponseWriter, r *http.Request, params api.CreateWebhookParams) {
	var in api.WebhookInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.validateWebhook(in, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutateOpening(w, r, params.IdempotencyKey, s.openResponseSecret, func(ctx context.Context, q *store.Q) (int, any, error) {
		appID := deref(in.ApplicationID)
		if err := s.checkScopeRef(ctx, q, r, appID, api.Editor, "webhooks"); err != nil {
			return 0, nil, err
		}
		now := s.now()
		newID, err := newObjectID(ctx, q, store.Webhooks, "whk", "webhook", params.ID)
		if err != nil {
			return 0, nil, err
		}
		wh := api.Webhook{ID: newID, ApplicationID: appID, CreatedAt: now, SecretUpdatedAt: now}
		applyWebhookInput(&wh, in, now)
		secret := deref(in.Secret)
		if in.Secret == nil {
			secret = signing.GenerateSecret()
		}
		sealed := store.WebhookSecrets{Current: s.sealer.seal(secret, wh.ID)}
		if err := store.Webhooks.Create(ctx, q, &wh, sealed.Columns()...); err != nil {
			return 0, nil, err
		}
		if err := q.SetWebhookEventTypes(ctx, wh.ID, wh.EventTypes); err != nil {
			return 0, nil, err
		}
		resp := wh
		if in.Secret == nil {
			resp.Secret = ptr(s.sealResponseSecret(wh.ID, secret))
		}
		return http.StatusCreated, resp, s.audit(ctx, q, r, "create", "webhook", wh.ID, "", wh.Etag)
	})
}

// checkScopeRef decides whether the caller may create objects of kind in an application (or,
// for "", platform-wide) with role. An application the caller cannot read is a field error
// worded like a missing one, so that the answer does not reveal which applications exist.
func (s *Server) checkScopeRef(ctx context.Context, q *store.Q, r *http.Request, appID string, role api.Role, kind string) error {
	p := principal(r)
	if appID == "" {
		if !can(p, Platform, role) {
			return forbidden(fmt.Sprintf("platform-wide %s need the %s role on the platform; set application_id to limit it to an application you hold that role on", kind, role))
		}
		return nil
	}
	_, err := store.Applications.Get(ctx, q, appID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || !can(p, applicationTarget(appID), api.Viewer) {
		return unreadableParent("application_id", "there is no application with id %q, or you may not read it", appID)
	}
	if !can(p, applicationTarget(appID), role) {
		return forbidden(fmt.Sprintf("%s of application %s need the %s role on it (or on the platform)", kind, appID, role))
	}
	return nil
}

// applyWebhookInput sets wh from a validated input with the contract's defaults. The secret is
// not part of the stored document.
func applyWebhookInput(wh *api.Webhook, in api.WebhookInput, now time.Time) {
	wh.EventTypes = slices.Clone(in.EventTypes)
	wh.CallbackURL = in.CallbackURL
	wh.Active = in.Active == nil || *in.Active
	wh.Description = deref(in.Description)
	if wh.Active {
		wh.DisabledReason = nil // turned back on by a user: the server's reason no longer holds
	}
	wh.Secret = nil
	wh.Etag, wh.UpdatedAt = store.NewETag(), now
}

// GetWebhook reads one webhook (never its secret).
func (s *Server) GetWebhook(w http.ResponseWriter, r *http.Request, id api.ID) {
	wh, err := s.readWebhook(r.Context(), s.store.Read(), r, id, api.Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wh)
}

// readWebhook loads a webhook and checks the caller holds role on it; one the caller may not
// read is a 404 like a missing one.
func (s *Server) readWebhook(ctx context.Context, q *store.Q, r *http.Request, id string, role api.Role) (*api.Webhook, error) {
	wh, err := store.Webhooks.Get(ctx, q, id)
	if err == nil {
		err = authorize(principal(r), webhookTarget(wh), role, "webhook", id)
	}
	if err != nil {
		return nil, notFoundAs(err, "webhook", id)
	}
	return wh, nil
}

// ReplaceWebhook replaces every field but the application, which cannot change. A secret given
// here replaces the signing secret at once, with no overlap.
func (s *Server) ReplaceWebhook(w http.ResponseWriter, r *http.Request, id api.ID, params api.ReplaceWebhookParams) {
	var in api.WebhookInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateWebhook(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.Webhook) (api.WebhookInput, error) {
		if deref(in.ApplicationID) != cur.ApplicationID {
			return in, invalid(FieldError("application_id", "cannot be changed: the webhook belongs to %s; "+
				"create a new webhook there instead", scopeName(cur.ApplicationID)))
		}
		return in, nil
	})
}

// scopeName describes an object's scope: its application, or the platform.
func scopeName(appID string) string {
	if appID == "" {
		return "the whole platform (no application_id)"
	}
	return "application " + appID
}

// PatchWebhook changes the fields present in the body.
func (s *Server) PatchWebhook(w http.ResponseWriter, r *http.Request, id api.ID, params api.PatchWebhookParams) {
	var patch api.WebhookPatch
	if err := decode(r, &patch); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateWebhook(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.Webhook) (api.WebhookInput, error) {
		in := api.WebhookInput{ApplicationID: &cur.ApplicationID, EventTypes: cur.EventTypes, CallbackURL: cur.CallbackURL,
			Active: &cur.Active, Description: &cur.Description}
		if patch.EventTypes != nil {
			in.EventTypes = *patch.EventTypes
		}
		if patch.CallbackURL != nil {
			in.CallbackURL = *patch.CallbackURL
		}
		if patch.Active != nil {
			in.Active = patch.Active
		}
		if patch.Description != nil {
			in.Description = patch.Description
		}
		return in, nil
	})
}

func (s *Server) updateWebhook(w http.ResponseWriter, r *http.Request, id string, key, etag *string, next func(*api.Webhook) (api.WebhookInput, error)) {
	s.mutateOpening(w, r, key, s.openResponseSecret, func(ctx context.Context, q *store.Q) (int, any, error) {
		wh, err := s.readWebhook(ctx, q, r, id, api.Editor)
		if err != nil {
			return 0, nil, err
		}
		if err := checkETag(etag, wh.Etag); err != nil {
			return 0, nil, err
		}
		in, err := next(wh)
		if err == nil {
			err = s.validateWebhook(in, wh)
		}
		if err != nil {
			return 0, nil, err
		}
		before, now := wh.Etag, s.now()
		applyWebhookInput(wh, in, now)
		var secretColumns []store.Column
		if in.Secret != nil {
			wh.SecretUpdatedAt, wh.PreviousSecretExpiresAt = now, nil
			secretColumns = store.WebhookSecrets{Current: s.sealer.seal(*in.Secret, id)}.Columns()
		}
		if err := store.Webhooks.Update(ctx, q, wh, before, secretColumns...); err != nil {
			return 0, nil, err
		}
		if err := q.SetWebhookEventTypes(ctx, id, wh.EventTypes); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, wh, s.audit(ctx, q, r, "update", "webhook", id, before, wh.Etag)
	})
}

// DeleteWebhook deletes the webhook with its delivery history (ON DELETE CASCADE).
func (s *Server) DeleteWebhook(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteWebhookParams) {
	deleteObject(s, w, r, params.IdempotencyKey, params.IfMatch, store.Webhooks, "webhook", id,
		func(ctx context.Context, q *store.Q) (*api.Webhook, error) {
			return s.readWebhook(ctx, q, r, id, api.Editor)
		})
}

// RotateWebhookSecret replaces the signing secret and keeps the one it replaces valid for
// overlap_seconds, so receivers can switch without missing a delivery. Only one previous secret
// is kept: rotating again during an overlap ends the older secret at once. The new secret is
// in the response whether it was given or generated, because the caller asked for it to change.
func (s *Server) RotateWebhookSecret(w http.ResponseWriter, r *http.Request, id api.ID, params api.RotateWebhookSecretParams) {
	var in api.RotateSecretRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.Secret != nil {
		if err := invalid(checkSigningSecret("secret", *in.Secret)...); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.mutateOpening(w, r, params.IdempotencyKey, s.openResponseSecret, func(ctx context.Context, q *store.Q) (int, any, error) {
		wh, err := s.readWebhook(ctx, q, r, id, api.Editor)
		if err != nil {
			return 0, nil, err
		}
		if err := checkETag(params.IfMatch, wh.Etag); err != nil {
			return 0, nil, err
		}
		old, err := q.GetWebhookSecrets(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		secret := deref(in.Secret)
		if in.Secret == nil {
			secret = signing.GenerateSecret()
		}
		now := s.now()
		expires := now.Add(time.Duration(deref(in.OverlapSeconds)) * time.Second)
		if in.OverlapSeconds == nil {
			expires = now.Add(defaultOverlapSeconds * time.Second)
		}
		// The sealed current secret moves to the previous slot as it is: both are sealed for
		// this webhook.
		sealed := store.WebhookSecrets{Current: s.sealer.seal(secret, id), Previous: old.Current, PreviousExpiresAt: &expires}
		before := wh.Etag
		wh.Etag, wh.UpdatedAt, wh.SecretUpdatedAt, wh.PreviousSecretExpiresAt = store.NewETag(), now, now, &expires
		if err := store.Webhooks.Update(ctx, q, wh, before, sealed.Columns()...); err != nil {
			return 0, nil, err
		}
		resp := *wh
		resp.Secret = ptr(s.sealResponseSecret(id, secret))
		return http.StatusOK, resp, s.audit(ctx, q, r, "rotate_secret", "webhook", id, before, wh.Etag)
	})
}

// webhookSecrets returns the secrets a delivery of webhook id is signed with at this moment:
// the current one first, then the previous one while its overlap lasts.
func (s *Server) webhookSecrets(ctx context.Context, q *store.Q, id string) ([]string, error) {
	sealed, err := q.GetWebhookSecrets(ctx, id)
	if err != nil {
		return nil, err
	}
	current, err := s.sealer.open(sealed.Current, id)
	if err != nil {
		return nil, fmt.Errorf("webhook %s: %w", id, err)
	}
	secrets := []string{current}
	if sealed.Previous != "" && sealed.PreviousExpiresAt != nil && s.now().Before(*sealed.PreviousExpiresAt) {
		previous, err := s.sealer.open(sealed.Previous, id)
		if err != nil {
			return nil, fmt.Errorf("webhook %s (previous secret): %w", id, err)
		}
		secrets = append(secrets, previous)
	}
	return secrets, nil
}

// ListWebhookDeliveries lists a webhook's deliveries, newest first.
func (s *Server) ListWebhookDeliveries(w http.ResponseWriter, r *http.Request, id api.ID, params api.ListWebhookDeliveriesParams) {
	if _, err := s.readWebhook(r.Context(), s.store.Read(), r, id, api.Viewer); err != nil {
		s.fail(w, r, err)
		return
	}
	filters := []store.Filter{store.Eq("webhook_id", id)}
	if params.Status != nil {
		filters = append(filters, store.Eq("status", string(*params.Status)))
	}
	writeList(s, w, r, store.Deliveries, filters, page(params.PageSize, params.PageToken))
}

// Secrets in responses. A response is stored whole as its idempotency record so that a retry
// gets the first answer, secret included; the record must not hold the secret in the clear,
// so handlers put it in the response sealed (for the response, not for the webhook row), and
// mutateWebhook opens it on the way out, for first answers and replays alike.

// responseSecretContext binds a sealed response secret to the response of one webhook.
func responseSecretContext(id string) string { return "response:" + id }

func (s *Server) sealResponseSecret(id, secret string) string {
	return s.sealer.seal(secret, responseSecretContext(id))
}

func (s *Server) openResponseSecret(body []byte) ([]byte, error) {
	var wh api.Webhook
	if err := json.Unmarshal(body, &wh); err != nil || wh.Secret == nil {
		return body, err
	}
	secret, err := s.sealer.open(*wh.Secret, responseSecretContext(wh.ID))
	if err != nil {
		return nil, fmt.Errorf("opening the secret of webhook %s's stored response: %w", wh.ID, err)
	}
	wh.Secret = &secret
	out, err := json.Marshal(wh)
	return append(out, '\n'), err
}
