package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*webhookDataSource)(nil)

// NewWebhookDataSource is the lowcode_webhook data source.
func NewWebhookDataSource() datasource.DataSource { return &webhookDataSource{} }

type webhookDataSource struct {
	client *client.Client
}

// webhookDataModel is a webhook as the data source shows it: the resource's attributes without
// the secret (which the platform shows only once), etag and timeouts.
type webhookDataModel struct {
	ID                      types.String `tfsdk:"id"`
	EventTypes              types.Set    `tfsdk:"event_types"`
	CallbackURL             types.String `tfsdk:"callback_url"`
	Active                  types.Bool   `tfsdk:"active"`
	Description             types.String `tfsdk:"description"`
	ApplicationID           types.String `tfsdk:"application_id"`
	SecretUpdatedAt         types.String `tfsdk:"secret_updated_at"`
	PreviousSecretExpiresAt types.String `tfsdk:"previous_secret_expires_at"`
	DisabledReason          types.String `tfsdk:"disabled_reason"`
	CreatedAt               types.String `tfsdk:"created_at"`
	UpdatedAt               types.String `tfsdk:"updated_at"`
}

func (d *webhookDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_webhook"
}

func (d *webhookDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one webhook by id: its subscribed event types, callback URL, whether it is active " +
			"(and why the platform deactivated it, if it did) and when its signing secret last changed. The secret " +
			"itself is never readable.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the webhook to read, such as `whk_0193…`.",
				Required:            true,
			},
			"event_types": schema.SetAttribute{
				MarkdownDescription: "The event types delivered to the webhook; `*` stands for every event.",
				ElementType:         types.StringType,
				Computed:            true,
			},
			"callback_url": schema.StringAttribute{
				MarkdownDescription: "Where the platform sends the events.",
				Computed:            true,
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether events are delivered.",
				Computed:            true,
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the webhook is for.",
				Computed:            true,
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "The application whose events the webhook receives; `null` for platform-wide events.",
				Computed:            true,
			},
			"secret_updated_at": schema.StringAttribute{
				MarkdownDescription: "When the signing secret was last set or rotated (RFC 3339).",
				Computed:            true,
			},
			"previous_secret_expires_at": schema.StringAttribute{
				MarkdownDescription: "After a rotation, until when deliveries are also signed with the previous secret (RFC 3339).",
				Computed:            true,
			},
			"disabled_reason": schema.StringAttribute{
				MarkdownDescription: "Why the platform deactivated the webhook (its receiver answered `410 Gone`), if it did.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the webhook was created (RFC 3339).",
				Computed:            true,
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the webhook last changed (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *webhookDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *webhookDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var id types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("id"), &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	wh, err := d.client.GetWebhook(ctx, id.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("id"), "Webhook not found",
			fmt.Sprintf("There is no webhook with id %q on the platform, or the API key may not read it. Check the id.", id.ValueString()))
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "webhook", "webhook "+id.ValueString(), err)
		return
	}
	state := webhookData(wh)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}

func webhookData(wh *api.Webhook) webhookDataModel {
	return webhookDataModel{
		ID:                      types.StringValue(wh.ID),
		EventTypes:              stringSet(wh.EventTypes),
		CallbackURL:             types.StringValue(wh.CallbackURL),
		Active:                  types.BoolValue(wh.Active),
		Description:             types.StringValue(wh.Description),
		ApplicationID:           applicationIDValue(wh.ApplicationID),
		SecretUpdatedAt:         timeString(wh.SecretUpdatedAt),
		PreviousSecretExpiresAt: optionalTime(wh.PreviousSecretExpiresAt),
		DisabledReason:          stringOrNull(wh.DisabledReason),
		CreatedAt:               timeString(wh.CreatedAt),
		UpdatedAt:               timeString(wh.UpdatedAt),
	}
}
