package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

var (
	_ resource.ResourceWithConfigure      = (*workflowResource)(nil)
	_ resource.ResourceWithImportState    = (*workflowResource)(nil)
	_ resource.ResourceWithIdentity       = (*workflowResource)(nil)
	_ resource.ResourceWithValidateConfig = (*workflowResource)(nil)
)

// NewWorkflowResource is the lowcode_workflow resource.
func NewWorkflowResource() resource.Resource { return &workflowResource{} }

type workflowResource struct {
	client *client.Client
}

// workflowFields are the attributes lowcode_workflow shares with the lowcode_workflow data
// source.
type workflowFields struct {
	ID            types.String        `tfsdk:"id"`
	ApplicationID types.String        `tfsdk:"application_id"`
	Name          types.String        `tfsdk:"name"`
	Version       types.String        `tfsdk:"version"`
	Description   types.String        `tfsdk:"description"`
	Enabled       types.Bool          `tfsdk:"enabled"`
	Trigger       *workflowTrigger    `tfsdk:"trigger"`
	Steps         []workflowStepModel `tfsdk:"steps"`
	ETag          types.String        `tfsdk:"etag"`
	CreatedAt     types.String        `tfsdk:"created_at"`
	LastModified  types.String        `tfsdk:"last_modified"`
}

type workflowModel struct {
	workflowFields
	SecretHeadersWO        types.Map      `tfsdk:"secret_headers_wo"`
	SecretHeadersWOVersion types.Int64    `tfsdk:"secret_headers_wo_version"`
	Timeouts               timeouts.Value `tfsdk:"timeouts"`
}

// secretHeadersType is secret_headers_wo's type: step name → header name → value.
var secretHeadersType = types.MapType{ElemType: types.StringType}

// newWorkflowModel is a model with the write-only attributes null, as state keeps them.
func newWorkflowModel(t timeouts.Value) *workflowModel {
	return &workflowModel{SecretHeadersWO: types.MapNull(secretHeadersType), SecretHeadersWOVersion: types.Int64Null(), Timeouts: t}
}

type workflowTrigger struct {
	Type      types.String `tfsdk:"type"`
	EventType types.String `tfsdk:"event_type"`
	Cron      types.String `tfsdk:"cron"`
}

type workflowStepModel struct {
	Name      types.String   `tfsdk:"name"`
	Type      types.String   `tfsdk:"type"`
	Validate  *validateStep  `tfsdk:"validate"`
	Transform *transformStep `tfsdk:"transform"`
	HTTP      *httpStep      `tfsdk:"http"`
	Emit      *emitStep      `tfsdk:"emit"`
}

type validateStep struct {
	Expression types.String `tfsdk:"expression"`
	Message    types.String `tfsdk:"message"`
}

type transformStep struct {
	Set []transformAssignment `tfsdk:"set"`
}

type transformAssignment struct {
	Field      types.String `tfsdk:"field"`
	Expression types.String `tfsdk:"expression"`
}

type httpStep struct {
	Method      types.String `tfsdk:"method"`
	URL         types.String `tfsdk:"url"`
	Headers     types.Map    `tfsdk:"headers"`
	Body        types.String `tfsdk:"body"`
	TimeoutMs   types.Int64  `tfsdk:"timeout_ms"`
	ResultField types.String `tfsdk:"result_field"`
}

type emitStep struct {
	EventType types.String `tfsdk:"event_type"`
	Data      types.String `tfsdk:"data"`
}

// defaultHTTPStepTimeoutMs is the platform's default for an http step's timeout_ms.
const defaultHTTPStepTimeoutMs = 10000

