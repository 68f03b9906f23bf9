package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*webhookResource)(nil)
	_ resource.ResourceWithImportState    = (*webhookResource)(nil)
	_ resource.ResourceWithIdentity       = (*webhookResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*webhookResource)(nil)
	_ resource.ResourceWithValidateConfig = (*webhookResource)(nil)
)

// NewWebhookResource is the lowcode_webhook resource.
func NewWebhookResource() resource.Resource { return &webhookResource{} }

type webhookResource struct {
	client *client.Client
}

type webhookModel struct {
	ID                      types.String   `tfsdk:"id"`
	EventTypes              types.Set      `tfsdk:"event_types"`
	CallbackURL             types.String   `tfsdk:"callback_url"`
	Active                  types.Bool     `tfsdk:"active"`
	Description             types.String   `tfsdk:"description"`
	ApplicationID           types.String   `tfsdk:"application_id"`
	SecretWO                types.String   `tfsdk:"secret_wo"`
	SecretWOVersion         types.Int64    `tfsdk:"secret_wo_version"`
	Secret                  types.String   `tfsdk:"secret"`
	SecretUpdatedAt         types.String   `tfsdk:"secret_updated_at"`
	PreviousSecretExpiresAt types.String   `tfsdk:"previous_secret_expires_at"`
	DisabledReason          types.String   `tfsdk:"disabled_reason"`
	ETag                    types.String   `tfsdk:"etag"`
	CreatedAt               types.String   `tfsdk:"created_at"`
	UpdatedAt               types.String   `tfsdk:"updated_at"`
	Timeouts                timeouts.Value `tfsdk:"timeouts"`
}

func (r *webhookResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhook"
}

func (r *webhookResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("webhook")
}

func (r *webhookResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A webhook: the platform POSTs every event of the subscribed types (such as `order.created`) " +
			"to `callback_url`, signed with the webhook's secret (Standard Webhooks: `webhook-id`, `webhook-timestamp` " +
			"and `webhook-signature` headers) so that the receiver can check the call came from the platform.\n\n" +
			"**The signing secret.** Either let the platform generate one, which is kept (sensitive) in `secret` — it is " +
			"shown by the platform only once, so it cannot be recovered after an import — or supply your own with the " +
			"write-only `secret_wo` (Terraform 1.11 or later), which is never stored in the plan or state, together " +
			"with `secret_wo_version`. To change your secret, change `secret_wo` and raise `secret_wo_version`: the " +
			"provider rotates the secret with the platform's default overlap of 24 hours, during which deliveries are " +
			"signed with both the new and the previous secret, so receivers keep working while they switch over.\n\n" +
			"The platform deactivates a webhook whose receiver answers `410 Gone` (see `disabled_reason`); the next plan " +
			"then shows `active` changing back to `true`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the webhook, such as `whk_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"event_types": schema.SetAttribute{
				MarkdownDescription: "The event types delivered to the webhook, such as `order.created` and " +
					"`customer.updated` (dotted lowercase names), or `*` for every event. 1-50 types.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.Set{
					setvalidator.SizeBetween(1, 50),
					setvalidator.ValueStringsAre(webhookEventTypeValidator()),
				},
			},
			"callback_url": schema.StringAttribute{
				MarkdownDescription: "Where the platform sends the events: an absolute `http://` or `https://` URL, such as " +
					"`https://orders.example.com/webhooks/lowcode`. The platform refuses addresses its network policy " +
					"forbids (such as private networks, unless its operator allows them).",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthBetween(1, 2048), httpURLValidator{}},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether events are delivered. Defaults to `true`. The platform sets it to `false` " +
					"itself when the receiver answers `410 Gone`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the webhook is for. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(1000)},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "Subscribe to the events of this application (`app_…`) only; the application's " +
					"editors may then manage the webhook. Leave it out for platform-wide events (which needs the editor " +
					"role on the platform). Changing it replaces the webhook.",
				Optional:      true,
				Validators:    []validator.String{stringvalidator.LengthBetween(1, 64)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"secret_wo": schema.StringAttribute{
				MarkdownDescription: "Your own signing secret: `whsec_` followed by at least 16 bytes in base64, or any " +
					"text of 24 to 256 characters with at least 10 different ones (weaker secrets are refused). Write-only: it is sent to the platform but never stored in the plan or state. Set " +
					"`secret_wo_version` with it; the secret is sent on create and whenever `secret_wo_version` changes. " +
					"Leave it out to let the platform generate the secret (see `secret`).",
				Optional:   true,
				Sensitive:  true,
				WriteOnly:  true,
				Validators: []validator.String{stringvalidator.LengthBetween(24, 256), webhookSecretValidator{}},
			},
			"secret_wo_version": schema.Int64Attribute{
				MarkdownDescription: "A version number for `secret_wo`, kept in state because the secret is not: change " +
					"it (for example raise it by one) whenever you change `secret_wo`, and the provider rotates the " +
					"signing secret to the new value, keeping the previous one valid for 24 hours.",
				Optional: true,
				Validators: []validator.Int64{
					int64validator.AlsoRequires(path.MatchRoot("secret_wo")),
				},
			},
			"secret": schema.StringAttribute{
				MarkdownDescription: "The signing secret the platform generated, when `secret_wo` is not set; `null` " +
					"when you supply the secret with `secret_wo`, and after an import (the platform shows a generated " +
					"secret only once).",
				Computed:  true,
				Sensitive: true,
			},
			"secret_updated_at": schema.StringAttribute{
				MarkdownDescription: "When the signing secret was last set or rotated (RFC 3339).",
				Computed:            true,
			},
			"previous_secret_expires_at": schema.StringAttribute{
				MarkdownDescription: "After a rotation, until when deliveries are also signed with the previous secret " +
					"(RFC 3339); `null` when the secret was never rotated.",
				Computed: true,
			},
			"disabled_reason": schema.StringAttribute{
				MarkdownDescription: "Why the platform deactivated the webhook (its receiver answered `410 Gone`); `null` " +
					"while the webhook is active or was turned off by a user.",
				Computed: true,
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the webhook the provider last read; sent as `If-Match` so that a " +
					"change made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the webhook was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the webhook last changed (RFC 3339).",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

// ValidateConfig warns about a secret_wo without secret_wo_version: Terraform cannot see a
// change of a write-only value, so a new secret would never be sent.
func (r *webhookResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var secret types.String
	var version types.Int64
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &secret)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo_version"), &version)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !secret.IsNull() && version.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("secret_wo_version"), "secret_wo without secret_wo_version",
			"secret_wo is write-only, so Terraform cannot notice when it changes: it is sent when the webhook is "+
				"created, but a later change is ignored. Set secret_wo_version (for example to 1) and raise it "+
				"whenever you change secret_wo.")
	}
}

