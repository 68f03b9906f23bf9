package platform_test

// The authorization matrix: every role (viewer, editor, admin, owner) at every scope
// (the platform, application A, workflow W in A, the data of classification policy P), a user
// without grants, and an owner whose key is capped at viewer, against every endpoint family.
//
// The rule for refusals (the same as in authz.go and openapi.yaml):
//   - 404 only when the object does not exist;
//   - 403 forbidden-scope when the caller reaches an existing object by id but cannot read it
//     (a client that read 404 would take the object for deleted and drop it from state);
//   - 403 forbidden when the caller can read the object but lacks the role to change it;
//   - 403 for creates without the needed role where the new object's place is readable (the
//     platform, or an application the caller reads); a create that names a parent the caller
//     cannot read (workflow or webhook in application A, a grant at A or W) is the 400 field
//     error a missing parent gets, for the same reason as the 404;
//   - users are a directory every caller reads, so refusals on users are 403;
//   - role assignments of others are readable only with the admin role where they apply:
//     without it they are absent from lists and 403 forbidden-scope by id;
//   - other users' tokens and others' audit events need platform admin and are hidden
//     otherwise (404, or absent from lists): tokens never enter Terraform state.
//
// Rows that change a shared fixture (PATCH, PUT, DELETE) send a stale If-Match: a caller who
// is allowed gets past authorization and stops at the precondition (412), so the fixture stays
// for the next caller; a refused caller gets 403 or 404 before the etag is looked at.
//
// Families are gated: a family in pendingFamilies must still answer 501 on every row, and the
// test fails as soon as it answers anything else, so a family that lands is moved to the
// checked ones (and its rows verified) instead of being skipped silently.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// pendingFamilies still answer 501. Remove a family from here when its endpoints land.
var pendingFamilies = map[string]bool{}

// where is the place a row's object lives, for deciding which grants apply.
type where int

const (
	atPlatform where = iota
	atApp            // application A
	atWorkflow       // workflow W in application A
)

// rule is how a row decides between allowed and refused, and how it refuses.
type rule int

const (
	ruleRead       rule = iota // viewer at the place reads; others get 403 forbidden-scope
	ruleChange                 // need at the place changes; readers get 403, others 403 forbidden-scope
	ruleCreateIn               // need at the place creates; readers get 403, others 400 (unreadable parent)
	rulePlatformOp             // need at the platform; everyone else 403
	ruleHidden                 // need at the place reads or changes; everyone else 404
	ruleAdminOnly              // need at the place reads or changes by id; everyone else 403 forbidden-scope
	ruleAnyone                 // every authenticated caller
	ruleListed                 // viewer at the place finds it in a list; for others it is absent (404, see matrixRow)
	ruleAuthorIn               // need at the place (A) for what the change adds to W; readers of W get 403, others 403 forbidden-scope
	ruleAdminSees              // need at the place changes; admins there get 403, others 404
)

// caller is one row of principals.
type caller struct {
	name  string
	role  api.Role      // "" for no grant
	scope api.ScopeType // where the grant is
	cap   api.Role      // the key's max role
}

var matrixRanks = map[api.Role]int{api.Viewer: 1, api.Editor: 2, api.Admin: 3, api.Owner: 4}

// rank is the caller's effective role at a place: platform grants cover everything,
// application grants cover A and its workflows, workflow grants cover W only, and data grants
// give no object permissions; the key's max role caps it.
func (c caller) rank(at where) int {
	covers := c.scope == api.ScopeTypePlatform ||
		c.scope == api.ScopeTypeApplication && at != atPlatform ||
		c.scope == api.ScopeTypeWorkflow && at == atWorkflow
	if c.role == "" || !covers {
		return 0
	}
	return min(matrixRanks[c.role], matrixRanks[c.cap])
}

// matrixFixtures are the objects the rows act on, created by the owner.
type matrixFixtures struct {
	owner                         *api.ClientWithResponses
	app, workflow, policy         string
	member, plain                 string
	memberAtApp, memberAtWorkflow string
	appWebhook, platformWebhook   string
	appPolicy, integration        string
	othersApp                     string   // created by a user who is none of the callers, for the audit rows
	coOwner                       string   // a platform owner who is none of the callers
	execution                     string   // a canceled execution of W
	grantees                      []string // one user per caller, for grants that must not clash
}

// matrixRow is one endpoint call. call returns the HTTP status; list rows return 200 when the
// fixture is in the list and 404 when it is not, so that they read like the other rows.
type matrixRow struct {
	family, op string
	at         where
	need       api.Role
	rule       rule
	ok         int // the status of an allowed call
	call       func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int
}

type statusCoder interface{ StatusCode() int }

// statusForbiddenScope stands for a 403 whose problem type is forbidden-scope, so that rows
// tell it from a 403 forbidden.
const statusForbiddenScope = 1403