// Descriptions shared by the workflow resource and data sources.
const (
	workflowDescription = "A workflow of an application: an ordered list of steps (validate, transform, call an " +
		"HTTP endpoint, emit an event) that the platform runs over a JSON document whenever the workflow's trigger " +
		"fires — by hand, when an event is published, or on a schedule."
	workflowTriggerDescription = "What starts the workflow. Every workflow can also be triggered by hand (the " +
		"`lowcode_workflow_trigger` action)."
	triggerTypeDescription = "`manual` (only by hand), `event` (whenever an event of `event_type` is published) or " +
		"`schedule` (on the `cron` schedule, in UTC)."
	triggerEventTypeDescription = "For `event` triggers only (and required there): the event type that starts the " +
		"workflow, such as `order.created`."
	triggerCronDescription = "For `schedule` triggers only (and required there): five cron fields (minute hour " +
		"day-of-month month day-of-week), such as `0 6 * * 1-5`, or a descriptor such as `@hourly` or `@every 15m`. " +
		"Evaluated in UTC."
	stepsDescription = "The steps, run in order over the execution's document (the trigger's input or the event's " +
		"data); the first failing step ends the execution. 1 to 50 steps."
	stepNameDescription = "The step's name, unique within the workflow: 1-100 letters, digits, `-`, `_` or `.`."
	stepTypeDescription = "`validate`, `transform`, `http` or `emit`. Set exactly the settings attribute of the same " +
		"name."
	validateDescription = "Settings of a `validate` step: fails the execution with `message` unless `expression` " +
		"is true."
	validateExpressionDescription = "A boolean expression over the document's fields, such as `amount <= 10000`. " +
		"Checked at plan time with the platform's compiler."
	validateMessageDescription = "The execution's error when the expression is false, such as `Amount exceeds limit`."
	transformDescription       = "Settings of a `transform` step: sets fields of the document, in order; later " +
		"expressions see earlier results."
	transformSetDescription = "The assignments, in order (1 to 100)."
	transformFieldDesc      = "The field to set, a dotted path such as `order.total`."
	transformExprDesc       = "The value, an expression over the document such as `quantity * unit_price`. " +
		"Checked at plan time."
	httpDescription = "Settings of an `http` step: calls an external system and saves the response (JSON when it " +
		"parses, else a string) and its status in the document under `result_field`."
	httpMethodDescription  = "`GET`, `POST`, `PUT`, `PATCH` or `DELETE`."
	httpURLDescription     = "An absolute `http://` or `https://` URL, without credentials (send them in `headers`)."
	httpHeadersDescription = "Plain request headers, such as `{ X-Request-Source = \"terraform\" }`. Defaults to " +
		"none. Every reader of the workflow sees them, and plans show them: put credentials such as `Authorization` " +
		"in the workflow's write-only `secret_headers_wo` instead."
	httpBodyDescription = "An expression whose value is sent as the JSON body, such as `{order_id: order_id}`; " +
		"without it the whole document is sent. Not for `GET` and `DELETE`."
	httpTimeoutDescription = "How long the call may take, in milliseconds (100 to 60000). Defaults to `10000`."
	httpResultDescription  = "Where to save the response in the document, a dotted path. Defaults to the step's name."
	emitDescription        = "Settings of an `emit` step: publishes an event to the platform's event bus, which " +
		"reaches event-triggered workflows and webhooks."
	emitEventTypeDescription = "The event type to publish, such as `order.validated`."
	emitDataDescription      = "An expression for the event's data; without it the whole document."
)

func (r *workflowResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_workflow"
}

func (r *workflowResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("workflow")
}

