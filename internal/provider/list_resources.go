package provider

import (
	"context"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// List resources (Terraform 1.14+, `terraform query` and `list` blocks) find what already
// exists on the platform, with the same filters as the API, so it can be imported and brought
// under Terraform: every resource type the API can list has one. Monitoring targets have no
// list endpoint (each belongs to its workflow); list workflows and import their targets by the
// workflow id.

// listKind describes how to list one resource type: O is the API object.
type listKind[O any] struct {
	name        string // the resource type is lowcode_<name>
	description string
	filters     map[string]listschema.Attribute
	// list reads the filters from the list block's configuration and lists the objects.
	list func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[O, error]
	// model is the resource model of the object, with the given (null) timeouts.
	model   func(obj *O, t timeouts.Value) any
	id      func(obj *O) string
	display func(obj *O) string
}

type listResource[O any] struct {
	kind   listKind[O]
	client *client.Client
}

var _ list.ListResourceWithConfigure = (*listResource[api.Application])(nil)

func (l *listResource[O]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + l.kind.name
}

func (l *listResource[O]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	l.client = clientFrom(req.ProviderData, &resp.Diagnostics)
}

func (l *listResource[O]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = listschema.Schema{MarkdownDescription: l.kind.description, Attributes: l.kind.filters}
}

func (l *listResource[O]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var diags diag.Diagnostics
	objects := l.kind.list(ctx, l.client, req.Config, &diags)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	nullTimeouts, diags := nullTimeoutsOf(req)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = func(push func(list.ListResult) bool) {
		var n int64
		for obj, err := range objects {
			if req.Limit > 0 && n >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			if err != nil {
				apiErrorDiag(&result.Diagnostics, opList, l.kind.name+"s", "lowcode_"+l.kind.name, err)
				push(result)
				return
			}
			n++
			result.DisplayName = l.kind.display(&obj)
			result.Diagnostics.Append(result.Identity.Set(ctx, idIdentity{ID: types.StringValue(l.kind.id(&obj))})...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, l.kind.model(&obj, nullTimeouts))...)
			}
			if !push(result) {
				return
			}
		}
	}
}

// nullTimeoutsOf is a null `timeouts` value of the listed resource's schema: listed objects
// have no timeouts block, and the value's type must still be the schema's.
func nullTimeoutsOf(req list.ListRequest) (timeouts.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	attr, ok := req.ResourceSchema.GetAttributes()["timeouts"]
	if !ok {
		diags.AddError("Provider bug", "the listed resource has no timeouts attribute")
		return timeouts.Value{}, diags
	}
	t, ok := attr.GetType().(timeouts.Type)
	if !ok {
		diags.AddError("Provider bug", fmt.Sprintf("the listed resource's timeouts attribute has type %T", attr.GetType()))
		return timeouts.Value{}, diags
	}
	return timeouts.Value{Object: types.ObjectNull(t.AttributeTypes())}, diags
}

// filter reads the list block's filters into f.
func filter[F any](ctx context.Context, cfg tfsdk.Config, diags *diag.Diagnostics) F {
	var f F
	diags.Append(cfg.Get(ctx, &f)...)
	return f
}

func optionalFilter(description string, validators ...validator.String) listschema.StringAttribute {
	return listschema.StringAttribute{Optional: true, MarkdownDescription: description, Validators: validators}
}

func boolFilter(description string) listschema.BoolAttribute {
	return listschema.BoolAttribute{Optional: true, MarkdownDescription: description}
}

// NewApplicationListResource lists lowcode_application.
func NewApplicationListResource() list.ListResource {
	type filters struct {
		Name        types.String `tfsdk:"name"`
		Environment types.String `tfsdk:"environment"`
	}
	return &listResource[api.Application]{kind: listKind[api.Application]{
		name:        "application",
		description: "Finds the applications on the platform (all of them, or those with a name or in an environment) to import them.",
		filters: map[string]listschema.Attribute{
			"name":        optionalFilter("Only the applications with this name (one per environment)."),
			"environment": optionalFilter("Only the applications in this environment: `development`, `staging` or `production`.", stringvalidator.OneOf("development", "staging", "production")),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.Application, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListApplications(ctx, client.ApplicationFilter{Name: f.Name.ValueString(), Environment: api.Environment(f.Environment.ValueString())})
		},
		model: func(o *api.Application, t timeouts.Value) any {
			m := &applicationModel{Timeouts: t}
			m.fromAPI(o)
			return m
		},
		id:      func(o *api.Application) string { return o.ID },
		display: func(o *api.Application) string { return fmt.Sprintf("%s (%s, %s)", o.Name, o.Environment, o.Version) },
	}}
}