func status[R statusCoder](r R, err error) int {
	if err != nil {
		return -1
	}
	code := r.StatusCode()
	if code == http.StatusForbidden {
		// Every generated response type carries the raw body in its Body field.
		var p struct{ Type string }
		body := reflect.ValueOf(r).Elem().FieldByName("Body").Bytes()
		if json.Unmarshal(body, &p) == nil && strings.HasSuffix(p.Type, "/problems/forbidden-scope") {
			return statusForbiddenScope
		}
	}
	return code
}

func statusName(code int) string {
	if code == statusForbiddenScope {
		return "403 forbidden-scope"
	}
	return strconv.Itoa(code)
}

// listed is 200 when id is among ids, 404 otherwise (see matrixRow).
func listed(code int, id string, ids func() []string) int {
	if code != http.StatusOK {
		return code
	}
	if slices.Contains(ids(), id) {
		return http.StatusOK
	}
	return http.StatusNotFound
}

func idsOf[T any](items []T, id func(T) string) func() []string {
	return func() []string {
		out := make([]string, 0, len(items))
		for _, it := range items {
			out = append(out, id(it))
		}
		return out
	}
}

var stale = ptr(`"stale-etag"`)

func matrixRows() []matrixRow {
	appInput := api.ApplicationInput{Name: "order-management", Environment: api.Production, Version: "2.3.0"}
	target := api.MonitoringTargetInput{MaxErrorRate: ptr(1.0)}
	return []matrixRow{
		// applications
		{"applications", "list", atApp, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.app, idsOf(r.JSON200.Items, func(a api.Application) string { return a.ID }))
		}},
		{"applications", "get", atApp, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetApplicationWithResponse(ctx, fx.app))
		}},
		{"applications", "patch", atApp, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchApplicationWithResponse(ctx, fx.app, &api.PatchApplicationParams{IfMatch: stale}, api.ApplicationPatch{Version: ptr("9.0.0")}))
		}},
		{"applications", "replace", atApp, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.ReplaceApplicationWithResponse(ctx, fx.app, &api.ReplaceApplicationParams{IfMatch: stale}, appInput))
		}},
		{"applications", "delete", atApp, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteApplicationWithResponse(ctx, fx.app, &api.DeleteApplicationParams{IfMatch: stale}))
		}},
		{"applications", "create", atPlatform, api.Editor, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, i int) int {
			return status(c.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{},
				api.ApplicationInput{Name: fmt.Sprintf("app-%d", i), Environment: api.Staging, Version: "1.0.0"}))
		}},

		// workflows
		{"workflows", "list", atWorkflow, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListWorkflowsWithResponse(ctx, &api.ListWorkflowsParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.workflow, idsOf(r.JSON200.Items, func(w api.Workflow) string { return w.ID }))
		}},
		{"workflows", "get", atWorkflow, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetWorkflowWithResponse(ctx, fx.workflow))
		}},
		{"workflows", "patch", atWorkflow, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchWorkflowWithResponse(ctx, fx.workflow, &api.PatchWorkflowParams{IfMatch: stale}, api.WorkflowPatch{Enabled: ptr(false)}))
		}},
		{"workflows", "replace", atWorkflow, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.ReplaceWorkflowWithResponse(ctx, fx.workflow, &api.ReplaceWorkflowParams{IfMatch: stale}, orderFulfillment(fx.app)))
		}},
		// An emit step publishes the application's events, so writing one needs what POST /events
		// needs (editor on A), even from an editor of W alone.
		{"workflows", "write an emit step", atApp, api.Editor, ruleAuthorIn, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchWorkflowWithResponse(ctx, fx.workflow, &api.PatchWorkflowParams{IfMatch: stale},
				api.WorkflowPatch{Steps: &[]api.WorkflowStep{{Name: "forge", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.created"}}}}))
		}},
		{"workflows", "delete", atWorkflow, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteWorkflowWithResponse(ctx, fx.workflow, &api.DeleteWorkflowParams{IfMatch: stale}))
		}},
		{"workflows", "create in A", atApp, api.Editor, ruleCreateIn, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int {
			in := orderFulfillment(fx.app)
			in.Name = fmt.Sprintf("wf-%d", i)
			return status(c.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, in))
		}},

		// monitoring targets
		{"monitoring targets", "get", atWorkflow, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetMonitoringTargetWithResponse(ctx, fx.workflow))
		}},
		{"monitoring targets", "metrics", atWorkflow, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetWorkflowMetricsWithResponse(ctx, fx.workflow, &api.GetWorkflowMetricsParams{}))
		}},
		{"monitoring targets", "put", atWorkflow, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PutMonitoringTargetWithResponse(ctx, fx.workflow, &api.PutMonitoringTargetParams{IfMatch: stale}, target))
		}},
		{"monitoring targets", "delete", atWorkflow, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteMonitoringTargetWithResponse(ctx, fx.workflow, &api.DeleteMonitoringTargetParams{IfMatch: stale}))
		}},

		// webhooks: an application's webhooks follow the application; platform-wide ones the platform.
		{"webhooks", "list", atApp, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListWebhooksWithResponse(ctx, &api.ListWebhooksParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.appWebhook, idsOf(r.JSON200.Items, func(w api.Webhook) string { return w.ID }))
		}},
		{"webhooks", "get", atApp, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetWebhookWithResponse(ctx, fx.appWebhook))
		}},
		{"webhooks", "deliveries", atApp, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.ListWebhookDeliveriesWithResponse(ctx, fx.appWebhook, &api.ListWebhookDeliveriesParams{}))
		}},
		{"webhooks", "patch", atApp, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchWebhookWithResponse(ctx, fx.appWebhook, &api.PatchWebhookParams{IfMatch: stale}, api.WebhookPatch{Active: ptr(false)}))
		}},
		{"webhooks", "rotate secret", atApp, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.RotateWebhookSecretWithResponse(ctx, fx.appWebhook, &api.RotateWebhookSecretParams{IfMatch: stale}, api.RotateSecretRequest{}))
		}},
		{"webhooks", "delete", atApp, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteWebhookWithResponse(ctx, fx.appWebhook, &api.DeleteWebhookParams{IfMatch: stale}))
		}},
		{"webhooks", "create in A", atApp, api.Editor, ruleCreateIn, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, matrixWebhook(&fx.app)))
		}},
		{"webhooks", "get platform-wide", atPlatform, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetWebhookWithResponse(ctx, fx.platformWebhook))
		}},
		{"webhooks", "create platform-wide", atPlatform, api.Editor, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, _ int) int {
			return status(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, matrixWebhook(nil)))
		}},

		// users: a directory every caller reads; changes need platform admin.
		{"users", "list", atPlatform, "", ruleAnyone, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListUsersWithResponse(ctx, &api.ListUsersParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.plain, idsOf(r.JSON200.Items, func(u api.User) string { return u.ID }))
		}},
		{"users", "get", atPlatform, "", ruleAnyone, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetUserWithResponse(ctx, fx.plain))
		}},
		{"users", "create", atPlatform, api.Admin, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, i int) int {
			return status(c.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: fmt.Sprintf("new-%d@example.com", i)}))
		}},
		{"users", "patch another", atPlatform, api.Admin, rulePlatformOp, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchUserWithResponse(ctx, fx.plain, &api.PatchUserParams{IfMatch: stale}, api.UserPatch{DisplayName: ptr("x")}))
		}},
		{"users", "delete another", atPlatform, api.Admin, rulePlatformOp, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteUserWithResponse(ctx, fx.plain, &api.DeleteUserParams{IfMatch: stale}))
		}},
		{"users", "read another's access", atPlatform, api.Admin, rulePlatformOp, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetUserAccessWithResponse(ctx, fx.member))
		}},
		{"users", "revoke another's access", atPlatform, api.Admin, rulePlatformOp, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.RevokeUserAccessWithResponse(ctx, fx.plain, &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{}))
		}},

		// role assignments: others' grants are visible and manageable with admin where they apply.
		{"role assignments", "list", atApp, api.Admin, ruleHidden, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListRoleAssignmentsWithResponse(ctx, &api.ListRoleAssignmentsParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.memberAtApp, idsOf(r.JSON200.Items, func(ra api.RoleAssignment) string { return ra.ID }))
		}},
		{"role assignments", "get at A", atApp, api.Admin, ruleAdminOnly, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetRoleAssignmentWithResponse(ctx, fx.memberAtApp))
		}},
		{"role assignments", "get at W", atWorkflow, api.Admin, ruleAdminOnly, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetRoleAssignmentWithResponse(ctx, fx.memberAtWorkflow))
		}},
		{"role assignments", "delete at A", atApp, api.Admin, ruleAdminOnly, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteRoleAssignmentWithResponse(ctx, fx.memberAtApp, &api.DeleteRoleAssignmentParams{IfMatch: stale}))
		}},
		{"role assignments", "grant viewer at A", atApp, api.Admin, ruleCreateIn, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int {
			return status(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{},
				api.RoleAssignmentInput{UserID: fx.grantees[i], Role: api.Viewer, Scope: scope(api.ScopeTypeApplication, fx.app)}))
		}},
		{"role assignments", "grant viewer at W", atWorkflow, api.Admin, ruleCreateIn, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int {
			return status(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{},
				api.RoleAssignmentInput{UserID: fx.grantees[i], Role: api.Viewer, Scope: scope(api.ScopeTypeWorkflow, fx.workflow)}))
		}},
		{"role assignments", "grant viewer on the platform", atPlatform, api.Admin, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int {
			return status(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{},
				api.RoleAssignmentInput{UserID: fx.grantees[i], Role: api.Viewer, Scope: scope(api.ScopeTypePlatform, "")}))
		}},
		{"role assignments", "grant viewer at data P", atPlatform, api.Admin, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int {
			return status(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{},
				api.RoleAssignmentInput{UserID: fx.grantees[i], Role: api.Viewer, Scope: scope(api.ScopeTypeData, fx.policy)}))
		}},

		// classification policies: an application's policies follow the application; managing
		// them needs admin.
		{"classification policies", "list", atApp, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListClassificationPoliciesWithResponse(ctx, &api.ListClassificationPoliciesParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.appPolicy, idsOf(r.JSON200.Items, func(p api.ClassificationPolicy) string { return p.ID }))
		}},
		{"classification policies", "get", atApp, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetClassificationPolicyWithResponse(ctx, fx.appPolicy))
		}},
		{"classification policies", "patch", atApp, api.Admin, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchClassificationPolicyWithResponse(ctx, fx.appPolicy, &api.PatchClassificationPolicyParams{IfMatch: stale},
				api.ClassificationPolicyPatch{Description: ptr("x")}))
		}},
		{"classification policies", "delete", atApp, api.Admin, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteClassificationPolicyWithResponse(ctx, fx.appPolicy, &api.DeleteClassificationPolicyParams{IfMatch: stale}))
		}},
		{"classification policies", "create in A", atApp, api.Admin, ruleCreateIn, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, i int) int {
			return status(c.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, matrixPolicy(fmt.Sprintf("a-%d", i), &fx.app)))
		}},
		{"classification policies", "create platform-wide", atPlatform, api.Admin, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, i int) int {
			return status(c.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, matrixPolicy(fmt.Sprintf("p-%d", i), nil)))
		}},

		{"classification policies", "classify with A's policies", atApp, api.Viewer, ruleCreateIn, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.ClassifyRecordWithResponse(ctx, &api.ClassifyRecordParams{}, api.ClassifyRequest{ApplicationID: &fx.app, Data: map[string]any{"card_number": "4111"}}))
		}},
		{"classification policies", "classify", atPlatform, "", ruleAnyone, 200, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, _ int) int {
			return status(c.ClassifyRecordWithResponse(ctx, &api.ClassifyRecordParams{}, api.ClassifyRequest{Data: map[string]any{"card_number": "4111"}}))
		}},
		// Classifying shows only the policies the caller may list: platform-wide ones to platform readers.
		{"classification policies", "classify with platform-wide policies", atPlatform, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ClassifyRecordWithResponse(ctx, &api.ClassifyRecordParams{}, api.ClassifyRequest{Data: map[string]any{"card_number": "4111"}})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.policy, idsOf(r.JSON200.Fields, func(f api.FieldClassification) string { return f.PolicyID }))
		}},

		// executions follow their workflow: reading needs viewer, triggering and canceling editor.
		{"executions", "trigger W", atWorkflow, api.Editor, ruleChange, 202, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.TriggerWorkflowWithResponse(ctx, fx.workflow, &api.TriggerWorkflowParams{}, api.TriggerRequest{Input: &map[string]any{"amount": 10}}))
		}},
		{"executions", "list", atWorkflow, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{PageSize: ptr(1000)})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.execution, idsOf(r.JSON200.Items, func(e api.Execution) string { return e.ID }))
		}},
		{"executions", "get", atWorkflow, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetExecutionWithResponse(ctx, fx.execution))
		}},
		// The fixture is already canceled: an allowed caller gets past authorization to the 409.
		{"executions", "cancel", atWorkflow, api.Editor, ruleChange, 409, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.CancelExecutionWithResponse(ctx, fx.execution, &api.CancelExecutionParams{}))
		}},

		// events: publishing an application's event needs editor on it, a platform-wide one on the platform.
		{"events", "publish in A", atApp, api.Editor, ruleCreateIn, 202, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "customer.updated", ApplicationID: &fx.app}))
		}},
		{"events", "publish platform-wide", atPlatform, api.Editor, rulePlatformOp, 202, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, _ int) int {
			return status(c.PublishEventWithResponse(ctx, &api.PublishEventParams{}, api.EventInput{Type: "customer.updated"}))
		}},
		{"events", "event types", atWorkflow, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, _ int) int {
			r, err := c.ListEventTypesWithResponse(ctx)
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), "order.created", idsOf(r.JSON200.Items, func(e api.EventType) string { return e.Name }))
		}},

		// integrations: platform-wide objects.
		{"integrations", "list", atPlatform, api.Viewer, ruleListed, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListIntegrationsWithResponse(ctx, &api.ListIntegrationsParams{})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.integration, idsOf(r.JSON200.Items, func(in api.Integration) string { return in.ID }))
		}},
		{"integrations", "get", atPlatform, api.Viewer, ruleRead, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.GetIntegrationWithResponse(ctx, fx.integration))
		}},
		{"integrations", "patch", atPlatform, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.PatchIntegrationWithResponse(ctx, fx.integration, &api.PatchIntegrationParams{IfMatch: stale}, api.IntegrationPatch{Description: ptr("x")}))
		}},
		{"integrations", "delete", atPlatform, api.Editor, ruleChange, 412, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.DeleteIntegrationWithResponse(ctx, fx.integration, &api.DeleteIntegrationParams{IfMatch: stale}))
		}},
		{"integrations", "create", atPlatform, api.Editor, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, i int) int {
			return status(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{},
				api.IntegrationInput{Name: fmt.Sprintf("crm-sync-%d", i), CodeRepo: "github.com/company/crm-sync", APIVersion: "v2"}))
		}},

		// tokens: everyone issues their own; others' need platform admin, and are hidden otherwise.
		{"tokens", "create own", atPlatform, "", ruleAnyone, 201, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, _ int) int {
			return status(c.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{}))
		}},
		{"tokens", "create for another user", atPlatform, api.Admin, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{UserID: &fx.member, MaxRole: ptr(api.Viewer)}))
		}},
		{"tokens", "delete another user's", atPlatform, api.Admin, ruleHidden, 204, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			tok, err := fx.owner.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{UserID: &fx.member, MaxRole: ptr(api.Viewer)})
			if err != nil || tok.JSON201 == nil {
				return -1
			}
			return status(c.DeleteAPITokenWithResponse(ctx, tok.JSON201.ID, &api.DeleteAPITokenParams{}))
		}},

		// A platform owner's credentials are the owner's: admins below them may neither mint a
		// token for them (and act as them) nor revoke theirs.
		{"tokens", "create for a platform owner", atPlatform, api.Owner, rulePlatformOp, 201, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			return status(c.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{UserID: &fx.coOwner, MaxRole: ptr(api.Viewer)}))
		}},
		{"tokens", "delete a platform owner's", atPlatform, api.Owner, ruleAdminSees, 204, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			tok, err := fx.owner.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{UserID: &fx.coOwner, MaxRole: ptr(api.Viewer)})
			if err != nil || tok.JSON201 == nil {
				return -1
			}
			return status(c.DeleteAPITokenWithResponse(ctx, tok.JSON201.ID, &api.DeleteAPITokenParams{}))
		}},

		// audit: everyone reads their own actions; others' need platform admin.
		{"audit", "list own", atPlatform, "", ruleAnyone, 200, func(ctx context.Context, c *api.ClientWithResponses, _ *matrixFixtures, _ int) int {
			return status(c.ListAuditEventsWithResponse(ctx, &api.ListAuditEventsParams{}))
		}},
		{"audit", "list another user's", atPlatform, api.Admin, ruleHidden, 200, func(ctx context.Context, c *api.ClientWithResponses, fx *matrixFixtures, _ int) int {
			r, err := c.ListAuditEventsWithResponse(ctx, &api.ListAuditEventsParams{ObjectID: &fx.othersApp})
			if err != nil || r.JSON200 == nil {
				return status(r, err)
			}
			return listed(r.StatusCode(), fx.othersApp, idsOf(r.JSON200.Items, func(e api.AuditEvent) string { return e.ObjectID }))
		}},
	}
}

