package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

var (
	_ resource.ResourceWithConfigure   = (*customIntegrationResource)(nil)
	_ resource.ResourceWithImportState = (*customIntegrationResource)(nil)
	_ resource.ResourceWithIdentity    = (*customIntegrationResource)(nil)
)

// NewCustomIntegrationResource is the lowcode_custom_integration resource.
func NewCustomIntegrationResource() resource.Resource { return &customIntegrationResource{} }

type customIntegrationResource struct {
	client *client.Client
}

type customIntegrationModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	CodeRepo    types.String   `tfsdk:"code_repo"`
	APIVersion  types.String   `tfsdk:"api_version"`
	Description types.String   `tfsdk:"description"`
	ETag        types.String   `tfsdk:"etag"`
	CreatedAt   types.String   `tfsdk:"created_at"`
	UpdatedAt   types.String   `tfsdk:"updated_at"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *customIntegrationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_custom_integration"
}

func (r *customIntegrationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("custom integration")
}

func (r *customIntegrationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A custom integration: code kept outside the platform (such as a CRM sync service) that " +
			"works with the platform through its API, registered so that the platform knows where the code lives " +
			"and which API version it targets. Integrations are platform-wide; managing them needs the editor role " +
			"on the platform.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the integration, such as `int_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The integration's name, unique on the platform: 1-100 letters, digits, `-`, `_` or " +
					"`.`, such as `crm-sync`.",
				Required:   true,
				Validators: []validator.String{nameValidator()},
			},
			"code_repo": schema.StringAttribute{
				MarkdownDescription: "Where the integration's code lives: a URL git can clone (`https://`, `http://`, " +
					"`ssh://` or `git://`, without a password) or `host/owner/repo`, such as `github.com/company/crm-sync`.",
				Required:   true,
				Validators: []validator.String{stringvalidator.UTF8LengthBetween(1, 500), codeRepoValidator{}},
			},
			"api_version": schema.StringAttribute{
				MarkdownDescription: "The platform API version the integration targets: `v` and a number, such as `v2`.",
				Required:            true,
				Validators:          []validator.String{apiVersionValidator()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the integration does. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(fields.DescriptionMax)},
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the integration the provider last read; sent as `If-Match` so that " +
					"a change made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the integration was registered (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the integration last changed (RFC 3339).",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

func (r *customIntegrationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *customIntegrationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan customIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	in := plan.toAPI()
	tflog.Debug(ctx, "creating custom integration", map[string]any{"name": in.Name, "code_repo": in.CodeRepo})
	integration, err := r.client.CreateIntegration(ctx, in)
	if err != nil {
		keepUnknownOutcome(ctx, resp, err)
		apiErrorDiag(&resp.Diagnostics, opCreate, "custom integration", "custom integration "+in.Name, err)
		return
	}
	plan.fromAPI(integration)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *customIntegrationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state customIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	integration, err := r.client.GetIntegration(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "custom integration", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "custom integration", "custom integration "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(integration)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *customIntegrationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state customIntegrationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Update, defaultUpdateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	integration, err := r.client.ReplaceIntegration(ctx, state.ID.ValueString(), state.ETag.ValueString(), plan.toAPI())
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opUpdate, "custom integration", "custom integration "+state.ID.ValueString(), err)
		return
	}
	plan.fromAPI(integration)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *customIntegrationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state customIntegrationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	err := r.client.DeleteIntegration(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, opDelete, "custom integration", "custom integration "+state.ID.ValueString(), err)
	}
}

func (r *customIntegrationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp, "custom integration", "int_")
}

func (m *customIntegrationModel) toAPI() api.IntegrationInput {
	return api.IntegrationInput{
		Name:        m.Name.ValueString(),
		CodeRepo:    m.CodeRepo.ValueString(),
		APIVersion:  m.APIVersion.ValueString(),
		Description: stringPtr(m.Description),
	}
}

func (m *customIntegrationModel) fromAPI(in *api.Integration) {
	m.ID = types.StringValue(in.ID)
	m.Name = types.StringValue(in.Name)
	m.CodeRepo = types.StringValue(in.CodeRepo)
	m.APIVersion = types.StringValue(in.APIVersion)
	m.Description = types.StringValue(in.Description)
	m.ETag = types.StringValue(in.Etag)
	m.CreatedAt = timeString(in.CreatedAt)
	m.UpdatedAt = timeString(in.UpdatedAt)
}