// NewWorkflowListResource lists lowcode_workflow.
func NewWorkflowListResource() list.ListResource {
	type filters struct {
		ApplicationID types.String `tfsdk:"application_id"`
		Name          types.String `tfsdk:"name"`
		Enabled       types.Bool   `tfsdk:"enabled"`
	}
	return &listResource[api.Workflow]{kind: listKind[api.Workflow]{
		name:        "workflow",
		description: "Finds the workflows on the platform (all of them, or those of an application, with a name, enabled or not) to import them.",
		filters: map[string]listschema.Attribute{
			"application_id": optionalFilter("Only the workflows of this application."),
			"name":           optionalFilter("Only the workflows with this name."),
			"enabled":        boolFilter("Only the enabled (`true`) or disabled (`false`) workflows."),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.Workflow, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListWorkflows(ctx, client.WorkflowFilter{ApplicationID: f.ApplicationID.ValueString(), Name: f.Name.ValueString(), Enabled: boolPtr(f.Enabled)})
		},
		model: func(o *api.Workflow, t timeouts.Value) any {
			m := newWorkflowModel(t)
			m.fromAPI(o)
			return m
		},
		id: func(o *api.Workflow) string { return o.ID },
		display: func(o *api.Workflow) string {
			return fmt.Sprintf("%s %s (application %s)", o.Name, o.Version, o.ApplicationID)
		},
	}}
}

// NewWebhookListResource lists lowcode_webhook.
func NewWebhookListResource() list.ListResource {
	type filters struct {
		ApplicationID types.String `tfsdk:"application_id"`
		EventType     types.String `tfsdk:"event_type"`
		Active        types.Bool   `tfsdk:"active"`
	}
	return &listResource[api.Webhook]{kind: listKind[api.Webhook]{
		name:        "webhook",
		description: "Finds the webhooks on the platform (all of them, or those of an application, subscribed to an event type, active or not) to import them.",
		filters: map[string]listschema.Attribute{
			"application_id": optionalFilter("Only the webhooks of this application."),
			"event_type":     optionalFilter("Only the webhooks subscribed to this event type, such as `order.created`."),
			"active":         boolFilter("Only the active (`true`) or inactive (`false`) webhooks."),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.Webhook, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListWebhooks(ctx, client.WebhookFilter{ApplicationID: f.ApplicationID.ValueString(), EventType: f.EventType.ValueString(), Active: boolPtr(f.Active)})
		},
		model: func(o *api.Webhook, t timeouts.Value) any {
			m := &webhookModel{Timeouts: t}
			m.fromAPI(o)
			return m
		},
		id:      func(o *api.Webhook) string { return o.ID },
		display: func(o *api.Webhook) string { return o.CallbackURL },
	}}
}

// NewUserListResource lists lowcode_user.
func NewUserListResource() list.ListResource {
	type filters struct {
		Email types.String `tfsdk:"email"`
	}
	return &listResource[api.User]{kind: listKind[api.User]{
		name:        "user",
		description: "Finds the users on the platform (all of them, or the one with an email address) to import them.",
		filters: map[string]listschema.Attribute{
			"email": optionalFilter("Only the user with this email address."),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.User, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListUsers(ctx, client.UserFilter{Email: f.Email.ValueString()})
		},
		model: func(o *api.User, t timeouts.Value) any {
			m := &userModel{Timeouts: t}
			m.fromAPI(o)
			return m
		},
		id:      func(o *api.User) string { return o.ID },
		display: func(o *api.User) string { return o.Email },
	}}
}

