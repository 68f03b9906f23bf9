package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
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
	_ resource.ResourceWithConfigure   = (*applicationResource)(nil)
	_ resource.ResourceWithImportState = (*applicationResource)(nil)
	_ resource.ResourceWithIdentity    = (*applicationResource)(nil)
)

// NewApplicationResource is the lowcode_application resource.
func NewApplicationResource() resource.Resource { return &applicationResource{} }

type applicationResource struct {
	client *client.Client
}

type applicationModel struct {
	ID          types.String   `tfsdk:"id"`
	Name        types.String   `tfsdk:"name"`
	Environment types.String   `tfsdk:"environment"`
	Version     types.String   `tfsdk:"version"`
	Description types.String   `tfsdk:"description"`
	Labels      types.Map      `tfsdk:"labels"`
	ETag        types.String   `tfsdk:"etag"`
	CreatedAt   types.String   `tfsdk:"created_at"`
	UpdatedAt   types.String   `tfsdk:"updated_at"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *applicationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_application"
}

func (r *applicationResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("application")
}

func (r *applicationResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "An application on the low-code platform: the unit that owns workflows, webhooks and " +
			"classification policies, deployed to one environment. Names are unique within an environment.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the application, such as `app_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The application's name, unique within its environment: 1-100 letters, digits, `-`, `_` or `.`.",
				Required:            true,
				Validators:          []validator.String{nameValidator()},
			},
			"environment": schema.StringAttribute{
				MarkdownDescription: "Where the application runs: `development`, `staging` or `production`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(fields.Environments...)},
			},
			"version": schema.StringAttribute{
				MarkdownDescription: "The application's semantic version, such as `2.3.0`.",
				Required:            true,
				Validators:          []validator.String{semverValidator{}},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the application is for. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(fields.DescriptionMax)},
			},
			"labels": schema.MapAttribute{
				MarkdownDescription: "Free-form key/value labels, such as `team = \"orders\"`. Keys are 1-63 letters, " +
					"digits, `.`, `_`, `-` or `/`; values are at most 255 characters.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
				Validators: []validator.Map{
					noNullElements{},
					mapvalidator.KeysAre(labelKeyValidator()),
					mapvalidator.ValueStringsAre(stringvalidator.UTF8LengthAtMost(fields.LabelValueMax)),
				},
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the application the provider last read; sent as `If-Match` so that a " +
					"change made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the application was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the application last changed (RFC 3339).",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

func (r *applicationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *applicationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan applicationModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	in := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "creating application", map[string]any{"name": in.Name, "environment": in.Environment})
	app, err := r.client.CreateApplication(ctx, in)
	if err != nil {
		keepUnknownOutcome(ctx, resp, err)
		apiErrorDiag(&resp.Diagnostics, opCreate, "application", "application "+in.Name, err)
		return
	}
	plan.fromAPI(app)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *applicationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state applicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	app, err := r.client.GetApplication(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "application", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "application", "application "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(app)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *applicationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state applicationModel
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

	in := plan.toAPI(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	app, err := r.client.ReplaceApplication(ctx, state.ID.ValueString(), state.ETag.ValueString(), in)
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opUpdate, "application", "application "+state.ID.ValueString(), err)
		return
	}
	plan.fromAPI(app)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *applicationResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state applicationModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	err := r.client.DeleteApplication(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, opDelete, "application", "application "+state.ID.ValueString(), err)
	}
}

func (r *applicationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp, "application", "app_")
}

func (m *applicationModel) toAPI(ctx context.Context, diags *diag.Diagnostics) api.ApplicationInput {
	labels := api.Labels(stringMapFrom(ctx, "labels", m.Labels, diags))
	return api.ApplicationInput{
		Name:        m.Name.ValueString(),
		Environment: api.Environment(m.Environment.ValueString()),
		Version:     m.Version.ValueString(),
		Description: stringPtr(m.Description),
		Labels:      &labels,
	}
}

func (m *applicationModel) fromAPI(app *api.Application) {
	m.ID = types.StringValue(app.ID)
	m.Name = types.StringValue(app.Name)
	m.Environment = types.StringValue(string(app.Environment))
	m.Version = types.StringValue(app.Version)
	m.Description = types.StringValue(app.Description)
	m.Labels = stringMap(app.Labels)
	m.ETag = types.StringValue(app.Etag)
	m.CreatedAt = timeString(app.CreatedAt)
	m.UpdatedAt = timeString(app.UpdatedAt)
}