func (r *webhookResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

// secretChange is what an update does to the signing secret.
type secretChange int

const (
	secretKept      secretChange = iota
	secretGiven                  // rotate to the secret_wo value
	secretGenerated              // rotate to a secret the platform generates (secret_wo removed)
)

// planSecretChange decides the secret's fate from the configured secret_wo, the planned
// secret_wo_version and the prior state:
//   - a new secret_wo_version, or secret_wo replacing a generated secret: rotate to secret_wo;
//   - secret_wo removed after it had been used (no generated secret known): rotate to a
//     generated secret, which is then kept in `secret`;
//   - otherwise the secret stays.
func planSecretChange(configSecret types.String, planVersion types.Int64, state *webhookModel) secretChange {
	given := !configSecret.IsNull()
	switch {
	case given && (!planVersion.Equal(state.SecretWOVersion) || !state.Secret.IsNull()):
		return secretGiven
	case !given && state.Secret.IsNull() && !state.SecretWOVersion.IsNull():
		return secretGenerated
	default:
		return secretKept
	}
}

// ModifyPlan plans the secret and its timestamps: kept from state unless the secret rotates,
// and null whenever the user supplies the secret.
func (r *webhookResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var configSecret types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &configSecret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if req.State.Raw.IsNull() {
		if !configSecret.IsNull() {
			resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret"), types.StringNull())...)
		}
		return
	}
	var state webhookModel
	var planVersion types.Int64
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("secret_wo_version"), &planVersion)...)
	if resp.Diagnostics.HasError() {
		return
	}
	secret, updated, previous := state.Secret, state.SecretUpdatedAt, state.PreviousSecretExpiresAt
	switch planSecretChange(configSecret, planVersion, &state) {
	case secretGiven:
		secret, updated, previous = types.StringNull(), types.StringUnknown(), types.StringUnknown()
	case secretGenerated:
		secret, updated, previous = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret"), secret)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("secret_updated_at"), updated)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("previous_secret_expires_at"), previous)...)
}