// NewRoleAssignmentListResource lists lowcode_role_assignment.
func NewRoleAssignmentListResource() list.ListResource {
	type filters struct {
		UserID    types.String `tfsdk:"user_id"`
		Role      types.String `tfsdk:"role"`
		ScopeType types.String `tfsdk:"scope_type"`
		ScopeID   types.String `tfsdk:"scope_id"`
	}
	return &listResource[api.RoleAssignment]{kind: listKind[api.RoleAssignment]{
		name:        "role_assignment",
		description: "Finds the role assignments on the platform (all of them, or by user, role and scope) to import them.",
		filters: map[string]listschema.Attribute{
			"user_id":    optionalFilter("Only the assignments of this user."),
			"role":       optionalFilter("Only the assignments of this role: `viewer`, `editor`, `admin` or `owner`.", stringvalidator.OneOf(roleValues...)),
			"scope_type": optionalFilter("Only the assignments at this kind of scope: `platform`, `application`, `workflow` or `data`.", stringvalidator.OneOf(scopeTypeValues...)),
			"scope_id":   optionalFilter("Only the assignments at the scope with this id."),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.RoleAssignment, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListRoleAssignments(ctx, client.RoleAssignmentFilter{UserID: f.UserID.ValueString(), Role: api.Role(f.Role.ValueString()),
				ScopeType: api.ScopeType(f.ScopeType.ValueString()), ScopeID: f.ScopeID.ValueString()})
		},
		model: func(o *api.RoleAssignment, t timeouts.Value) any {
			m := &roleAssignmentModel{Timeouts: t}
			m.fromAPI(o)
			return m
		},
		id: func(o *api.RoleAssignment) string { return o.ID },
		display: func(o *api.RoleAssignment) string {
			scope := string(o.Scope.Type)
			if o.Scope.ID != nil && *o.Scope.ID != "" {
				scope += " " + *o.Scope.ID
			}
			return fmt.Sprintf("%s is %s on %s", o.UserID, o.Role, scope)
		},
	}}
}

// NewClassificationPolicyListResource lists lowcode_classification_policy.
func NewClassificationPolicyListResource() list.ListResource {
	type filters struct {
		Name          types.String `tfsdk:"name"`
		Level         types.String `tfsdk:"level"`
		ApplicationID types.String `tfsdk:"application_id"`
	}
	return &listResource[api.ClassificationPolicy]{kind: listKind[api.ClassificationPolicy]{
		name:        "classification_policy",
		description: "Finds the classification policies on the platform (all of them, or by name, level or application) to import them.",
		filters: map[string]listschema.Attribute{
			"name":           optionalFilter("Only the policy with this name."),
			"level":          optionalFilter("Only the policies of this level: `public`, `internal`, `confidential` or `restricted`.", stringvalidator.OneOf(classificationLevels...)),
			"application_id": optionalFilter("Only the policies of this application."),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.ClassificationPolicy, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListClassificationPolicies(ctx, client.ClassificationPolicyFilter{Name: f.Name.ValueString(),
				Level: api.ClassificationLevel(f.Level.ValueString()), ApplicationID: f.ApplicationID.ValueString()})
		},
		model: func(o *api.ClassificationPolicy, t timeouts.Value) any {
			m := &classificationPolicyModel{Timeouts: t}
			m.fromAPI(o)
			return m
		},
		id:      func(o *api.ClassificationPolicy) string { return o.ID },
		display: func(o *api.ClassificationPolicy) string { return fmt.Sprintf("%s (%s)", o.Name, o.Level) },
	}}
}

// NewCustomIntegrationListResource lists lowcode_custom_integration.
func NewCustomIntegrationListResource() list.ListResource {
	type filters struct {
		Name types.String `tfsdk:"name"`
	}
	return &listResource[api.Integration]{kind: listKind[api.Integration]{
		name:        "custom_integration",
		description: "Finds the custom integrations registered on the platform (all of them, or the one with a name) to import them.",
		filters: map[string]listschema.Attribute{
			"name": optionalFilter("Only the integration with this name."),
		},
		list: func(ctx context.Context, c *client.Client, cfg tfsdk.Config, diags *diag.Diagnostics) iter.Seq2[api.Integration, error] {
			f := filter[filters](ctx, cfg, diags)
			return c.ListIntegrations(ctx, client.IntegrationFilter{Name: f.Name.ValueString()})
		},
		model: func(o *api.Integration, t timeouts.Value) any {
			m := &customIntegrationModel{Timeouts: t}
			m.fromAPI(o)
			return m
		},
		id:      func(o *api.Integration) string { return o.ID },
		display: func(o *api.Integration) string { return fmt.Sprintf("%s (%s)", o.Name, o.CodeRepo) },
	}}
}
