package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ datasource.DataSourceWithConfigure        = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*userDataSource)(nil)
)

// NewUserDataSource is the lowcode_user data source.
func NewUserDataSource() datasource.DataSource { return &userDataSource{} }

type userDataSource struct {
	client *client.Client
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := userDataAttributes()
	attrs["id"] = schema.StringAttribute{
		MarkdownDescription: "The id of the user to read, such as `usr_0193…`. Give either `id` or `email`.",
		Optional:            true,
		Computed:            true,
	}
	attrs["email"] = schema.StringAttribute{
		MarkdownDescription: "The email address of the user to read (compared regardless of case). Give either `id` or `email`.",
		Optional:            true,
		Computed:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one user of the platform, by id or by email address, for example to grant an " +
			"existing person a role. Every API key may read users.",
		Attributes: attrs,
	}
}

func (d *userDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(path.MatchRoot("id"), path.MatchRoot("email"))}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

var userLookup = lookup{Kind: "user", Title: "User",
	Advice: "Check the id or address; the lowcode_users data source lists every user."}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg userDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var u *api.User
	if !cfg.ID.IsNull() {
		u = byID(ctx, userLookup, &resp.Diagnostics, cfg.ID.ValueString(), d.client.GetUser)
	} else {
		email := cfg.Email.ValueString()
		tflog.Debug(ctx, "looking up user by email", map[string]any{"email": email})
		u = onlyMatch(userLookup, &resp.Diagnostics, path.Root("email"), fmt.Sprintf("with email %q", email),
			d.client.ListUsers(ctx, client.UserFilter{Email: email}))
	}
	if u == nil {
		return
	}
	state := userData(u)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
}
