package platform_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func listAssignmentIDs(t *testing.T, c *api.ClientWithResponses, params api.ListRoleAssignmentsParams) []string {
	t.Helper()
	resp := must(c.ListRoleAssignmentsWithResponse(context.Background(), &params))
	if resp.JSON200 == nil {
		t.Fatalf("listing role assignments: %d %s", resp.StatusCode(), resp.Body)
	}
	ids := []string{}
	for _, ra := range resp.JSON200.Items {
		ids = append(ids, ra.ID)
	}
	return ids
}

func scope(typ api.ScopeType, id string) api.Scope {
	if id == "" {
		return api.Scope{Type: typ}
	}
	return api.Scope{Type: typ, ID: &id}
}

// grant creates a role assignment through the API and fails the test unless it is created.
func grant(t *testing.T, c *api.ClientWithResponses, userID string, role api.Role, sc api.Scope) api.RoleAssignment {
	t.Helper()
	resp := must(c.CreateRoleAssignmentWithResponse(context.Background(), &api.CreateRoleAssignmentParams{},
		api.RoleAssignmentInput{UserID: userID, Role: role, Scope: sc}))
	if resp.JSON201 == nil {
		t.Fatalf("granting %s at %s %s to %s: %d %s", role, sc.Type, deref(sc.ID), userID, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON201
}

// storePolicy writes a classification policy directly, for data-scope grants: only its id
// matters here.
func storePolicy(t *testing.T, inst *platformtest.Instance, name string) string {
	t.Helper()
	ctx := context.Background()
	now := inst.Server.Now()
	p := api.ClassificationPolicy{ID: store.NewID("cls"), Name: name, Level: api.Restricted, Encryption: "at-rest+transit+field-level",
		Access: api.NeedToKnow, FieldPatterns: []string{"card_number"}, Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
	if err := inst.Server.Store().Tx(ctx, func(q *store.Q) error { return store.ClassificationPolicies.Create(ctx, q, &p) }); err != nil {
		t.Fatalf("storing classification policy: %v", err)
	}
	return p.ID
}

func TestRoleAssignmentsCRUD(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		appID := createApp(t, c, "order-management")
		wf := createWorkflow(t, c, orderFulfillment(appID))
		policyID := storePolicy(t, inst, "payment-cards")
		user := createUser(t, c, "ada@example.com")

		var created []string
		for _, sc := range []api.Scope{scope(api.ScopeTypePlatform, ""), scope(api.ScopeTypeApplication, appID),
			scope(api.ScopeTypeWorkflow, wf.ID), scope(api.ScopeTypeData, policyID)} {
			ra := grant(t, c, user.ID, api.Editor, sc)
			if !strings.HasPrefix(ra.ID, "ra_") || ra.UserID != user.ID || ra.Role != api.Editor || mustJSON(t, ra.Scope) != mustJSON(t, sc) || ra.Etag == "" {
				t.Errorf("created %s", mustJSON(t, ra))
			}
			created = append(created, ra.ID)
		}
		// A platform scope with an empty id is the platform scope.
		dup := wantProblem(t, must(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{},
			api.RoleAssignmentInput{UserID: user.ID, Role: api.Editor, Scope: scope(api.ScopeTypePlatform, "")})), http.StatusConflict)
		if deref(dup.ConflictingID) != created[0] {
			t.Errorf("duplicate: conflicting_id %q, want %s", deref(dup.ConflictingID), created[0])
		}
		dup = wantProblem(t, must(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{},
			api.RoleAssignmentInput{UserID: user.ID, Role: api.Editor, Scope: api.Scope{Type: api.ScopeTypePlatform, ID: ptr("")}})), http.StatusConflict)
		if deref(dup.ConflictingID) != created[0] {
			t.Errorf("duplicate with empty id: conflicting_id %q, want %s", deref(dup.ConflictingID), created[0])
		}

		cases := []struct {
			name  string
			in    api.RoleAssignmentInput
			field string
		}{
			{"platform with id", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypePlatform, appID)}, "scope.id"},
			{"application without id", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypeApplication, "")}, "scope.id"},
			{"application with a workflow id", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypeApplication, wf.ID)}, "scope.id"},
			{"missing application", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypeApplication, "app_missing")}, "scope.id"},
			{"missing workflow", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypeWorkflow, "wf_missing")}, "scope.id"},
			{"data with an application id", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypeData, appID)}, "scope.id"},
			{"missing policy", api.RoleAssignmentInput{UserID: user.ID, Role: api.Viewer, Scope: scope(api.ScopeTypeData, "cls_missing")}, "scope.id"},
			{"missing user", api.RoleAssignmentInput{UserID: "usr_missing", Role: api.Viewer, Scope: scope(api.ScopeTypeApplication, appID)}, "user_id"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				wantProblem(t, must(c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{}, tc.in)), http.StatusBadRequest, tc.field)
			})
		}
		if ids := listAssignmentIDs(t, c, api.ListRoleAssignmentsParams{UserID: &user.ID}); !slices.Equal(ids, created) {
			t.Errorf("after refused creates the user has %v, want %v", ids, created)
		}

		// Filters.
		for _, f := range []struct {
			params api.ListRoleAssignmentsParams
			want   []string
		}{
			{api.ListRoleAssignmentsParams{UserID: &user.ID, ScopeType: ptr(api.ScopeTypeWorkflow)}, created[2:3]},
			{api.ListRoleAssignmentsParams{ScopeType: ptr(api.ScopeTypeApplication), ScopeID: &appID}, created[1:2]},
			{api.ListRoleAssignmentsParams{UserID: &user.ID, Role: ptr(api.Viewer)}, []string{}},
			{api.ListRoleAssignmentsParams{ScopeID: &policyID}, created[3:4]},
		} {
			if got := listAssignmentIDs(t, c, f.params); !slices.Equal(got, f.want) {
				t.Errorf("list %s: %v, want %v", mustJSON(t, f.params), got, f.want)
			}
		}

		got := must(c.GetRoleAssignmentWithResponse(ctx, created[1]))
		if got.JSON200 == nil || got.JSON200.Scope.Type != api.ScopeTypeApplication || got.HTTPResponse.Header.Get("ETag") != `"`+got.JSON200.Etag+`"` {
			t.Fatalf("get: %d %s", got.StatusCode(), got.Body)
		}
		wantProblem(t, must(c.DeleteRoleAssignmentWithResponse(ctx, created[1], &api.DeleteRoleAssignmentParams{IfMatch: ptr(`"stale"`)})), http.StatusPreconditionFailed)
		if del := must(c.DeleteRoleAssignmentWithResponse(ctx, created[1], &api.DeleteRoleAssignmentParams{IfMatch: ptr(got.JSON200.Etag)})); del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(c.GetRoleAssignmentWithResponse(ctx, created[1])), http.StatusNotFound)
		wantProblem(t, must(c.DeleteRoleAssignmentWithResponse(ctx, created[1], &api.DeleteRoleAssignmentParams{})), http.StatusNotFound)
		// Granted and revoked, each audited once.
		if n := countRows(t, inst, "audit_events", created[1]); n != 2 {
			t.Errorf("%d audit events for the deleted assignment, want 2", n)
		}
		// The same grant may be made again at once.
		grant(t, c, user.ID, api.Editor, scope(api.ScopeTypeApplication, appID))

		// The last platform owner stays.
		owner := ownerID(t, inst)
		owners := listAssignmentIDs(t, c, api.ListRoleAssignmentsParams{Role: ptr(api.Owner), ScopeType: ptr(api.ScopeTypePlatform)})
		if len(owners) != 1 {
			t.Fatalf("platform owner grants: %v", owners)
		}
		last := wantProblem(t, must(c.DeleteRoleAssignmentWithResponse(ctx, owners[0], &api.DeleteRoleAssignmentParams{})), http.StatusConflict)
		if !strings.Contains(deref(last.Detail), "without an active owner") {
			t.Errorf("last owner detail: %q", deref(last.Detail))
		}
		wantProblem(t, must(c.RevokeUserAccessWithResponse(ctx, owner, &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{})), http.StatusConflict)
		if got := listAssignmentIDs(t, c, api.ListRoleAssignmentsParams{UserID: &owner}); !slices.Equal(got, owners) {
			t.Errorf("refused revocations changed the owner's grants: %v", got)
		}
		// With a second owner, the first may step down.
		grant(t, c, user.ID, api.Owner, scope(api.ScopeTypePlatform, ""))
		if del := must(c.DeleteRoleAssignmentWithResponse(ctx, owners[0], &api.DeleteRoleAssignmentParams{})); del.StatusCode() != http.StatusNoContent {
			t.Errorf("stepping down with a second owner: %d %s", del.StatusCode(), del.Body)
		}
	})
}