func (r *webhookResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan webhookModel
	var configSecret types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &configSecret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in.Secret = stringPtr(configSecret)
	tflog.Debug(ctx, "creating webhook", map[string]any{"callback_url": in.CallbackURL, "own_secret": in.Secret != nil})
	wh, err := r.client.CreateWebhook(ctx, in)
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, "Error creating webhook", "webhook for "+in.CallbackURL, err)
		return
	}
	plan.fromAPI(wh)
	plan.Secret = types.StringNull()
	if in.Secret == nil {
		plan.Secret = stringOrNull(wh.Secret)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *webhookResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	wh, err := r.client.GetWebhook(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "webhook", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, "Error reading webhook", "webhook "+state.ID.ValueString(), err)
		return
	}
	// The platform never shows the secret again: `secret` stays as it was.
	state.fromAPI(wh)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *webhookResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state webhookModel
	var configSecret types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("secret_wo"), &configSecret)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	id, etag := state.ID.ValueString(), state.ETag.ValueString()
	var wh *api.Webhook
	if plan.settingsChanged(&state) {
		in := plan.toAPI(ctx, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		var err error
		if wh, err = r.client.ReplaceWebhook(ctx, id, etag, in); err != nil {
			apiErrorDiag(&resp.Diagnostics, "Error updating webhook", "webhook "+id, err)
			return
		}
		etag = wh.Etag
	}

	plan.Secret = state.Secret
	change := planSecretChange(configSecret, plan.SecretWOVersion, &state)
	if change != secretKept {
		// rotate-secret rather than a secret in the PUT: the previous secret stays valid for
		// the platform's default overlap (24 hours), so receivers keep accepting deliveries
		// while they switch to the new one.
		rotate := api.RotateSecretRequest{}
		if change == secretGiven {
			rotate.Secret = stringPtr(configSecret)
		}
		tflog.Debug(ctx, "rotating webhook secret", map[string]any{"id": id, "own_secret": rotate.Secret != nil})
		rotated, err := r.client.RotateWebhookSecret(ctx, id, etag, rotate)
		if err != nil {
			if wh != nil {
				// The settings did change: keep them in state so the next plan only retries the rotation.
				state.fromAPI(wh)
				resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
				setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
			}
			apiErrorDiag(&resp.Diagnostics, "Error rotating webhook secret", "webhook "+id, err)
			return
		}
		wh = rotated
		plan.Secret = types.StringNull()
		if change == secretGenerated {
			plan.Secret = stringOrNull(rotated.Secret)
		}
	}
	if wh == nil {
		// Only bookkeeping changed (such as timeouts): read the webhook as it is.
		var err error
		if wh, err = r.client.GetWebhook(ctx, id); err != nil {
			apiErrorDiag(&resp.Diagnostics, "Error reading webhook", "webhook "+id, err)
			return
		}
	}
	plan.fromAPI(wh)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *webhookResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state webhookModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.client.DeleteWebhook(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, "Error deleting webhook", "webhook "+state.ID.ValueString(), err)
	}
}

func (r *webhookResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp)
}

// settingsChanged reports whether the planned webhook differs from state in what a PUT sets.
func (m *webhookModel) settingsChanged(state *webhookModel) bool {
	return !m.EventTypes.Equal(state.EventTypes) || !m.CallbackURL.Equal(state.CallbackURL) ||
		!m.Active.Equal(state.Active) || !m.Description.Equal(state.Description)
}

// toAPI builds the webhook's settings; the secret is added by the caller from the config.
func (m *webhookModel) toAPI(ctx context.Context, diags *diag.Diagnostics) api.WebhookInput {
	return api.WebhookInput{
		EventTypes:    stringsFromSet(ctx, m.EventTypes, diags),
		CallbackURL:   m.CallbackURL.ValueString(),
		Active:        boolPtr(m.Active),
		Description:   stringPtr(m.Description),
		ApplicationID: stringPtr(m.ApplicationID),
	}
}

// fromAPI refreshes everything but the secret, which the platform shows only once, and
// secret_wo_version, which only the configuration knows.
func (m *webhookModel) fromAPI(wh *api.Webhook) {
	m.ID = types.StringValue(wh.ID)
	m.EventTypes = stringSet(wh.EventTypes)
	m.CallbackURL = types.StringValue(wh.CallbackURL)
	m.Active = types.BoolValue(wh.Active)
	m.Description = types.StringValue(wh.Description)
	m.ApplicationID = applicationIDValue(wh.ApplicationID)
	m.SecretWO = types.StringNull()
	m.SecretUpdatedAt = timeString(wh.SecretUpdatedAt)
	m.PreviousSecretExpiresAt = optionalTime(wh.PreviousSecretExpiresAt)
	m.DisabledReason = stringOrNull(wh.DisabledReason)
	m.ETag = types.StringValue(wh.Etag)
	m.CreatedAt = timeString(wh.CreatedAt)
	m.UpdatedAt = timeString(wh.UpdatedAt)
}
