package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*roleAssignmentDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*roleAssignmentDataSource)(nil)
)

// NewRoleAssignmentDataSource is the lowcode_role_assignment data source.
func NewRoleAssignmentDataSource() datasource.DataSource { return &roleAssignmentDataSource{} }

type roleAssignmentDataSource struct {
	client *client.Client
}

func (d *roleAssignmentDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_role_assignment"
}

func (d *roleAssignmentDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one role assignment: by id, or by the grant it makes (`user_id`, `role`, `scope_type` " +
			"and, except for the platform scope, `scope_id`), for example to check that a grant exists before relying on it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The id of the role assignment to read, such as `ra_0193…`. Give either `id`, or `user_id`, `role` and `scope_type`.",
				Optional:            true,
				Computed:            true,
			},
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The user who has the role (`usr_…`).",
				Optional:            true,
				Computed:            true,
			},
			"role": schema.StringAttribute{
				MarkdownDescription: "The role: `viewer`, `editor`, `admin` or `owner`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.OneOf(roleValues...)},
			},
			"scope_type": schema.StringAttribute{
				MarkdownDescription: "Where the role applies: `platform`, `application`, `workflow` or `data`.",
				Optional:            true,
				Computed:            true,
				Validators:          []validator.String{stringvalidator.OneOf(scopeTypeValues...)},
			},
			"scope_id": schema.StringAttribute{
				MarkdownDescription: "The id of the object the role applies to (`app_…`, `wf_…` or `cls_…`); none for the platform scope.",
				Optional:            true,
				Computed:            true,
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The assignment's version tag.",
				Computed:            true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the role was granted (RFC 3339).",
				Computed:            true,
			},
		},
	}
}

func (d *roleAssignmentDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("user_id")),
		datasourcevalidator.RequiredTogether(path.MatchRoot("user_id"), path.MatchRoot("role"), path.MatchRoot("scope_type")),
	}
}

func (d *roleAssignmentDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var roleAssignmentLookup = lookup{Kind: "role assignment", Title: "Role assignment",
	Advice: "The API key may also lack the right to read it. The lowcode_role_assignments data source lists the assignments the key may read."}

func (d *roleAssignmentDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg roleAssignmentFields
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var ra *api.RoleAssignment
	if !cfg.ID.IsNull() {
		ra = byID(ctx, roleAssignmentLookup, &resp.Diagnostics, cfg.ID.ValueString(), d.client.GetRoleAssignment)
	} else {
		grant := roleAssignmentGrant{UserID: cfg.UserID.ValueString(), Role: api.Role(cfg.Role.ValueString()),
			ScopeType: api.ScopeType(cfg.ScopeType.ValueString()), ScopeID: cfg.ScopeID.ValueString()}
		if grant.ScopeType == api.ScopeTypePlatform && grant.ScopeID != "" {
			resp.Diagnostics.AddAttributeError(path.Root("scope_id"), "Invalid scope_id",
				"The platform scope has no id: leave scope_id out when scope_type is \"platform\".")
			return
		}
		if grant.ScopeType != api.ScopeTypePlatform && grant.ScopeID == "" {
			resp.Diagnostics.AddAttributeError(path.Root("scope_id"), "Missing scope_id",
				"scope_type \""+string(grant.ScopeType)+"\" needs the id of the object in scope_id.")
			return
		}
		ra = onlyMatch(roleAssignmentLookup, &resp.Diagnostics, path.Root("user_id"), "making the grant "+grant.String(),
			d.client.ListRoleAssignments(ctx, client.RoleAssignmentFilter{UserID: grant.UserID, Role: grant.Role,
				ScopeType: grant.ScopeType, ScopeID: grant.ScopeID}))
	}
	if ra == nil {
		return
	}
	var state roleAssignmentFields
	state.fromAPI(ra)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