func TestRoleAssignmentAuthorization(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		appA, appB := createApp(t, owner, "order-management"), createApp(t, owner, "billing")
		wfA := createWorkflow(t, owner, orderFulfillment(appA))
		wfB := createWorkflow(t, owner, orderFulfillment(appB))
		policyID := storePolicy(t, inst, "payment-cards")
		appAdminID, appAdminKey := inst.NewUser("app-admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypeApplication, ScopeID: appA})
		_, editorKey := inst.NewUser("editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: appA})
		_, wfAdminKey := inst.NewUser("wf-admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypeWorkflow, ScopeID: wfA.ID})
		_, platformAdminKey := inst.NewUser("admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypePlatform})
		target := createUser(t, owner, "target@example.com")
		appAdmin, editor, wfAdmin, platformAdmin := inst.ClientFor(appAdminKey), inst.ClientFor(editorKey), inst.ClientFor(wfAdminKey), inst.ClientFor(platformAdminKey)

		atB := grant(t, owner, target.ID, api.Viewer, scope(api.ScopeTypeApplication, appB))
		atWfB := grant(t, owner, target.ID, api.Viewer, scope(api.ScopeTypeWorkflow, wfB.ID))
		atPlatform := grant(t, owner, target.ID, api.Viewer, scope(api.ScopeTypePlatform, ""))
		before := listAssignmentIDs(t, owner, api.ListRoleAssignmentsParams{})

		type attempt struct {
			name   string
			c      *api.ClientWithResponses
			role   api.Role
			scope  api.Scope
			status int
			field  string
		}
		refused := []attempt{
			{"application editor grants at the application", editor, api.Viewer, scope(api.ScopeTypeApplication, appA), http.StatusForbidden, ""},
			{"application admin grants owner at the application", appAdmin, api.Owner, scope(api.ScopeTypeApplication, appA), http.StatusForbidden, ""},
			{"application admin grants at the platform", appAdmin, api.Viewer, scope(api.ScopeTypePlatform, ""), http.StatusForbidden, ""},
			{"application admin grants at a data scope", appAdmin, api.Viewer, scope(api.ScopeTypeData, policyID), http.StatusForbidden, ""},
			{"application admin grants at a data scope that does not exist", appAdmin, api.Viewer, scope(api.ScopeTypeData, "cls_missing"), http.StatusForbidden, ""},
			{"application admin grants at an application they cannot read", appAdmin, api.Viewer, scope(api.ScopeTypeApplication, appB), http.StatusBadRequest, "scope.id"},
			{"application admin grants at a workflow they cannot read", appAdmin, api.Viewer, scope(api.ScopeTypeWorkflow, wfB.ID), http.StatusBadRequest, "scope.id"},
			{"workflow admin grants at its application", wfAdmin, api.Viewer, scope(api.ScopeTypeApplication, appA), http.StatusBadRequest, "scope.id"},
			{"workflow admin grants owner at its workflow", wfAdmin, api.Owner, scope(api.ScopeTypeWorkflow, wfA.ID), http.StatusForbidden, ""},
			{"platform admin grants owner", platformAdmin, api.Owner, scope(api.ScopeTypeApplication, appA), http.StatusForbidden, ""},
		}
		for _, a := range refused {
			t.Run(a.name, func(t *testing.T) {
				resp := must(a.c.CreateRoleAssignmentWithResponse(ctx, &api.CreateRoleAssignmentParams{}, api.RoleAssignmentInput{UserID: target.ID, Role: a.role, Scope: a.scope}))
				if a.field != "" {
					wantProblem(t, resp, a.status, a.field)
				} else {
					wantProblem(t, resp, a.status)
				}
			})
		}
		if after := listAssignmentIDs(t, owner, api.ListRoleAssignmentsParams{}); !slices.Equal(after, before) {
			t.Fatalf("refused grants changed the assignments: %v, want %v", after, before)
		}

		// Admins grant up to their own role within their scope.
		atA := grant(t, appAdmin, target.ID, api.Admin, scope(api.ScopeTypeApplication, appA))
		atWfA := grant(t, appAdmin, target.ID, api.Editor, scope(api.ScopeTypeWorkflow, wfA.ID))
		byWfAdmin := grant(t, wfAdmin, target.ID, api.Admin, scope(api.ScopeTypeWorkflow, wfA.ID))
		atData := grant(t, platformAdmin, target.ID, api.Viewer, scope(api.ScopeTypeData, policyID))
		grant(t, platformAdmin, target.ID, api.Admin, scope(api.ScopeTypePlatform, ""))

		// Reading: own assignments and those at administered scopes; the rest is hidden.
		appAdminSees := listAssignmentIDs(t, appAdmin, api.ListRoleAssignmentsParams{})
		want := slices.Concat(listAssignmentIDs(t, owner, api.ListRoleAssignmentsParams{UserID: &appAdminID}),
			listAssignmentIDs(t, owner, api.ListRoleAssignmentsParams{ScopeID: &appA}),
			listAssignmentIDs(t, owner, api.ListRoleAssignmentsParams{ScopeID: &wfA.ID}))
		slices.Sort(want)
		want = slices.Compact(want)
		if len(want) != 6 { // its own, the editor's and the target's at A; the workflow admin's and two of the target's at wfA
			t.Fatalf("expected 6 assignments visible to the application admin, got %v", want)
		}
		if !slices.Equal(appAdminSees, want) {
			t.Errorf("application admin lists %v, want %v", appAdminSees, want)
		}
		if got := listAssignmentIDs(t, wfAdmin, api.ListRoleAssignmentsParams{UserID: &target.ID}); !slices.Equal(got, []string{atWfA.ID, byWfAdmin.ID}) {
			t.Errorf("workflow admin lists %v of the target's, want %s %s", got, atWfA.ID, byWfAdmin.ID)
		}
		if got := listAssignmentIDs(t, editor, api.ListRoleAssignmentsParams{UserID: &target.ID}); len(got) != 0 {
			t.Errorf("an application editor lists %v of others' assignments, want none", got)
		}
		if got := listAssignmentIDs(t, platformAdmin, api.ListRoleAssignmentsParams{UserID: &target.ID}); len(got) != 8 {
			t.Errorf("a platform admin lists %d of the target's assignments, want all 8", len(got))
		}
		for _, hidden := range []string{atB.ID, atWfB.ID, atPlatform.ID, atData.ID} {
			wantForbiddenScope(t, must(appAdmin.GetRoleAssignmentWithResponse(ctx, hidden)))
			wantForbiddenScope(t, must(appAdmin.DeleteRoleAssignmentWithResponse(ctx, hidden, &api.DeleteRoleAssignmentParams{})))
		}
		if got := must(appAdmin.GetRoleAssignmentWithResponse(ctx, byWfAdmin.ID)); got.JSON200 == nil {
			t.Errorf("application admin reads a grant at its workflow: %d", got.StatusCode())
		}
		// The editor sees its own grant but may not revoke it.
		editorOwn := listAssignmentIDs(t, editor, api.ListRoleAssignmentsParams{})
		if len(editorOwn) != 1 {
			t.Fatalf("editor's own grants: %v", editorOwn)
		}
		wantProblem(t, must(editor.DeleteRoleAssignmentWithResponse(ctx, editorOwn[0], &api.DeleteRoleAssignmentParams{})), http.StatusForbidden)

		// Revoking takes the authority granting would.
		wantForbiddenScope(t, must(wfAdmin.DeleteRoleAssignmentWithResponse(ctx, atA.ID, &api.DeleteRoleAssignmentParams{})))
		for _, id := range []string{atWfA.ID, atA.ID} {
			if del := must(appAdmin.DeleteRoleAssignmentWithResponse(ctx, id, &api.DeleteRoleAssignmentParams{})); del.StatusCode() != http.StatusNoContent {
				t.Errorf("application admin revokes %s: %d %s", id, del.StatusCode(), del.Body)
			}
		}
		ownerGrants := listAssignmentIDs(t, owner, api.ListRoleAssignmentsParams{Role: ptr(api.Owner)})
		wantProblem(t, must(platformAdmin.DeleteRoleAssignmentWithResponse(ctx, ownerGrants[0], &api.DeleteRoleAssignmentParams{})), http.StatusForbidden)
	})
}

func TestUserAccessAndRevoke(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		appA, appB := createApp(t, owner, "order-management"), createApp(t, owner, "billing")
		userID, userKey := inst.NewUser("ada@example.com")
		_, otherKey := inst.NewUser("other@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypePlatform})
		user, other := inst.ClientFor(userKey), inst.ClientFor(otherKey)

		g1 := grant(t, owner, userID, api.Editor, scope(api.ScopeTypePlatform, ""))
		g2 := grant(t, owner, userID, api.Admin, scope(api.ScopeTypeApplication, appA))
		g3 := grant(t, owner, userID, api.Viewer, scope(api.ScopeTypeApplication, appB))
		if del := must(owner.DeleteRoleAssignmentWithResponse(ctx, g3.ID, &api.DeleteRoleAssignmentParams{})); del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d", del.StatusCode())
		}

		// The user reads their own access; others need platform admin.
		access := must(user.GetUserAccessWithResponse(ctx, userID))
		if access.JSON200 == nil {
			t.Fatalf("own access: %d %s", access.StatusCode(), access.Body)
		}
		var grants []string
		for _, g := range access.JSON200.Grants {
			grants = append(grants, g.RoleAssignmentID+":"+string(g.Role))
		}
		if !slices.Equal(grants, []string{g1.ID + ":editor", g2.ID + ":admin"}) {
			t.Errorf("grants %v", grants)
		}
		history := func() []string {
			t.Helper()
			resp := must(owner.GetUserAccessWithResponse(ctx, userID))
			if resp.JSON200 == nil {
				t.Fatalf("access: %d %s", resp.StatusCode(), resp.Body)
			}
			var out []string
			for _, h := range resp.JSON200.History {
				out = append(out, string(h.Action)+" "+string(deref(h.Role))+" "+string(deref(h.Scope).Type)+" "+deref(deref(h.Scope).ID)+" "+h.RoleAssignmentID)
			}
			return out
		}
		wantHistory := []string{
			"revoked viewer application " + appB + " " + g3.ID,
			"granted viewer application " + appB + " " + g3.ID,
			"granted admin application " + appA + " " + g2.ID,
			"granted editor platform  " + g1.ID,
		}
		if got := history(); !slices.Equal(got, wantHistory) {
			t.Errorf("history\n%v\nwant\n%v", strings.Join(got, "\n"), strings.Join(wantHistory, "\n"))
		}
		wantProblem(t, must(other.GetUserAccessWithResponse(ctx, userID)), http.StatusForbidden)
		wantProblem(t, must(owner.GetUserAccessWithResponse(ctx, "usr_missing")), http.StatusNotFound)

		// Revoking needs platform admin and changes nothing when refused.
		wantProblem(t, must(user.RevokeUserAccessWithResponse(ctx, userID, &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{})), http.StatusForbidden)
		wantProblem(t, must(owner.RevokeUserAccessWithResponse(ctx, userID, &api.RevokeUserAccessParams{},
			api.RevokeAccessRequest{Scope: ptr(scope(api.ScopeTypePlatform, appA))})), http.StatusBadRequest, "scope.id")
		wantProblem(t, must(owner.RevokeUserAccessWithResponse(ctx, "usr_missing", &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{})), http.StatusNotFound)

		// Until revoked, the user works with the platform grant.
		if resp := must(user.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{}, api.ApplicationInput{Name: "crm", Environment: api.Staging, Version: "1.0.0"})); resp.StatusCode() != http.StatusCreated {
			t.Fatalf("editor creates an application: %d %s", resp.StatusCode(), resp.Body)
		}
		rev := must(owner.RevokeUserAccessWithResponse(ctx, userID, &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{Scope: ptr(scope(api.ScopeTypePlatform, ""))}))
		if rev.JSON200 == nil || rev.JSON200.UserID != userID || !slices.Equal(rev.JSON200.Revoked, []string{g1.ID}) {
			t.Fatalf("revoke at the platform scope: %d %s", rev.StatusCode(), rev.Body)
		}
		// The very next request with the same key is decided on the remaining grants.
		wantProblem(t, must(user.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{}, api.ApplicationInput{Name: "crm2", Environment: api.Staging, Version: "1.0.0"})), http.StatusForbidden)
		if resp := must(user.GetApplicationWithResponse(ctx, appA)); resp.JSON200 == nil {
			t.Errorf("the application grant still reads: %d", resp.StatusCode())
		}
		wantForbiddenScope(t, must(user.GetApplicationWithResponse(ctx, appB)))

		rev = must(owner.RevokeUserAccessWithResponse(ctx, userID, &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{}))
		if rev.JSON200 == nil || !slices.Equal(rev.JSON200.Revoked, []string{g2.ID}) {
			t.Fatalf("revoke all: %d %s", rev.StatusCode(), rev.Body)
		}
		wantForbiddenScope(t, must(user.GetApplicationWithResponse(ctx, appA)))
		// Nothing left: an empty list, not an error.
		if rev = must(owner.RevokeUserAccessWithResponse(ctx, userID, &api.RevokeUserAccessParams{}, api.RevokeAccessRequest{})); rev.JSON200 == nil || len(rev.JSON200.Revoked) != 0 {
			t.Errorf("revoke with nothing left: %d %s", rev.StatusCode(), rev.Body)
		}
		got := history()
		if len(got) != 6 || got[0] != "revoked admin application "+appA+" "+g2.ID || got[1] != "revoked editor platform  "+g1.ID {
			t.Errorf("history after revocations:\n%s", strings.Join(got, "\n"))
		}
		if resp := must(user.GetUserAccessWithResponse(ctx, userID)); resp.JSON200 == nil || len(resp.JSON200.Grants) != 0 {
			t.Errorf("access after revoking all: %d %s", resp.StatusCode(), resp.Body)
		}
	})
}