func matrixWebhook(appID *string) api.WebhookInput {
	return api.WebhookInput{ApplicationID: appID, CallbackURL: "http://127.0.0.1:9/hooks/orders", EventTypes: []string{"order.created"}}
}

func matrixPolicy(name string, appID *string) api.ClassificationPolicyInput {
	return api.ClassificationPolicyInput{Name: name, ApplicationID: appID, Level: api.Restricted, Encryption: "at-rest+transit+field-level",
		Access: api.NeedToKnow, FieldPatterns: []string{"card_number"}}
}

// expect is the status a caller should get for a row.
func (row matrixRow) expect(c caller) int {
	rank := c.rank(row.at)
	reads := rank >= matrixRanks[api.Viewer]
	if row.rule == ruleAuthorIn {
		reads = c.rank(atWorkflow) >= matrixRanks[api.Viewer]
	}
	if row.rule == ruleAdminSees {
		reads = rank >= matrixRanks[api.Admin]
	}
	switch {
	case row.rule == ruleAnyone || rank >= matrixRanks[row.need]:
		return row.ok
	case row.rule == rulePlatformOp:
		return http.StatusForbidden
	case row.rule == ruleHidden, row.rule == ruleListed:
		return http.StatusNotFound
	case row.rule == ruleAdminOnly:
		return statusForbiddenScope
	case row.rule == ruleCreateIn && !reads:
		return http.StatusBadRequest
	case row.rule == ruleAdminSees && !reads: // tokens stay hidden: they never enter state
		return http.StatusNotFound
	case !reads:
		return statusForbiddenScope
	}
	return http.StatusForbidden
}