func (r *workflowResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	expr := []validator.String{stringvalidator.LengthBetween(1, 4000), expressionValidator{}}
	resp.Schema = schema.Schema{
		MarkdownDescription: workflowDescription + " Names are unique within an application.\n\n" +
			"Everything is checked at plan time the way the platform checks it: expressions are compiled with the " +
			"platform's compiler and schedules parsed with its cron parser, so `terraform validate` points at the " +
			"attribute (such as `steps[0].validate.expression`) with the compiler's message.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The platform's id for the workflow, such as `wf_0193…`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"application_id": schema.StringAttribute{
				MarkdownDescription: "The id of the application the workflow belongs to. Changing it replaces the workflow.",
				Required:            true,
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 64)},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"name": schema.StringAttribute{
				MarkdownDescription: "The workflow's name, unique within its application: 1-100 letters, digits, `-`, `_` or `.`.",
				Required:            true,
				Validators:          []validator.String{nameValidator()},
			},
			"version": schema.StringAttribute{
				MarkdownDescription: "The workflow's semantic version, such as `1.5.2`. Executions record the version they ran.",
				Required:            true,
				Validators:          []validator.String{semverValidator{}},
			},
			"description": schema.StringAttribute{
				MarkdownDescription: "What the workflow does. Defaults to empty.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
				Validators:          []validator.String{stringvalidator.LengthAtMost(1000)},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the workflow runs. A disabled workflow ignores its trigger and refuses to be " +
					"triggered by hand. Defaults to `true`.",
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(true),
			},
			"trigger": schema.SingleNestedAttribute{
				MarkdownDescription: workflowTriggerDescription,
				Required:            true,
				Validators:          []validator.Object{triggerValidator{}},
				Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{
						MarkdownDescription: triggerTypeDescription,
						Required:            true,
						Validators:          []validator.String{stringvalidator.OneOf(triggerTypes...)},
					},
					"event_type": schema.StringAttribute{
						MarkdownDescription: triggerEventTypeDescription,
						Optional:            true,
						Validators:          []validator.String{stringvalidator.LengthAtMost(200), eventTypeValidator()},
					},
					"cron": schema.StringAttribute{
						MarkdownDescription: triggerCronDescription,
						Optional:            true,
						Validators:          []validator.String{cronValidator{}},
					},
				},
			},
			"steps": schema.ListNestedAttribute{
				MarkdownDescription: stepsDescription,
				Required:            true,
				Validators:          []validator.List{listvalidator.SizeBetween(1, 50), uniqueStepNamesValidator{}},
				NestedObject: schema.NestedAttributeObject{
					Validators: []validator.Object{stepSettingsValidator{}},
					Attributes: map[string]schema.Attribute{
						"name": schema.StringAttribute{
							MarkdownDescription: stepNameDescription,
							Required:            true,
							Validators:          []validator.String{nameValidator()},
						},
						"type": schema.StringAttribute{
							MarkdownDescription: stepTypeDescription,
							Required:            true,
							Validators:          []validator.String{stringvalidator.OneOf(stepTypes...)},
						},
						"validate": schema.SingleNestedAttribute{
							MarkdownDescription: validateDescription,
							Optional:            true,
							Attributes: map[string]schema.Attribute{
								"expression": schema.StringAttribute{
									MarkdownDescription: validateExpressionDescription,
									Required:            true,
									Validators:          expr,
								},
								"message": schema.StringAttribute{
									MarkdownDescription: validateMessageDescription,
									Required:            true,
									Validators:          []validator.String{stringvalidator.LengthBetween(1, 1000)},
								},
							},
						},
						"transform": schema.SingleNestedAttribute{
							MarkdownDescription: transformDescription,
							Optional:            true,
							Attributes: map[string]schema.Attribute{
								"set": schema.ListNestedAttribute{
									MarkdownDescription: transformSetDescription,
									Required:            true,
									Validators:          []validator.List{listvalidator.SizeBetween(1, 100)},
									NestedObject: schema.NestedAttributeObject{
										Attributes: map[string]schema.Attribute{
											"field": schema.StringAttribute{
												MarkdownDescription: transformFieldDesc,
												Required:            true,
												Validators:          []validator.String{fieldPathValidator{}},
											},
											"expression": schema.StringAttribute{
												MarkdownDescription: transformExprDesc,
												Required:            true,
												Validators:          expr,
											},
										},
									},
								},
							},
						},
						"http": schema.SingleNestedAttribute{
							MarkdownDescription: httpDescription,
							Optional:            true,
							Validators:          []validator.Object{httpBodyValidator{}},
							Attributes: map[string]schema.Attribute{
								"method": schema.StringAttribute{
									MarkdownDescription: httpMethodDescription,
									Required:            true,
									Validators:          []validator.String{stringvalidator.OneOf(httpMethods...)},
								},
								"url": schema.StringAttribute{
									MarkdownDescription: httpURLDescription,
									Required:            true,
									Validators:          []validator.String{stringvalidator.LengthAtMost(2048), stepURLValidator{}},
								},
								"headers": schema.MapAttribute{
									MarkdownDescription: httpHeadersDescription,
									ElementType:         types.StringType,
									Optional:            true,
									Computed:            true,
									Default:             mapdefault.StaticValue(types.MapValueMust(types.StringType, map[string]attr.Value{})),
									Validators: []validator.Map{
										mapvalidator.KeysAre(headerNameValidator()),
										mapvalidator.ValueStringsAre(headerValueValidator()),
									},
								},
								"body": schema.StringAttribute{
									MarkdownDescription: httpBodyDescription,
									Optional:            true,
									Validators:          expr,
								},
								"timeout_ms": schema.Int64Attribute{
									MarkdownDescription: httpTimeoutDescription,
									Optional:            true,
									Computed:            true,
									Default:             int64default.StaticInt64(defaultHTTPStepTimeoutMs),
									Validators:          []validator.Int64{int64validator.Between(100, 60000)},
								},
								"result_field": schema.StringAttribute{
									MarkdownDescription: httpResultDescription,
									Optional:            true,
									Computed:            true,
									Validators:          []validator.String{fieldPathValidator{}},
									PlanModifiers:       []planmodifier.String{defaultToStepName{}},
								},
							},
						},
						"emit": schema.SingleNestedAttribute{
							MarkdownDescription: emitDescription,
							Optional:            true,
							Attributes: map[string]schema.Attribute{
								"event_type": schema.StringAttribute{
									MarkdownDescription: emitEventTypeDescription,
									Required:            true,
									Validators:          []validator.String{stringvalidator.LengthAtMost(200), eventTypeValidator()},
								},
								"data": schema.StringAttribute{
									MarkdownDescription: emitDataDescription,
									Optional:            true,
									Validators:          expr,
								},
							},
						},
					},
				},
			},
			"secret_headers_wo": schema.MapAttribute{
				MarkdownDescription: "Secret request headers of the `http` steps, by step name, such as " +
					"`{ sync-crm = { Authorization = \"Bearer ${var.crm_token}\" } }` (Terraform 1.11 or later). Write-only: " +
					"sent to the platform, which seals them and never returns them to any reader, and never stored in the " +
					"plan or state. Set `secret_headers_wo_version` with it: the headers are sent when the workflow is " +
					"created and whenever `secret_headers_wo_version` changes (then a step left out loses its secret " +
					"headers); otherwise the platform keeps each step's own, by step name, so renaming a step needs a new " +
					"version. After an import the platform still has them, but Terraform does not: supply them in the " +
					"configuration and set `secret_headers_wo_version`, which the import leaves empty, so that the next " +
					"apply sends them.",
				ElementType: secretHeadersType,
				Optional:    true,
				Sensitive:   true,
				WriteOnly:   true,
				Validators: []validator.Map{
					mapvalidator.KeysAre(nameValidator()),
					mapvalidator.ValueMapsAre(mapvalidator.KeysAre(headerNameValidator()), mapvalidator.ValueStringsAre(headerValueValidator())),
				},
			},
			"secret_headers_wo_version": schema.Int64Attribute{
				MarkdownDescription: "A version number for `secret_headers_wo`, kept in state because the headers are " +
					"not: change it (for example raise it by one) whenever you change `secret_headers_wo`, and the " +
					"provider sends the new values.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("secret_headers_wo"))},
			},
			"etag": schema.StringAttribute{
				MarkdownDescription: "The version of the workflow the provider last read; sent as `If-Match` so that a " +
					"change made outside Terraform in the meantime is not overwritten.",
				Computed: true,
			},
			"created_at": schema.StringAttribute{
				MarkdownDescription: "When the workflow was created (RFC 3339).",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"last_modified": schema.StringAttribute{
				MarkdownDescription: "When the workflow last changed (RFC 3339), set by the platform.",
				Computed:            true,
			},
			"timeouts": timeoutsAttribute(ctx, true),
		},
	}
}

