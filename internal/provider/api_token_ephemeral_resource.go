package provider

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ ephemeral.EphemeralResourceWithConfigure = (*apiTokenEphemeralResource)(nil)
	_ ephemeral.EphemeralResourceWithClose     = (*apiTokenEphemeralResource)(nil)
)

// NewAPITokenEphemeralResource is the lowcode_api_token ephemeral resource.
func NewAPITokenEphemeralResource() ephemeral.EphemeralResource { return &apiTokenEphemeralResource{} }

type apiTokenEphemeralResource struct {
	client *client.Client
}

type apiTokenModel struct {
	Description types.String `tfsdk:"description"`
	MaxRole     types.String `tfsdk:"max_role"`
	TTLSeconds  types.Int64  `tfsdk:"ttl_seconds"`
	UserID      types.String `tfsdk:"user_id"`
	ID          types.String `tfsdk:"id"`
	Token       types.String `tfsdk:"token"`
	ExpiresAt   types.String `tfsdk:"expires_at"`
}

// defaultTokenTTL is the token lifetime when ttl_seconds is left out, as on the platform.
const defaultTokenTTL = 3600

// apiTokenPrivateKey is the private data key under which Open leaves the token's id for Close.
const apiTokenPrivateKey = "token_id"

func (e *apiTokenEphemeralResource) Metadata(_ context.Context, req ephemeral.MetadataRequest, resp *ephemeral.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_api_token"
}

func (e *apiTokenEphemeralResource) Schema(_ context.Context, _ ephemeral.SchemaRequest, resp *ephemeral.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A short-lived platform API token for the length of one Terraform run, for example to " +
			"configure a second `lowcode` provider that may only read. The token is issued when Terraform needs it and " +
			"revoked when the run ends; it is never written to the plan or the state. Needs Terraform 1.10 or later.\n\n" +
			"The token acts as its user, capped at `max_role`: it can never do more than the user's roles allow. " +
			"When an apply fails, Terraform may end the run without closing ephemeral resources; the token then works " +
			"until `expires_at`, so keep `ttl_seconds` close to the length of a run.",
		Attributes: map[string]schema.Attribute{
			"description": schema.StringAttribute{
				MarkdownDescription: "What the token is for, shown in the platform's audit log; up to 200 characters.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, 200)},
			},
			"max_role": schema.StringAttribute{
				MarkdownDescription: "The most the token may do, whatever its user's roles: `viewer`, `editor`, `admin` or " +
					"`owner`. It cannot exceed the highest role of the provider's own API key. Defaults to that highest role.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{stringvalidator.OneOf(roleValues...)},
			},
			"ttl_seconds": schema.Int64Attribute{
				MarkdownDescription: "How long the token lives, in seconds: 60 to 7776000 (90 days). Default `3600`. " +
					"The token is revoked when the run ends; make this longer than the run, but not much longer.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.Int64{int64validator.Between(60, 7776000)},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The user the token acts as (`usr_…`). Defaults to the user of the provider's API key; " +
					"another user needs the `admin` role on the platform.",
				Optional: true,
				Computed: true,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The token's id, such as `tok_0193…`, as the audit log names it.",
				Computed:            true,
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "The bearer token (`lck_…`), for a provider's `api_key`.",
				Computed:            true,
				Sensitive:           true,
			},
			"expires_at": schema.StringAttribute{
				MarkdownDescription: "When the token stops working (RFC 3339), unless revoked before.",
				Computed:            true,
			},
		},
	}
}

func (e *apiTokenEphemeralResource) Configure(_ context.Context, req ephemeral.ConfigureRequest, resp *ephemeral.ConfigureResponse) {
	e.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (e *apiTokenEphemeralResource) Open(ctx context.Context, req ephemeral.OpenRequest, resp *ephemeral.OpenResponse) {
	var m apiTokenModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ttl := defaultTokenTTL
	if !m.TTLSeconds.IsNull() {
		ttl = int(m.TTLSeconds.ValueInt64())
	}
	in := api.APITokenInput{Description: stringPtr(m.Description), TTLSeconds: &ttl, UserID: stringPtr(m.UserID)}
	if !m.MaxRole.IsNull() {
		role := api.Role(m.MaxRole.ValueString())
		in.MaxRole = &role
	}
	tflog.Debug(ctx, "issuing API token", map[string]any{"description": m.Description.ValueString(), "ttl_seconds": ttl})
	tok, err := e.client.CreateAPIToken(ctx, in)
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opIssue, "API token", "API token "+m.Description.ValueString(), err)
		return
	}
	ctx = tflog.MaskAllFieldValuesStrings(ctx, tok.Token)

	// Close receives only the private data, so the id travels there.
	id, err := json.Marshal(tok.ID)
	if err != nil {
		resp.Diagnostics.AddError("Error issuing API token", "encoding the token id: "+err.Error())
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, apiTokenPrivateKey, id)...)

	m.ID = types.StringValue(tok.ID)
	m.Token = types.StringValue(tok.Token)
	m.UserID = types.StringValue(tok.UserID)
	m.MaxRole = types.StringValue(string(tok.MaxRole))
	m.TTLSeconds = types.Int64Value(int64(ttl))
	m.ExpiresAt = timeString(tok.ExpiresAt)
	tflog.Debug(ctx, "issued API token", map[string]any{"id": tok.ID, "expires_at": m.ExpiresAt.ValueString()})
	resp.Diagnostics.Append(resp.Result.Set(ctx, &m)...)
}

// Close revokes the token. One that is already gone (it expired, or its user was deleted)
// needs nothing more.
func (e *apiTokenEphemeralResource) Close(ctx context.Context, req ephemeral.CloseRequest, resp *ephemeral.CloseResponse) {
	raw, diags := req.Private.GetKey(ctx, apiTokenPrivateKey)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() || raw == nil {
		return
	}
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		resp.Diagnostics.AddError("Error revoking API token",
			"Reading the token id from private data: "+err.Error()+". This is a bug in the provider; please report it. "+
				"The token expires by itself at its expires_at.")
		return
	}
	tflog.Debug(ctx, "revoking API token", map[string]any{"id": id})
	if err := e.client.DeleteAPIToken(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, opRevoke, "API token", "API token "+id+" (it expires by itself at its expires_at)", err)
	}
}