func matrixCallers() []caller {
	out := []caller{{name: "no grants", cap: api.Owner}}
	for _, sc := range []api.ScopeType{api.ScopeTypePlatform, api.ScopeTypeApplication, api.ScopeTypeWorkflow, api.ScopeTypeData} {
		for _, role := range []api.Role{api.Viewer, api.Editor, api.Admin, api.Owner} {
			out = append(out, caller{name: fmt.Sprintf("%s at %s", role, sc), role: role, scope: sc, cap: api.Owner})
		}
	}
	// The platform owner through a key capped at viewer only reads.
	return append(out, caller{name: "owner on the platform with a viewer key", role: api.Owner, scope: api.ScopeTypePlatform, cap: api.Viewer})
}

// setUpMatrix creates the fixtures, and for landed families only, theirs.
func setUpMatrix(t *testing.T, inst *platformtest.Instance, callers int) *matrixFixtures {
	t.Helper()
	ctx := context.Background()
	owner := inst.Client
	fx := &matrixFixtures{owner: owner}
	fx.app = createApp(t, owner, "order-management")
	fx.workflow = createWorkflow(t, owner, orderFulfillment(fx.app)).ID
	if r := must(owner.PutMonitoringTargetWithResponse(ctx, fx.workflow, &api.PutMonitoringTargetParams{}, api.MonitoringTargetInput{MinSuccessRate: ptr(99.0)})); r.JSON200 == nil {
		t.Fatalf("monitoring target: %d %s", r.StatusCode(), r.Body)
	}
	fx.policy = storePolicy(t, inst, "payment-cards")
	_, otherKey := inst.NewUser("other-actor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypePlatform})
	fx.othersApp = createApp(t, inst.ClientFor(otherKey), "billing")
	fx.coOwner, _ = inst.NewUser("co-owner@example.com", platformtest.Grant{Role: api.Owner, ScopeType: api.ScopeTypePlatform})
	fx.member = createUser(t, owner, "member@example.com").ID
	fx.plain = createUser(t, owner, "plain@example.com").ID
	fx.memberAtApp = grant(t, owner, fx.member, api.Viewer, scope(api.ScopeTypeApplication, fx.app)).ID
	fx.memberAtWorkflow = grant(t, owner, fx.member, api.Viewer, scope(api.ScopeTypeWorkflow, fx.workflow)).ID
	for i := range callers {
		fx.grantees = append(fx.grantees, createUser(t, owner, fmt.Sprintf("grantee-%d@example.com", i)).ID)
	}
	fx.appWebhook, fx.platformWebhook, fx.appPolicy, fx.integration = "whk_pending", "whk_pending", "cls_pending", "int_pending"
	if !pendingFamilies["webhooks"] {
		for _, wh := range []struct {
			id  *string
			app *string
		}{{&fx.appWebhook, &fx.app}, {&fx.platformWebhook, nil}} {
			r := must(owner.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, matrixWebhook(wh.app)))
			if r.JSON201 == nil {
				t.Fatalf("webhook: %d %s", r.StatusCode(), r.Body)
			}
			*wh.id = r.JSON201.ID
		}
	}
	if !pendingFamilies["classification policies"] {
		r := must(owner.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, matrixPolicy("order-cards", &fx.app)))
		if r.JSON201 == nil {
			t.Fatalf("classification policy: %d %s", r.StatusCode(), r.Body)
		}
		fx.appPolicy = r.JSON201.ID
	}
	fx.execution = "exe_pending"
	if !pendingFamilies["executions"] {
		r := must(owner.TriggerWorkflowWithResponse(ctx, fx.workflow, &api.TriggerWorkflowParams{}, api.TriggerRequest{}))
		if r.JSON202 == nil {
			t.Fatalf("trigger: %d %s", r.StatusCode(), r.Body)
		}
		fx.execution = r.JSON202.ExecutionID
		if c := must(owner.CancelExecutionWithResponse(ctx, fx.execution, &api.CancelExecutionParams{})); c.StatusCode() != http.StatusOK && c.StatusCode() != http.StatusConflict {
			t.Fatalf("cancel: %d %s", c.StatusCode(), c.Body)
		}
	}
	if !pendingFamilies["integrations"] {
		r := must(owner.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{},
			api.IntegrationInput{Name: "crm-sync", CodeRepo: "github.com/company/crm-sync", APIVersion: "v2"}))
		if r.JSON201 == nil {
			t.Fatalf("integration: %d %s", r.StatusCode(), r.Body)
		}
		fx.integration = r.JSON201.ID
	}
	return fx
}