func (r *workflowResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (r *workflowResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan workflowModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in := plan.toAPI(ctx, &resp.Diagnostics)
	withSecretHeaders(ctx, req.Config, in.Steps, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "creating workflow", map[string]any{"name": in.Name, "application_id": in.ApplicationID})
	wf, err := r.client.CreateWorkflow(ctx, in)
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, "Error creating workflow", "workflow "+in.Name, err)
		return
	}
	plan.fromAPI(wf)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *workflowResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state workflowModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	wf, err := r.client.GetWorkflow(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		removeDeleted(ctx, resp, "workflow", state.ID)
		return
	}
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, "Error reading workflow", "workflow "+state.ID.ValueString(), err)
		return
	}
	state.fromAPI(wf)
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	setIdentity(ctx, resp.Identity, state.ID, &resp.Diagnostics)
}

func (r *workflowResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state workflowModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	in := plan.toAPI(ctx, &resp.Diagnostics)
	// The secret headers go only with a new version: otherwise the platform keeps its own.
	rotate := !plan.SecretHeadersWOVersion.Equal(state.SecretHeadersWOVersion)
	if rotate {
		withSecretHeaders(ctx, req.Config, in.Steps, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "updating workflow", map[string]any{"id": state.ID.ValueString(), "secret_headers_sent": rotate})
	wf, err := r.client.ReplaceWorkflow(ctx, state.ID.ValueString(), state.ETag.ValueString(), in)
	if err != nil {
		apiErrorDiag(&resp.Diagnostics, "Error updating workflow", "workflow "+state.ID.ValueString(), err)
		return
	}
	plan.fromAPI(wf)
	resp.Diagnostics.Append(resp.State.Set(ctx, &plan)...)
	setIdentity(ctx, resp.Identity, plan.ID, &resp.Diagnostics)
}

func (r *workflowResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state workflowModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	err := r.client.DeleteWorkflow(ctx, state.ID.ValueString(), state.ETag.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		apiErrorDiag(&resp.Diagnostics, "Error deleting workflow", "workflow "+state.ID.ValueString(), err)
	}
}

// ValidateConfig checks secret_headers_wo against the steps, and nudges credentials out of the
// plain headers, which every reader of the workflow sees.
func (r *workflowResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg workflowModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	httpSteps := map[string]bool{}
	known := true
	for i, st := range cfg.Steps {
		if st.Name.IsUnknown() {
			known = false
		}
		if st.HTTP == nil {
			continue
		}
		httpSteps[st.Name.ValueString()] = true
		if st.HTTP.Headers.IsUnknown() {
			continue
		}
		for name := range st.HTTP.Headers.Elements() {
			if credentialHeader(name) {
				resp.Diagnostics.AddAttributeWarning(path.Root("steps").AtListIndex(i).AtName("http").AtName("headers").AtMapKey(name),
					"Credential in plain headers",
					fmt.Sprintf("%s looks like a credential, but plain headers are shown to every reader of the workflow and in "+
						"plans. Move it to the write-only secret_headers_wo (secret_headers_wo = { %q = { %s = ... } }) and set "+
						"secret_headers_wo_version.", name, st.Name.ValueString(), name))
			}
		}
	}
	if cfg.SecretHeadersWO.IsNull() || cfg.SecretHeadersWO.IsUnknown() {
		return
	}
	if cfg.SecretHeadersWOVersion.IsNull() {
		resp.Diagnostics.AddAttributeWarning(path.Root("secret_headers_wo_version"), "secret_headers_wo without secret_headers_wo_version",
			"secret_headers_wo is write-only, so Terraform cannot notice when it changes: it is sent when the workflow is "+
				"created, but a later change is ignored. Set secret_headers_wo_version (for example to 1) and raise it "+
				"whenever you change secret_headers_wo.")
	}
	if !known {
		return
	}
	for name := range cfg.SecretHeadersWO.Elements() {
		if !httpSteps[name] {
			resp.Diagnostics.AddAttributeError(path.Root("secret_headers_wo").AtMapKey(name), "No such http step",
				fmt.Sprintf("secret_headers_wo names step %q, but the workflow has no http step of that name; use the name of "+
					"an http step in steps.", name))
		}
	}
}

// credentialHeader tells whether a header name usually carries a credential.
func credentialHeader(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	return strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "api-key") ||
		strings.Contains(n, "apikey") || strings.Contains(n, "password")
}

