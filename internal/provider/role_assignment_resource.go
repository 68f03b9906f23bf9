package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*roleAssignmentResource)(nil)
	_ resource.ResourceWithImportState    = (*roleAssignmentResource)(nil)
	_ resource.ResourceWithIdentity       = (*roleAssignmentResource)(nil)
	_ resource.ResourceWithValidateConfig = (*roleAssignmentResource)(nil)
)

// NewRoleAssignmentResource is the lowcode_role_assignment resource.
func NewRoleAssignmentResource() resource.Resource { return &roleAssignmentResource{} }

type roleAssignmentResource struct {
	client *client.Client
}

// roleAssignmentFields are the attributes lowcode_role_assignment shares with the
// lowcode_role_assignment data source.
type roleAssignmentFields struct {
	ID        types.String `tfsdk:"id"`
	UserID    types.String `tfsdk:"user_id"`
	Role      types.String `tfsdk:"role"`
	ScopeType types.String `tfsdk:"scope_type"`
	ScopeID   types.String `tfsdk:"scope_id"`
	ETag      types.String `tfsdk:"etag"`
	CreatedAt types.String `tfsdk:"created_at"`
}

type roleAssignmentModel struct {
	roleAssignmentFields
	Timeouts timeouts.Value `tfsdk:"timeouts"`
}

func (r *roleAssignmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_assignment"
}

func (r *roleAssignmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("role assignment")
}

func (r *roleAssignmentResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Gives a user a role at a scope: `viewer` reads, `editor` also changes, `admin` also manages " +
			"access, `owner` manages everything. The scope is the whole `platform`, one `application` (with its workflows), " +
			"one `workflow`, or the `data` one classification policy covers (the need-to-know grant for restricted data). " +
			"A role assignment cannot be changed: changing any argument revokes it and grants a new one.\n\n" +
			"Granting or revoking needs the `admin` role at that scope (the platform and data scopes need it on the platform), " +
			"and nobody grants a role above their own; the `owner` role needs `owner` on the platform.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the role assignment, such as `ra_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The id of the user who gets the role, such as `lowcode_user.ada.id`.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.UTF8LengthBetween(1, 64)},
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "The role: `viewer`, `editor`, `admin` or `owner`.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.OneOf(roleValues...)},
			},
			"scope_type": schema.StringAttribute{
				MarkdownDescription: "Where the role applies: `platform`, `application`, `workflow` or `data`.",
				Required:            true,
				PlanModifiers:       replace,
				Validators:          []validator.String{stringvalidator.OneOf(scopeTypeValues...)},
			},
			"scope_id": schema.StringAttribute{
				MarkdownDescription: "The id of the object the role applies to: an application (`app_…`) for the " +
					"`application` scope, a workflow (`wf_…`) for `workflow`, a classification policy (`cls_…`) for `data`. " +
					"Required for those scopes; must be left out for the `platform` scope.",
				Optional:      true,
				PlanModifiers: replace,
				Validators:    []validator.String{stringvalidator.UTF8LengthBetween(1, 64)},
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the role assignment the provider last read; sent as `If-Match` when it is revoked.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the role was granted (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"timeouts": timeoutsAttribute(ctx, false),
		},
	}
}

// scopeIDKinds is, per scope type that takes an id, what the id names and how it starts.
var scopeIDKinds = map[string]struct{ kind, prefix string }{
	string(api.ScopeTypeApplication): {"application", "app_"},
	string(api.ScopeTypeWorkflow):    {"workflow", "wf_"},
	string(api.ScopeTypeData):        {"classification policy", "cls_"},
}

// ValidateConfig checks at plan time that scope_id is given exactly when the scope needs one,
// and that it names the right kind of object, as the platform would.
func (r *roleAssignmentResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var scopeType, scopeID types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("scope_type"), &scopeType)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("scope_id"), &scopeID)...)
	if resp.Diagnostics.HasError() || scopeType.IsNull() || scopeType.IsUnknown() {
		return
	}
	at := path.Root("scope_id")
	st := scopeType.ValueString()
	if st == string(api.ScopeTypePlatform) {
		if !scopeID.IsNull() && !scopeID.IsUnknown() {
			resp.Diagnostics.AddAttributeError(at, "Unexpected scope_id",
				`scope_id must not be set when scope_type is "platform": the platform scope is the whole platform and has no id. Remove scope_id.`)
		}
		return
	}
	k, ok := scopeIDKinds[st]
	if !ok {
		return // the OneOf validator on scope_type reports it
	}
	switch {
	case scopeID.IsNull():
		resp.Diagnostics.AddAttributeError(at, "Missing scope_id",
			fmt.Sprintf("scope_id is required when scope_type is %q: set it to the id of the %s (%s…) the role applies to.", st, k.kind, k.prefix))
	case !scopeID.IsUnknown() && !strings.HasPrefix(scopeID.ValueString(), k.prefix):
		resp.Diagnostics.AddAttributeError(at, "Invalid scope_id",
			fmt.Sprintf("scope_id %q is not the id of %s: with scope_type %q it must start with %s.", scopeID.ValueString(), withArticle(k.kind), st, k.prefix))
	}
}