// callerClient creates the caller's user, grant and key.
func callerClient(t *testing.T, inst *platformtest.Instance, fx *matrixFixtures, i int, c caller) *api.ClientWithResponses {
	t.Helper()
	if c.cap != api.Owner {
		tok := createToken(t, inst.Client, api.APITokenInput{MaxRole: ptr(c.cap)})
		return inst.ClientFor(tok.Token)
	}
	var grants []platformtest.Grant
	if c.role != "" {
		id := map[api.ScopeType]string{api.ScopeTypeApplication: fx.app, api.ScopeTypeWorkflow: fx.workflow, api.ScopeTypeData: fx.policy}[c.scope]
		grants = append(grants, platformtest.Grant{Role: c.role, ScopeType: c.scope, ScopeID: id})
	}
	_, key := inst.NewUser(fmt.Sprintf("caller-%d@example.com", i), grants...)
	return inst.ClientFor(key)
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	rows := matrixRows()
	families := map[string]bool{}
	for _, row := range rows {
		families[row.family] = true
	}
	for f := range pendingFamilies {
		if !families[f] {
			t.Errorf("pending family %q has no rows", f)
		}
	}
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		callers := matrixCallers()
		fx := setUpMatrix(t, inst, len(callers))
		for i, c := range callers {
			client := callerClient(t, inst, fx, i, c)
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				for _, row := range rows {
					got := row.call(ctx, client, fx, i)
					if pendingFamilies[row.family] {
						if got != http.StatusNotImplemented {
							t.Errorf("%s %s answered %d, not 501: the %s endpoints have landed; remove %q from pendingFamilies "+
								"in authz_matrix_test.go so that its rows are checked", row.family, row.op, got, row.family, row.family)
						}
						continue
					}
					if got == http.StatusNotImplemented {
						t.Errorf("%s %s answered 501, but %q is not in pendingFamilies: its endpoints are expected to be implemented",
							row.family, row.op, row.family)
						continue
					}
					if want := row.expect(c); got != want {
						t.Errorf("%s %s: got %s, want %s", row.family, row.op, statusName(got), statusName(want))
					}
				}
			})
		}
	})
}

