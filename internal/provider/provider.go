// Package provider is the lowcode Terraform provider: resources, data sources, an ephemeral
// resource and an action over the platform's API, through internal/client.
package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/ephemeral"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// Environment variables the provider reads when the configuration leaves a setting out.
const (
	EnvEndpoint = "LOWCODE_ENDPOINT"
	EnvAPIKey   = "LOWCODE_API_KEY"
	// Files, read when the matching PEM attribute is not set.
	EnvCACertFile     = "LOWCODE_CA_CERT_FILE"
	EnvClientCertFile = "LOWCODE_CLIENT_CERT_FILE"
	EnvClientKeyFile  = "LOWCODE_CLIENT_KEY_FILE"
)

var (
	_ provider.ProviderWithEphemeralResources = (*lowcodeProvider)(nil)
	_ provider.ProviderWithListResources      = (*lowcodeProvider)(nil)
	_ provider.ProviderWithActions            = (*lowcodeProvider)(nil)
)

// New returns the provider factory for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &lowcodeProvider{version: version} }
}

type lowcodeProvider struct {
	version string
}

type providerModel struct {
	Endpoint       types.String `tfsdk:"endpoint"`
	APIKey         types.String `tfsdk:"api_key"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.Int64  `tfsdk:"request_timeout"`
	CACertificate  types.String `tfsdk:"ca_certificate"`
	ClientCert     types.String `tfsdk:"client_certificate"`
	ClientKey      types.String `tfsdk:"client_key"`
	ReadAhead      types.Bool   `tfsdk:"read_ahead"`
}

func (p *lowcodeProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "lowcode"
	resp.Version = p.version
}

func (p *lowcodeProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages a low-code platform as code: applications, workflows, webhooks, users and " +
			"role assignments, data classification policies, custom integrations and monitoring targets.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "The platform's base URL, such as `http://127.0.0.1:8080` (the provider adds `/api/v1`). " +
					"Defaults to the `" + EnvEndpoint + "` environment variable.",
				Optional: true,
			},
			"api_key": schema.StringAttribute{
				MarkdownDescription: "An API key of a platform user; what the provider may do is what that user's roles " +
					"allow. Defaults to the `" + EnvAPIKey + "` environment variable.",
				Optional:  true,
				Sensitive: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times a request is retried after a rate limit (429), an unavailable server " +
					"(502, 503, 504) or a dropped connection, with exponential backoff that honours `Retry-After`. Default `4`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"request_timeout": schema.Int64Attribute{
				MarkdownDescription: "How long one HTTP attempt may take, in seconds. Default `30`.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.Between(1, 600)},
			},
			"read_ahead": schema.BoolAttribute{
				MarkdownDescription: "Refresh many objects with few requests. Once a command has read " +
					"8 objects of one type by id, the provider lists that type in pages of 1,000 and answers the following " +
					"reads from the listing (a listing made during the command, so drift made before it is always seen). " +
					"Objects the listing does not show (deleted meanwhile, or outside the key's scope) are still read one " +
					"by one, the first write turns it off for the rest of the command, and at most 10,000 listed objects " +
					"are held. Set `false` to read every object with its own request. Default `true`.",
				Optional: true,
			},
			"ca_certificate": schema.StringAttribute{
				MarkdownDescription: "PEM certificate(s) of the authority that signed the platform's TLS certificate, such as " +
					"`file(\"ca.pem\")`, trusted on top of the system's roots (which are always trusted). Defaults to the contents " +
					"of the file named by the `" + EnvCACertFile + "` environment variable. The provider always verifies the " +
					"platform's certificate; there is no setting to skip that.",
				Optional: true,
			},
			"client_certificate": schema.StringAttribute{
				MarkdownDescription: "PEM client certificate offered when the platform asks for one (it was started with " +
					"`--tls-client-ca-file`); needs `client_key`. Defaults to the contents of the file named by `" + EnvClientCertFile + "`.",
				Optional: true,
			},
			"client_key": schema.StringAttribute{
				MarkdownDescription: "PEM private key of `client_certificate`. Defaults to the contents of the file named by `" +
					EnvClientKeyFile + "`.",
				Optional:  true,
				Sensitive: true,
			},
		},
	}
}

// providerData is what resources and data sources receive in Configure.
type providerData struct {
	client *client.Client
}