func (r *roleAssignmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *roleAssignmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan roleAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, plan.Timeouts.Create, defaultCreateTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	grant := plan.grant()
	tflog.Debug(ctx, "creating role assignment", map[string]any{"grant": grant.String()})
	ra, err := r.client.CreateRoleAssignment(ctx, grant.toAPI())
	if err != nil {
		keepUnknownOutcome(ctx, resp, err)
		roleAssignmentErrorDiag(&resp.Diagnostics, opCreate, grant, err)
		return
	}
	plan.fromAPI(ra)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *roleAssignmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state roleAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ra, err := r.client.GetRoleAssignment(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "role assignment", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "role assignment", "role assignment "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(ra)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

// Update is reached only when nothing but `timeouts` changed, since every other argument
// forces replacement: the new timeouts are recorded and nothing is sent to the platform.
// Anything else means a plan modifier is missing.
func (r *roleAssignmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state roleAssignmentModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.grant() != state.grant() {
		resp.Diagnostics.AddError("Error updating role assignment",
			fmt.Sprintf("role assignment %s: role assignments cannot be changed in place; this is a provider bug if you see it. "+
				"Please report it. To go on, replace the assignment: terraform apply -replace=<address of this role assignment>.",
				state.ID.ValueString()))
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *roleAssignmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state roleAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	err := r.client.DeleteRoleAssignment(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, opDelete, "role assignment", "role assignment "+state.ID.ValueString(), err)
	}
}

// ImportState takes the assignment's id, or the grant it makes (`user_id/role/scope_type/scope_id`,
// `user_id/role/platform`), which is looked up among the user's assignments, or its identity.
func (r *roleAssignmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" { // an import block with an identity
		importByIDOrIdentity(ctx, req, resp, "role assignment", "ra_")
		return
	}
	id, grant, err := parseRoleAssignmentImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid import id for lowcode_role_assignment", err.Error())
		return
	}
	if grant != nil {
		id = r.findAssignment(ctx, *grant, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// findAssignment returns the id of the one assignment that makes grant.
func (r *roleAssignmentResource) findAssignment(ctx context.Context, grant roleAssignmentGrant, diags *diag.Diagnostics) string {
	found, err := client.Collect(r.client.ListRoleAssignments(ctx, client.RoleAssignmentFilter{
		UserID: grant.UserID, Role: grant.Role, ScopeType: grant.ScopeType, ScopeID: grant.ScopeID,
	}))
	if err != nil {
		apiErrorDiag(diags, opImport, "role assignment", "role assignment "+grant.String(), err)
		return ""
	}
	var ids []string
	for _, ra := range found {
		if grantOf(ra) == grant {
			ids = append(ids, ra.ID)
		}
	}
	switch len(ids) {
	case 0:
		diags.AddError("Cannot import role assignment",
			fmt.Sprintf("No role assignment gives user %s the %s role at %s, or the API key may not read it. "+
				"Check the import id (%s); the lowcode_role_assignments data source lists the user's assignments.",
				grant.UserID, grant.Role, describeScope(grant.ScopeType, grant.ScopeID), roleAssignmentImportFormats))
		return ""
	case 1:
		return ids[0]
	}
	diags.AddError("Cannot import role assignment",
		fmt.Sprintf("%d role assignments match %s (%s); import one of them by its id.", len(ids), grant, strings.Join(ids, ", ")))
	return ""
}

// roleAssignmentErrorDiag is apiErrorDiag with advice fit for a grant that already exists.
func roleAssignmentErrorDiag(diags *diag.Diagnostics, op operation, grant roleAssignmentGrant, err error) {
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && errors.Is(err, client.ErrConflict) && apiErr.Problem.ConflictingID != nil {
		diags.AddError(op.summary("role assignment"), fmt.Sprintf("role assignment %s: %s\n\nThe user already has this role at this scope. "+
			"Bring the existing assignment under Terraform with `terraform import` using id %s (or %s), or remove it from the configuration.",
			grant, err, *apiErr.Problem.ConflictingID, grant))
		return
	}
	apiErrorDiag(diags, op, "role assignment", "role assignment "+grant.String(), err)
}

// describeScope reads like "the platform" or "application app_…".
func describeScope(scopeType api.ScopeType, scopeID string) string {
	if scopeType == api.ScopeTypePlatform {
		return "the platform"
	}
	return string(scopeType) + " " + scopeID
}

func (m roleAssignmentFields) grant() roleAssignmentGrant {
	return roleAssignmentGrant{UserID: m.UserID.ValueString(), Role: api.Role(m.Role.ValueString()),
		ScopeType: api.ScopeType(m.ScopeType.ValueString()), ScopeID: m.ScopeID.ValueString()}
}

func (g roleAssignmentGrant) toAPI() api.RoleAssignmentInput {
	in := api.RoleAssignmentInput{UserID: g.UserID, Role: g.Role, Scope: api.Scope{Type: g.ScopeType}}
	if g.ScopeID != "" {
		in.Scope.ID = &g.ScopeID
	}
	return in
}

func (m *roleAssignmentFields) fromAPI(ra *api.RoleAssignment) {
	m.ID = types.StringValue(ra.ID)
	m.UserID = types.StringValue(ra.UserID)
	m.Role = types.StringValue(string(ra.Role))
	m.ScopeType = types.StringValue(string(ra.Scope.Type))
	m.ScopeID = scopeIDValue(ra.Scope)
	m.ETag = types.StringValue(ra.Etag)
	m.CreatedAt = timeString(ra.CreatedAt)
}

// grantOf is the grant an assignment makes.
func grantOf(ra api.RoleAssignment) roleAssignmentGrant {
	g := roleAssignmentGrant{UserID: ra.UserID, Role: ra.Role, ScopeType: ra.Scope.Type}
	if ra.Scope.ID != nil {
		g.ScopeID = *ra.Scope.ID
	}
	return g
}

// scopeIDValue is a scope's id for state: null for the platform scope, which has none.
func scopeIDValue(sc api.Scope) types.String {
	if sc.ID == nil || *sc.ID == "" {
		return types.StringNull()
	}
	return types.StringValue(*sc.ID)
}
