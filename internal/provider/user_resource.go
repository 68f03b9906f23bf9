package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/fields"
)

var (
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
	_ resource.ResourceWithIdentity    = (*userResource)(nil)
)

// NewUserResource is the lowcode_user resource.
func NewUserResource() resource.Resource { return &userResource{} }

type userResource struct {
	client *client.Client
}

type userModel struct {
	ID          types.String   `tfsdk:"id"`
	Email       types.String   `tfsdk:"email"`
	DisplayName types.String   `tfsdk:"display_name"`
	Active      types.Bool     `tfsdk:"active"`
	ETag        types.String   `tfsdk:"etag"`
	CreatedAt   types.String   `tfsdk:"created_at"`
	UpdatedAt   types.String   `tfsdk:"updated_at"`
	Timeouts    timeouts.Value `tfsdk:"timeouts"`
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("user")
}

func (r *userResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A person (or a service account) on the low-code platform. A user has no access of their own: " +
			"give them roles with `lowcode_role_assignment`. Creating, changing and deleting users needs the `admin` role " +
			"on the platform. Deleting a user also deletes their role assignments and API tokens.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the user, such as `usr_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "The user's email address, such as `ada@example.com`; unique on the platform regardless of case.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(fields.EmailMin, fields.EmailMax), emailValidator{}},
			},
			"display_name": schema.StringAttribute{
				MarkdownDescription: "The name shown for the user, such as `Ada Lovelace`; up to 200 characters. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(200)},
			},
			"active": schema.BoolAttribute{
				MarkdownDescription: "Whether the user may use the platform. The API keys and tokens of an inactive user are " +
					"refused from their next request on; their role assignments stay. Default `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the user the provider last read; sent as `If-Match` so that a change " +
					"made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the user was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the user last changed (RFC 3339).",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan userModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	in := api.UserInput{Email: plan.Email.ValueString(), DisplayName: stringPtr(plan.DisplayName), Active: boolPtr(plan.Active)}
	tflog.Debug(ctx, "creating user", map[string]any{"email": in.Email})
	u, err := r.client.CreateUser(ctx, in)
	if err != nil {
		keepUnknownOutcome(ctx, resp, err)
		apiErrorDiag(&resp.Diagnostics, opCreate, "user", "user "+in.Email, err)
		return
	}
	plan.fromAPI(u)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	u, err := r.client.GetUser(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "user", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "user", "user "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(u)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

// Update sends every argument as a PATCH: users have no replace operation, and sending all of
// them also puts back what was changed outside Terraform.
func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state userModel
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

	patch := api.UserPatch{Email: stringPtr(plan.Email), DisplayName: stringPtr(plan.DisplayName), Active: boolPtr(plan.Active)}
	tflog.Debug(ctx, "updating user", map[string]any{"id": state.ID.ValueString()})
	u, err := r.client.PatchUser(ctx, state.ID.ValueString(), state.ETag.ValueString(), patch)
	if err != nil {
		refusalDiag(&resp.Diagnostics, opUpdate, "user", "user "+state.ID.ValueString(), err)
		return
	}
	plan.fromAPI(u)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	err := r.client.DeleteUser(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		refusalDiag(&resp.Diagnostics, opDelete, "user", "user "+state.ID.ValueString(), err)
	}
}

func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp, "user", "usr_")
}

// refusalDiag is apiErrorDiag for changes to an existing user, where a conflict is not a
// duplicate name but the platform refusing (deactivating or deleting yourself, or the last
// platform owner): the server's reason says what to do, not the import advice.
func refusalDiag(diags *diag.Diagnostics, op operation, kind, object string, err error) {
	if errors.Is(err, client.ErrConflict) {
		diags.AddError(op.summary(kind), fmt.Sprintf("%s: %s\n\nThe platform refused the change for the reason above. "+
			"Another platform admin's API key can make it.", object, err))
		return
	}
	apiErrorDiag(diags, op, kind, object, err)
}

func (m *userModel) fromAPI(u *api.User) {
	m.ID = types.StringValue(u.ID)
	m.Email = types.StringValue(u.Email)
	m.DisplayName = types.StringValue(u.DisplayName)
	m.Active = types.BoolValue(u.Active)
	m.ETag = types.StringValue(u.Etag)
	m.CreatedAt = timeString(u.CreatedAt)
	m.UpdatedAt = timeString(u.UpdatedAt)
}