// An emit step publishes only where the user who saved the workflow may publish: refused when
// saved by an editor of the workflow alone (the matrix row "add an emit step"), and failed,
// visibly, when it runs after its author lost the role.
func TestAuthorizationEmitStepWithinItsAuthorsScope(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		app := createApp(t, owner, "order-management")
		listener := createWorkflow(t, owner, api.WorkflowInput{ApplicationID: app, Name: "on-validated", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeEvent, EventType: ptr("order.validated")},
			Steps: []api.WorkflowStep{{Name: "mark", Type: api.Transform,
				Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "seen", Expression: "true"}}}}}})
		listenerRuns := func() int {
			r := must(owner.ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{WorkflowID: &listener.ID}))
			if r.JSON200 == nil {
				t.Fatalf("listing executions: %d %s", r.StatusCode(), r.Body)
			}
			return len(r.JSON200.Items)
		}
		emitting := api.WorkflowInput{ApplicationID: app, Name: "announce-orders", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps:   []api.WorkflowStep{{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.validated"}}}}

		author := createUser(t, owner, "author@example.com").ID
		authorGrant := grant(t, owner, author, api.Editor, scope(api.ScopeTypeApplication, app))
		authorClient := inst.ClientFor(createToken(t, owner, api.APITokenInput{UserID: &author}).Token)
		wf := createWorkflow(t, authorClient, emitting)

		// An editor of this workflow alone may not write an emit step into it (the refusal names
		// the role), but may change what leaves the steps, and their author, as they are.
		narrow := createUser(t, owner, "narrow@example.com").ID
		grant(t, owner, narrow, api.Editor, scope(api.ScopeTypeWorkflow, wf.ID))
		narrowClient := inst.ClientFor(createToken(t, owner, api.APITokenInput{UserID: &narrow}).Token)
		forged := []api.WorkflowStep{{Name: "announce", Type: api.Emit, Emit: &api.EmitStep{EventType: "order.validated", Data: ptr(`{forged: true}`)}}}
		p := wantProblem(t, must(narrowClient.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{},
			api.WorkflowPatch{Steps: &forged})), http.StatusForbidden)
		if !strings.Contains(deref(p.Detail), "editor role on application "+app) {
			t.Errorf("the refusal does not name the missing role: %s", deref(p.Detail))
		}
		if r := must(narrowClient.PatchWorkflowWithResponse(ctx, wf.ID, &api.PatchWorkflowParams{},
			api.WorkflowPatch{Description: ptr("announces validated orders")})); r.JSON200 == nil {
			t.Fatalf("a change that leaves the steps: %d %s", r.StatusCode(), r.Body)
		}

		exe := waitExecution(t, owner, trigger(t, owner, wf.ID, map[string]any{"order_id": "A-1"}))
		if exe.Status != api.ExecutionStatusSucceeded || listenerRuns() != 1 {
			t.Fatalf("with its author's role the emit step publishes: %s, %d listener runs", mustJSON(t, exe), listenerRuns())
		}

		// The author loses the role: the next run fails at the emit step, naming the role, and
		// publishes nothing.
		if r := must(owner.DeleteRoleAssignmentWithResponse(ctx, authorGrant.ID, &api.DeleteRoleAssignmentParams{})); r.StatusCode() != http.StatusNoContent {
			t.Fatalf("revoking: %d %s", r.StatusCode(), r.Body)
		}
		exe = waitExecution(t, owner, trigger(t, owner, wf.ID, map[string]any{"order_id": "A-2"}))
		if exe.Status != api.ExecutionStatusFailed || !strings.Contains(deref(exe.Error), "editor role on application "+app) ||
			len(exe.Steps) != 1 || exe.Steps[0].Status != api.StepResultStatusFailed {
			t.Fatalf("after the author lost the role: %s", mustJSON(t, exe))
		}
		if n := listenerRuns(); n != 1 {
			t.Errorf("the refused emit step still ran the listener: %d runs", n)
		}
	})
}