// withSecretHeaders sets each http step's secret_headers from the configuration's write-only
// secret_headers_wo ({} for a step it leaves out, which removes that step's).
func withSecretHeaders(ctx context.Context, cfg tfsdk.Config, steps []api.WorkflowStep, diags *diag.Diagnostics) {
	var secrets map[string]map[string]string
	diags.Append(cfg.GetAttribute(ctx, path.Root("secret_headers_wo"), &secrets)...)
	for i := range steps {
		if steps[i].HTTP == nil {
			continue
		}
		h := secrets[steps[i].Name]
		if h == nil {
			h = map[string]string{}
		}
		steps[i].HTTP.SecretHeaders = &h
	}
}

func (r *workflowResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByIDOrIdentity(ctx, req, resp)
}

// defaultToStepName plans an http step's unset result_field as the step's name, the
// platform's default, so that the plan is known and matches what the platform stores.
type defaultToStepName struct{}

func (defaultToStepName) Description(context.Context) string {
	return "defaults to the step's name"
}

func (m defaultToStepName) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (defaultToStepName) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if !req.ConfigValue.IsNull() {
		return
	}
	// steps[i].http.result_field → steps[i].name
	var name types.String
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, req.Path.ParentPath().ParentPath().AtName("name"), &name)...)
	if !resp.Diagnostics.HasError() {
		resp.PlanValue = name
	}
}

