package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)

// NewUsersDataSource is the lowcode_users data source.
func NewUsersDataSource() datasource.DataSource { return &usersDataSource{} }

type usersDataSource struct {
	client *client.Client
}

type usersDataSourceModel struct {
	Email types.String    `tfsdk:"email"`
	Users []userDataModel `tfsdk:"users"`
}

// userDataModel is a user as the data sources show it (the resource's attributes without
// etag and timeouts).
type userDataModel struct {
	ID          types.String `tfsdk:"id"`
	Email       types.String `tfsdk:"email"`
	DisplayName types.String `tfsdk:"display_name"`
	Active      types.Bool   `tfsdk:"active"`
	CreatedAt   types.String `tfsdk:"created_at"`
	UpdatedAt   types.String `tfsdk:"updated_at"`
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the platform's users, all of them or the one with an email. Every API key may read users.",
		Attributes: map[string]schema.Attribute{
			"email": schema.StringAttribute{
				MarkdownDescription: "Only the user with this email address (compared regardless of case).",
				Optional:            true,
			},
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The users, oldest first.",
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: userDataAttributes()},
			},
		},
	}
}

// userDataAttributes are a user's attributes, all computed, for the data sources.
func userDataAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: "The platform's id for the user, such as `usr_0193…`.",
			Computed:            true,
		},
		"email": schema.StringAttribute{
			MarkdownDescription: "The user's email address.",
			Computed:            true,
		},
		"display_name": schema.StringAttribute{
			MarkdownDescription: "The name shown for the user; may be empty.",
			Computed:            true,
		},
		"active": schema.BoolAttribute{
			MarkdownDescription: "Whether the user may use the platform; an inactive user's keys and tokens are refused.",
			Computed:            true,
		},
		"created_at": schema.StringAttribute{
			MarkdownDescription: "When the user was created (RFC 3339).",
			Computed:            true,
		},
		"updated_at": schema.StringAttribute{
			MarkdownDescription: "When the user last changed (RFC 3339).",
			Computed:            true,
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (d *usersDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg usersDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	filter := client.UserFilter{Email: cfg.Email.ValueString()}
	tflog.Debug(ctx, "listing users", map[string]any{"email": filter.Email})
	users, err := client.Collect(d.client.ListUsers(ctx, filter))
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opList, "users", "users"+describeFilter("email", filter.Email), err)
		return
	}
	cfg.Users = make([]userDataModel, 0, len(users))
	for _, u := range users {
		cfg.Users = append(cfg.Users, userData(&u))
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &cfg)...)
}

func userData(u *api.User) userDataModel {
	return userDataModel{
		ID:          types.StringValue(u.ID),
		Email:       types.StringValue(u.Email),
		DisplayName: types.StringValue(u.DisplayName),
		Active:      types.BoolValue(u.Active),
		CreatedAt:   timeString(u.CreatedAt),
		UpdatedAt:   timeString(u.UpdatedAt),
	}
}