// Idempotency records belong to the credential that made them, and a replay is authorized
// like a fresh request: another key of the same user (a token capped at viewer) cannot collect
// an issued token or a generated signing secret by resending the body with the same
// Idempotency-Key, and the same key gets the refusal, not the stored response, once its user
// lost the role.
func TestAuthorizationIdempotencyReplays(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		app := createApp(t, owner, "order-management")
		_, adminKey := inst.NewUser("admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypePlatform})
		admin := inst.ClientFor(adminKey)
		capped := inst.ClientFor(createToken(t, admin, api.APITokenInput{MaxRole: ptr(api.Viewer)}).Token)

		// The admin issues itself an admin token; the viewer-capped token resends the body.
		own := api.APITokenInput{Description: ptr("deploy")}
		first := must(admin.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{IdempotencyKey: ptr("tok-1")}, own))
		if first.JSON201 == nil || first.JSON201.MaxRole != api.Admin {
			t.Fatalf("issuing: %d %s", first.StatusCode(), first.Body)
		}
		if again := must(admin.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{IdempotencyKey: ptr("tok-1")}, own)); again.JSON201 == nil ||
			again.JSON201.Token != first.JSON201.Token || again.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the same key's replay: %d %s", again.StatusCode(), again.Body)
		}
		other := must(capped.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{IdempotencyKey: ptr("tok-1")}, own))
		if other.JSON201 == nil || other.JSON201.Token == first.JSON201.Token || other.JSON201.MaxRole != api.Viewer {
			t.Errorf("a viewer-capped token of the admin resending the admin's token issue: %d %s", other.StatusCode(), other.Body)
		}

		hook := matrixWebhook(&app)
		created := must(admin.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{IdempotencyKey: ptr("whk-1")}, hook))
		if created.JSON201 == nil || created.JSON201.Secret == nil {
			t.Fatalf("webhook: %d %s", created.StatusCode(), created.Body)
		}
		if r := must(capped.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{IdempotencyKey: ptr("whk-1")}, hook)); r.StatusCode() != http.StatusForbidden ||
			strings.Contains(string(r.Body), *created.JSON201.Secret) {
			t.Errorf("a viewer-capped token of the admin replaying the admin's webhook create: %d %s", r.StatusCode(), r.Body)
		}

		// The same credential after its user lost the editor role (keeping viewer): refused as
		// a fresh request would be, without the secret.
		editor := createUser(t, owner, "editor@example.com").ID
		editorGrant := grant(t, owner, editor, api.Editor, scope(api.ScopeTypeApplication, app))
		grant(t, owner, editor, api.Viewer, scope(api.ScopeTypeApplication, app))
		editorClient := inst.ClientFor(createToken(t, owner, api.APITokenInput{UserID: &editor}).Token)
		mine := must(editorClient.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{IdempotencyKey: ptr("whk-2")}, hook))
		if mine.JSON201 == nil || mine.JSON201.Secret == nil {
			t.Fatalf("editor's webhook: %d %s", mine.StatusCode(), mine.Body)
		}
		if r := must(owner.DeleteRoleAssignmentWithResponse(ctx, editorGrant.ID, &api.DeleteRoleAssignmentParams{})); r.StatusCode() != http.StatusNoContent {
			t.Fatalf("revoking: %d %s", r.StatusCode(), r.Body)
		}
		if r := must(editorClient.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{IdempotencyKey: ptr("whk-2")}, hook)); r.StatusCode() != http.StatusForbidden ||
			strings.Contains(string(r.Body), *mine.JSON201.Secret) {
			t.Errorf("replay after the role was revoked: %d %s", r.StatusCode(), r.Body)
		}
	})
}