func (p *lowcodeProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.Endpoint.IsUnknown() || cfg.APIKey.IsUnknown() || cfg.CACertificate.IsUnknown() ||
		cfg.ClientCert.IsUnknown() || cfg.ClientKey.IsUnknown() {
		// Known only after apply (for example a token for a user this run creates): objects that
		// need the platform before then fail with this explanation.
		setProviderData(resp, client.Unconfigured("this lowcode provider configuration's `endpoint`, `api_key` or a TLS setting "+
			"is not known until apply; create what they depend on first (terraform apply -target=...), or configure "+
			"the provider from values known at plan time"))
		return
	}
	endpoint := stringOr(cfg.Endpoint, os.Getenv(EnvEndpoint))
	apiKey := stringOr(cfg.APIKey, os.Getenv(EnvAPIKey))
	if endpoint == "" {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Missing platform endpoint",
			"Set `endpoint` in the provider block or the "+EnvEndpoint+" environment variable to the platform's base URL, "+
				"such as http://127.0.0.1:8080.")
	}
	if apiKey == "" {
		resp.Diagnostics.AddAttributeError(path.Root("api_key"), "Missing platform API key",
			"Set `api_key` in the provider block or the "+EnvAPIKey+" environment variable. A new platform writes its "+
				"owner's key to the file `lowcode-bootstrap-key` on first start.")
	}
	if resp.Diagnostics.HasError() {
		return
	}
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "api_key", "token", "secret", "Authorization")
	ctx = tflog.MaskAllFieldValuesStrings(ctx, apiKey)

	timeout := client.DefaultRequestTimeout
	if !cfg.RequestTimeout.IsNull() {
		timeout = time.Duration(cfg.RequestTimeout.ValueInt64()) * time.Second
	}
	maxRetries := client.DefaultMaxRetries
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
		if maxRetries == 0 {
			maxRetries = -1 // the client reads 0 as "default"; the user asked for none
		}
	}
	caCert := pemSetting(&resp.Diagnostics, cfg.CACertificate, "ca_certificate", EnvCACertFile)
	clientCert := pemSetting(&resp.Diagnostics, cfg.ClientCert, "client_certificate", EnvClientCertFile)
	clientKey := pemSetting(&resp.Diagnostics, cfg.ClientKey, "client_key", EnvClientKeyFile)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := client.New(client.Config{
		Endpoint:          endpoint,
		APIKey:            apiKey,
		MaxRetries:        maxRetries,
		RequestTimeout:    timeout,
		UserAgent:         client.UserAgent(p.version, req.TerraformVersion),
		Logger:            newClientLogger(apiKey),
		CACertificate:     caCert,
		ClientCertificate: clientCert,
		ClientKey:         clientKey,
		ReadAhead:         cfg.ReadAhead.IsNull() || cfg.ReadAhead.ValueBool(),
	})
	var tlsErr *client.TLSSettingError
	switch {
	case errors.As(err, &tlsErr) && tlsErr.CA:
		resp.Diagnostics.AddAttributeError(path.Root("ca_certificate"), "Invalid CA certificate",
			err.Error()+". Check `ca_certificate` or the file named by "+EnvCACertFile+".")
		return
	case errors.As(err, &tlsErr):
		resp.Diagnostics.AddAttributeError(path.Root("client_certificate"), "Invalid client certificate",
			err.Error()+". Check `client_certificate` and `client_key`, or the files named by "+EnvClientCertFile+" and "+EnvClientKeyFile+".")
		return
	case err != nil:
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid platform endpoint",
			err.Error()+". Check `endpoint` or "+EnvEndpoint+".")
		return
	}
	if err := c.Verify(ctx); err != nil {
		resp.Diagnostics.AddError("Cannot use the platform", err.Error())
		return
	}
	tflog.Debug(ctx, "configured the lowcode provider", map[string]any{"endpoint": c.Endpoint(), "max_retries": strconv.Itoa(maxRetries)})
	setProviderData(resp, c)
}

func setProviderData(resp *provider.ConfigureResponse, c *client.Client) {
	data := &providerData{client: c}
	resp.DataSourceData = data
	resp.ResourceData = data
	resp.EphemeralResourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
}

// clientFrom unpacks the provider's Configure data in a resource's or data source's Configure.
// Nil data means the provider is not configured yet (validation), which is not an error.
func clientFrom(data any, diags *diag.Diagnostics) *client.Client {
	if data == nil {
		return nil
	}
	pd, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return pd.client
}

// pemSetting is the attribute's PEM text, or else the contents of the file named by the
// environment variable env; nil when neither is set.
func pemSetting(diags *diag.Diagnostics, v types.String, attr, env string) []byte {
	if !v.IsNull() && v.ValueString() != "" {
		return []byte(v.ValueString())
	}
	name := os.Getenv(env)
	if name == "" {
		return nil
	}
	data, err := os.ReadFile(name)
	if err != nil {
		diags.AddAttributeError(path.Root(attr), "Cannot read "+env,
			fmt.Sprintf("%s names the file %q, which cannot be read (%v). Point it at a PEM file, or set `%s` in the provider block.", env, name, err, attr))
		return nil
	}
	return data
}

func (p *lowcodeProvider) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewApplicationResource,
		NewClassificationPolicyResource,
		NewCustomIntegrationResource,
		NewMonitoringTargetResource,
		NewRoleAssignmentResource,
		NewUserResource,
		NewWebhookResource,
		NewWorkflowResource,
	}
}

func (p *lowcodeProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewApplicationDataSource,
		NewApplicationsDataSource,
		NewClassificationDataSource,
		NewClassificationPoliciesDataSource,
		NewClassificationPolicyDataSource,
		NewCustomIntegrationDataSource,
		NewMonitoringTargetDataSource,
		NewRoleAssignmentDataSource,
		NewRoleAssignmentsDataSource,
		NewUserAccessDataSource,
		NewUserDataSource,
		NewUsersDataSource,
		NewWebhookDataSource,
		NewWorkflowDataSource,
		NewWorkflowExecutionDataSource,
		NewWorkflowMetricsDataSource,
		NewWorkflowsDataSource,
	}
}

func (p *lowcodeProvider) EphemeralResources(context.Context) []func() ephemeral.EphemeralResource {
	return []func() ephemeral.EphemeralResource{
		NewAPITokenEphemeralResource,
	}
}

func (p *lowcodeProvider) ListResources(context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		NewApplicationListResource,
		NewClassificationPolicyListResource,
		NewCustomIntegrationListResource,
		NewRoleAssignmentListResource,
		NewUserListResource,
		NewWebhookListResource,
		NewWorkflowListResource,
	}
}

func (p *lowcodeProvider) Actions(context.Context) []func() action.Action {
	return []func() action.Action{
		NewWorkflowTriggerAction,
	}
}
