package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
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
	_ resource.ResourceWithConfigure        = (*classificationPolicyResource)(nil)
	_ resource.ResourceWithImportState      = (*classificationPolicyResource)(nil)
	_ resource.ResourceWithIdentity         = (*classificationPolicyResource)(nil)
	_ resource.ResourceWithConfigValidators = (*classificationPolicyResource)(nil)
)

// NewClassificationPolicyResource is the lowcode_classification_policy resource.
func NewClassificationPolicyResource() resource.Resource { return &classificationPolicyResource{} }

type classificationPolicyResource struct {
	client *client.Client
}

type classificationPolicyModel struct {
	ID            types.String   `tfsdk:"id"`
	Name          types.String   `tfsdk:"name"`
	Description   types.String   `tfsdk:"description"`
	Level         types.String   `tfsdk:"level"`
	Encryption    types.String   `tfsdk:"encryption"`
	Access        types.String   `tfsdk:"access"`
	FieldPatterns types.List     `tfsdk:"field_patterns"`
	ApplicationID types.String   `tfsdk:"application_id"`
	ETag          types.String   `tfsdk:"etag"`
	CreatedAt     types.String   `tfsdk:"created_at"`
	UpdatedAt     types.String   `tfsdk:"updated_at"`
	Timeouts      timeouts.Value `tfsdk:"timeouts"`
}

// The platform's classification enums, weakest first.
var (
	classificationLevels = fields.ClassificationLevels
	encryptionRules      = fields.EncryptionRules
	accessRules          = fields.AccessRules
)

// classificationTableMarkdown is the seed table of minimum protection per level.
const classificationTableMarkdown = "\n\n| level | minimum encryption | minimum access |\n|---|---|---|\n" +
	"| `public` | `none` | `all` |\n| `internal` | `at-rest` | `authenticated` |\n" +
	"| `confidential` | `at-rest+transit` | `role-based` |\n" +
	"| `restricted` | `at-rest+transit+field-level` | `need-to-know` |\n"

func (r *classificationPolicyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_classification_policy"
}

func (r *classificationPolicyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("classification policy")
}

func (r *classificationPolicyResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A data classification policy: which fields of the platform's data (matched by " +
			"`field_patterns`) are of which sensitivity `level`, and the encryption and access that data gets. The " +
			"platform masks classified fields (for example in workflow execution input and output) for API keys " +
			"whose access does not meet the level. Each level has a minimum protection; a weaker policy is refused " +
			"at plan time:" + classificationTableMarkdown,
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the policy, such as `cls_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The policy's name, unique on the platform: 1-100 letters, digits, `-`, `_` or `.`.",
				Required:            true,
				Validators:          []validator.String{nameValidator()},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the policy protects. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.UTF8LengthAtMost(fields.DescriptionMax)},
			},
			"level": schema.StringAttribute{
				MarkdownDescription: "How sensitive the matched data is: `public`, `internal`, `confidential` or `restricted`.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.OneOf(classificationLevels...)},
			},
			"encryption": schema.StringAttribute{
				MarkdownDescription: "How the data is encrypted: `none`, `at-rest`, `at-rest+transit` or " +
					"`at-rest+transit+field-level`; at least the level's minimum (see the table above).",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(encryptionRules...)},
			},
			"access": schema.StringAttribute{
				MarkdownDescription: "Who may see the data: `all`, `authenticated` (any API key), `role-based` (a role " +
					"on the data's application) or `need-to-know` (a role assignment on this policy's data scope); at " +
					"least the level's minimum (see the table above).",
				Required:   true,
				Validators: []validator.String{stringvalidator.OneOf(accessRules...)},
			},
			"field_patterns": schema.ListAttribute{
				MarkdownDescription: "The fields the policy covers, as dotted paths: `*` stands for one segment " +
					"(`customer.*`), `**` for any number (`**.card_number`), and a pattern without a dot matches that " +
					"field name at any depth (`ssn`). Compared case-insensitively; 1-100 patterns, each listed once. " +
					"When a field matches several patterns of the policy, the first in this list is reported.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.List{
					noNullElements{},
					listvalidator.SizeBetween(1, 100),
					listvalidator.ValueStringsAre(fieldPatternValidator{}),
					caseInsensitiveUniqueValidator{},
				},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "Limit the policy to the data of one application (`app_…`); leave it out for the " +
					"whole platform. Creating a platform-wide policy needs the admin role on the platform. Changing it " +
					"replaces the policy.",
				Optional:      true,
				Validators:    []validator.String{stringvalidator.UTF8LengthBetween(1, 64)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the policy the provider last read; sent as `If-Match` so that a " +
					"change made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the policy was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"updated_at": schema.StringAttribute{
				MarkdownDescription: "When the policy last changed (RFC 3339).",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

func (r *classificationPolicyResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{classificationMinimumValidator{}}
}

func (r *classificationPolicyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *classificationPolicyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan classificationPolicyModel
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
	tflog.Debug(ctx, "creating classification policy", map[string]any{"name": in.Name, "level": in.Level})
	c, err := r.client.CreateClassificationPolicy(ctx, in)
	if err != nil {
		keepUnknownOutcome(ctx, resp, err)
		apiErrorDiag(&resp.Diagnostics, opCreate, "classification policy", "classification policy "+in.Name, err)
		return
	}
	plan.fromAPI(c)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *classificationPolicyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state classificationPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c, err := r.client.GetClassificationPolicy(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "classification policy", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opRead, "classification policy", "classification policy "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(c)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *classificationPolicyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state classificationPolicyModel
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
	c, err := r.client.ReplaceClassificationPolicy(ctx, state.ID.ValueString(), state.ETag.ValueString(), in)
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, opUpdate, "classification policy", "classification policy "+state.ID.ValueString(), err)
		return
	}
	plan.fromAPI(c)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *classificationPolicyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state classificationPolicyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel, ok := withTimeout(ctx, state.Timeouts.Delete, defaultDeleteTimeout, &resp.Diagnostics)
	if !ok {
		return
	}
	defer cancel()

	err := r.client.DeleteClassificationPolicy(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, opDelete, "classification policy", "classification policy "+state.ID.ValueString(), err)
	}
}

func (r *classificationPolicyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp, "classification policy", "cls_")
}

func (m *classificationPolicyModel) toAPI(ctx context.Context, diags *diag.Diagnostics) api.ClassificationPolicyInput {
	return api.ClassificationPolicyInput{
		Name:          m.Name.ValueString(),
		Description:   stringPtr(m.Description),
		Level:         api.ClassificationLevel(m.Level.ValueString()),
		Encryption:    api.Encryption(m.Encryption.ValueString()),
		Access:        api.AccessRule(m.Access.ValueString()),
		FieldPatterns: stringsFromList(ctx, "field_patterns", m.FieldPatterns, diags),
		ApplicationID: stringPtr(m.ApplicationID),
	}
}

func (m *classificationPolicyModel) fromAPI(c *api.ClassificationPolicy) {
	m.ID = types.StringValue(c.ID)
	m.Name = types.StringValue(c.Name)
	m.Description = types.StringValue(c.Description)
	m.Level = types.StringValue(string(c.Level))
	m.Encryption = types.StringValue(string(c.Encryption))
	m.Access = types.StringValue(string(c.Access))
	m.FieldPatterns = stringList(c.FieldPatterns)
	m.ApplicationID = applicationIDValue(c.ApplicationID)
	m.ETag = types.StringValue(c.Etag)
	m.CreatedAt = timeString(c.CreatedAt)
	m.UpdatedAt = timeString(c.UpdatedAt)
}
