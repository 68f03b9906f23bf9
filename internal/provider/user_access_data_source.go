package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*userAccessDataSource)(nil)

// NewUserAccessDataSource is the lowcode_user_access data source.
func NewUserAccessDataSource() datasource.DataSource { return &userAccessDataSource{} }

type userAccessDataSource struct {
	client *client.Client
}

type userAccessModel struct {
	UserID  types.String         `tfsdk:"user_id"`
	Grants  []grantModel         `tfsdk:"grants"`
	History []accessHistoryModel `tfsdk:"history"`
}

type grantModel struct {
	RoleAssignmentID types.String `tfsdk:"role_assignment_id"`
	Role             types.String `tfsdk:"role"`
	ScopeType        types.String `tfsdk:"scope_type"`
	ScopeID          types.String `tfsdk:"scope_id"`
}

type accessHistoryModel struct {
	At               types.String `tfsdk:"at"`
	Action           types.String `tfsdk:"action"`
	ActorID          types.String `tfsdk:"actor_id"`
	RoleAssignmentID types.String `tfsdk:"role_assignment_id"`
	Role             types.String `tfsdk:"role"`
	ScopeType        types.String `tfsdk:"scope_type"`
	ScopeID          types.String `tfsdk:"scope_id"`
}

func (d *userAccessDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user_access"
}

func (d *userAccessDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	roleAt := func(what string) map[string]schema.Attribute {
		return map[string]schema.Attribute{
			"role_assignment_id": schema.StringAttribute{MarkdownDescription: "The id of the role assignment" + what + ".", Computed: true},
			"role":               schema.StringAttribute{MarkdownDescription: "The role: `viewer`, `editor`, `admin` or `owner`.", Computed: true},
			"scope_type":         schema.StringAttribute{MarkdownDescription: "Where the role applies: `platform`, `application`, `workflow` or `data`.", Computed: true},
			"scope_id":           schema.StringAttribute{MarkdownDescription: "The id of the object the role applies to; null for the platform scope.", Computed: true},
		}
	}
	history := roleAt(" that was granted or revoked")
	history["at"] = schema.StringAttribute{MarkdownDescription: "When it happened (RFC 3339).", Computed: true}
	history["action"] = schema.StringAttribute{MarkdownDescription: "`granted` or `revoked`.", Computed: true}
	history["actor_id"] = schema.StringAttribute{MarkdownDescription: "The user who granted or revoked the role.", Computed: true}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A user's effective access: the roles they hold now and the history of grants and " +
			"revocations, newest first, for access reviews. Readable by platform admins and by the user themself.",
		Attributes: map[string]schema.Attribute{
			"user_id": schema.StringAttribute{
				MarkdownDescription: "The id of the user, such as `usr_0193…`.",
				Required:            true,
			},
			"grants": schema.ListNestedAttribute{
				MarkdownDescription: "The roles the user holds now, one per role assignment.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: roleAt("")},
			},
			"history": schema.ListNestedAttribute{
				MarkdownDescription: "Every grant and revocation of the user's roles, newest first, including those " +
					"whose assignment no longer exists.",
				Computed:     true,
				NestedObject: schema.NestedAttributeObject{Attributes: history},
			},
		},
	}
}

func (d *userAccessDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *userAccessDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg userAccessModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	userID := cfg.UserID.ValueString()
	access, err := d.client.GetUserAccess(ctx, userID)
	if errors.Is(err, client.ErrNotFound) {
		resp.Diagnostics.AddAttributeError(path.Root("user_id"), "User not found",
			fmt.Sprintf("There is no user with id %q on the platform. Check the id; the lowcode_users data source lists every user.", userID))
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "user access", "access of user "+userID, err)
		return
	}
	cfg.Grants = make([]grantModel, 0, len(access.Grants))
	for _, g := range access.Grants {
		cfg.Grants = append(cfg.Grants, grantModel{
			RoleAssignmentID: types.StringValue(g.RoleAssignmentID),
			Role:             types.StringValue(string(g.Role)),
			ScopeType:        types.StringValue(string(g.Scope.Type)),
			ScopeID:          scopeIDValue(g.Scope),
		})
	}
	cfg.History = make([]accessHistoryModel, 0, len(access.History))
	for _, h := range access.History {
		e := accessHistoryModel{
			At:               timeString(h.At),
			Action:           types.StringValue(string(h.Action)),
			ActorID:          types.StringValue(h.ActorID),
			RoleAssignmentID: types.StringValue(h.RoleAssignmentID),
			Role:             types.StringNull(),
			ScopeType:        types.StringNull(),
			ScopeID:          types.StringNull(),
		}
		if h.Role != nil {
			e.Role = types.StringValue(string(*h.Role))
		}
		if h.Scope != nil {
			e.ScopeType = types.StringValue(string(h.Scope.Type))
			e.ScopeID = scopeIDValue(*h.Scope)
		}
		cfg.History = append(cfg.History, e)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}