func (m *workflowModel) toAPI(ctx context.Context, diags *diag.Diagnostics) api.WorkflowInput {
	in := api.WorkflowInput{
		ApplicationID: m.ApplicationID.ValueString(),
		Name:          m.Name.ValueString(),
		Version:       m.Version.ValueString(),
		Description:   stringPtr(m.Description),
		Enabled:       boolPtr(m.Enabled),
		Steps:         make([]api.WorkflowStep, len(m.Steps)),
	}
	if t := m.Trigger; t != nil { // required: always set in a plan
		in.Trigger = api.WorkflowTrigger{Type: api.TriggerType(t.Type.ValueString()),
			EventType: stringPtr(t.EventType), Cron: stringPtr(t.Cron)}
	}
	for i, st := range m.Steps {
		out := api.WorkflowStep{Name: st.Name.ValueString(), Type: api.StepType(st.Type.ValueString())}
		if v := st.Validate; v != nil {
			out.Validate = &api.ValidateStep{Expression: v.Expression.ValueString(), Message: v.Message.ValueString()}
		}
		if t := st.Transform; t != nil {
			out.Transform = &api.TransformStep{Set: make([]api.TransformAssignment, len(t.Set))}
			for k, a := range t.Set {
				out.Transform.Set[k] = api.TransformAssignment{Field: a.Field.ValueString(), Expression: a.Expression.ValueString()}
			}
		}
		if h := st.HTTP; h != nil {
			out.HTTP = &api.HTTPStep{Method: api.HTTPMethod(h.Method.ValueString()), URL: h.URL.ValueString(),
				Body: stringPtr(h.Body), ResultField: stringPtr(h.ResultField)}
			if !h.TimeoutMs.IsNull() && !h.TimeoutMs.IsUnknown() {
				ms := int(h.TimeoutMs.ValueInt64())
				out.HTTP.TimeoutMs = &ms
			}
			if len(h.Headers.Elements()) > 0 {
				headers := map[string]string{}
				diags.Append(h.Headers.ElementsAs(ctx, &headers, false)...)
				out.HTTP.Headers = &headers
			}
		}
		if e := st.Emit; e != nil {
			out.Emit = &api.EmitStep{EventType: e.EventType.ValueString(), Data: stringPtr(e.Data)}
		}
		in.Steps[i] = out
	}
	return in
}

func (m *workflowFields) fromAPI(wf *api.Workflow) {
	m.ID = types.StringValue(wf.ID)
	m.ApplicationID = types.StringValue(wf.ApplicationID)
	m.Name = types.StringValue(wf.Name)
	m.Version = types.StringValue(wf.Version)
	m.Description = types.StringValue(wf.Description)
	m.Enabled = types.BoolValue(wf.Enabled)
	m.Trigger = &workflowTrigger{
		Type:      types.StringValue(string(wf.Trigger.Type)),
		EventType: stringOrNull(wf.Trigger.EventType),
		Cron:      stringOrNull(wf.Trigger.Cron),
	}
	m.Steps = make([]workflowStepModel, len(wf.Steps))
	for i, st := range wf.Steps {
		m.Steps[i] = stepFromAPI(st)
	}
	m.ETag = types.StringValue(wf.Etag)
	m.CreatedAt = timeString(wf.CreatedAt)
	m.LastModified = timeString(wf.LastModified)
}

func stepFromAPI(st api.WorkflowStep) workflowStepModel {
	out := workflowStepModel{Name: types.StringValue(st.Name), Type: types.StringValue(string(st.Type))}
	if v := st.Validate; v != nil {
		out.Validate = &validateStep{Expression: types.StringValue(v.Expression), Message: types.StringValue(v.Message)}
	}
	if t := st.Transform; t != nil {
		out.Transform = &transformStep{Set: make([]transformAssignment, len(t.Set))}
		for k, a := range t.Set {
			out.Transform.Set[k] = transformAssignment{Field: types.StringValue(a.Field), Expression: types.StringValue(a.Expression)}
		}
	}
	if h := st.HTTP; h != nil {
		var headers map[string]string
		if h.Headers != nil {
			headers = *h.Headers
		}
		out.HTTP = &httpStep{Method: types.StringValue(string(h.Method)), URL: types.StringValue(h.URL),
			Headers: stringMap(headers), Body: stringOrNull(h.Body), TimeoutMs: types.Int64Null(),
			ResultField: stringOrNull(h.ResultField)}
		if h.TimeoutMs != nil {
			out.HTTP.TimeoutMs = types.Int64Value(int64(*h.TimeoutMs))
		}
	}
	if e := st.Emit; e != nil {
		out.Emit = &emitStep{EventType: types.StringValue(e.EventType), Data: stringOrNull(e.Data)}
	}
	return out
}
