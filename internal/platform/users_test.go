package platform_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func createUser(t *testing.T, c *api.ClientWithResponses, email string) api.User {
	t.Helper()
	resp, err := c.CreateUserWithResponse(context.Background(), &api.CreateUserParams{}, api.UserInput{Email: email})
	if err != nil || resp.JSON201 == nil {
		t.Fatalf("creating user %s: %v %d %s", email, err, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON201
}

func listUserEmails(t *testing.T, c *api.ClientWithResponses, params api.ListUsersParams) []string {
	t.Helper()
	resp := must(c.ListUsersWithResponse(context.Background(), &params))
	if resp.JSON200 == nil {
		t.Fatalf("listing users: %d %s", resp.StatusCode(), resp.Body)
	}
	emails := []string{}
	for _, u := range resp.JSON200.Items {
		emails = append(emails, u.Email)
	}
	return emails
}

func TestUsersCRUD(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client

		created := must(c.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: "Ada.Lovelace@Example.com", DisplayName: ptr("Ada")}))
		if created.JSON201 == nil {
			t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
		}
		ada := *created.JSON201
		if ada.Email != "Ada.Lovelace@Example.com" || ada.DisplayName != "Ada" || !ada.Active || !strings.HasPrefix(ada.ID, "usr_") ||
			created.HTTPResponse.Header.Get("ETag") != `"`+ada.Etag+`"` {
			t.Errorf("created user: %s", created.Body)
		}
		inactive := must(c.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: "bob@example.com", Active: ptr(false)}))
		if inactive.JSON201 == nil || inactive.JSON201.Active {
			t.Errorf("create inactive: %d %s", inactive.StatusCode(), inactive.Body)
		}

		// Emails are unique and looked up case-insensitively, but kept as given.
		dup := wantProblem(t, must(c.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: "ada.lovelace@EXAMPLE.com"})), http.StatusConflict)
		if deref(dup.ConflictingID) != ada.ID {
			t.Errorf("conflicting_id %q, want %s", deref(dup.ConflictingID), ada.ID)
		}
		if got := listUserEmails(t, c, api.ListUsersParams{Email: ptr("ADA.lovelace@example.COM")}); !slices.Equal(got, []string{ada.Email}) {
			t.Errorf("list by email: %v", got)
		}
		if got := listUserEmails(t, c, api.ListUsersParams{}); !slices.Equal(got, []string{"owner@lowcode.local", ada.Email, "bob@example.com"}) {
			t.Errorf("list: %v", got)
		}

		for _, bad := range []string{"not-an-email", "Ada <ada@example.com>", "ada@", "two@@example.com"} {
			p := wantProblem(t, must(c.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: bad})), http.StatusBadRequest, "email")
			if !strings.Contains(fieldMessage(p, "email"), "not an email address") {
				t.Errorf("%q: message %q", bad, fieldMessage(p, "email"))
			}
		}
		wantProblem(t, must(c.PatchUserWithResponse(ctx, ada.ID, &api.PatchUserParams{}, api.UserPatch{Email: ptr("nope")})), http.StatusBadRequest, "email")
		if got := listUserEmails(t, c, api.ListUsersParams{}); len(got) != 3 {
			t.Errorf("refused creates left users behind: %v", got)
		}

		got := must(c.GetUserWithResponse(ctx, ada.ID))
		if got.JSON200 == nil || mustJSON(t, got.JSON200) != mustJSON(t, ada) {
			t.Fatalf("get: %d %s", got.StatusCode(), got.Body)
		}
		wantProblem(t, must(c.GetUserWithResponse(ctx, "usr_missing")), http.StatusNotFound)

		wantProblem(t, must(c.PatchUserWithResponse(ctx, ada.ID, &api.PatchUserParams{IfMatch: ptr(`"stale"`)}, api.UserPatch{DisplayName: ptr("A.")})), http.StatusPreconditionFailed)
		patched := must(c.PatchUserWithResponse(ctx, ada.ID, &api.PatchUserParams{IfMatch: ptr(ada.Etag)}, api.UserPatch{DisplayName: ptr("Ada L."), Email: ptr("ada@example.com")}))
		if patched.JSON200 == nil || patched.JSON200.DisplayName != "Ada L." || patched.JSON200.Email != "ada@example.com" || patched.JSON200.Etag == ada.Etag {
			t.Fatalf("patch: %d %s", patched.StatusCode(), patched.Body)
		}
		clash := wantProblem(t, must(c.PatchUserWithResponse(ctx, inactive.JSON201.ID, &api.PatchUserParams{}, api.UserPatch{Email: ptr("ADA@example.com")})), http.StatusConflict)
		if deref(clash.ConflictingID) != ada.ID {
			t.Errorf("patch clash conflicting_id %q, want %s", deref(clash.ConflictingID), ada.ID)
		}

		// Deleting takes the user's role assignments and keys with it.
		appID := createApp(t, c, "order-management")
		userID, key := inst.NewUser("carol@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: appID})
		carol := inst.ClientFor(key)
		token := must(carol.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{}))
		if token.JSON201 == nil {
			t.Fatalf("carol's token: %d %s", token.StatusCode(), token.Body)
		}
		grants := listAssignmentIDs(t, c, api.ListRoleAssignmentsParams{UserID: &userID})
		if len(grants) != 1 {
			t.Fatalf("carol's grants: %v", grants)
		}
		wantProblem(t, must(c.DeleteUserWithResponse(ctx, userID, &api.DeleteUserParams{IfMatch: ptr(`"stale"`)})), http.StatusPreconditionFailed)
		if del := must(c.DeleteUserWithResponse(ctx, userID, &api.DeleteUserParams{})); del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		if got := listAssignmentIDs(t, c, api.ListRoleAssignmentsParams{UserID: &userID}); len(got) != 0 {
			t.Errorf("role assignments left after deleting the user: %v", got)
		}
		if _, err := inst.Server.Store().Read().GetAPIKey(ctx, token.JSON201.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the user's token survived: %v", err)
		}
		if resp := must(carol.ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusUnauthorized {
			t.Errorf("deleted user's key: %d, want 401", resp.StatusCode())
		}
		// The revocations are in the audit log with the deletion.
		if n := countRows(t, inst, "audit_events", grants[0]); n != 1 {
			t.Errorf("%d audit events for the cascaded assignment, want 1 (its revocation)", n)
		}
		wantProblem(t, must(c.DeleteUserWithResponse(ctx, userID, &api.DeleteUserParams{})), http.StatusNotFound)
	})
}

func TestUserAuthorization(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		ownerID := ownerID(t, inst)
		viewerID, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypePlatform})
		adminID, adminKey := inst.NewUser("admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypePlatform})
		secondOwnerID, _ := inst.NewUser("owner2@example.com", platformtest.Grant{Role: api.Owner, ScopeType: api.ScopeTypePlatform})
		nobodyID, nobodyKey := inst.NewUser("nobody@example.com")
		viewer, admin, nobody := inst.ClientFor(viewerKey), inst.ClientFor(adminKey), inst.ClientFor(nobodyKey)

		// The directory is readable by everyone, even without grants.
		if got := listUserEmails(t, nobody, api.ListUsersParams{}); len(got) != 5 {
			t.Errorf("a user without grants lists %v, want all 5 users", got)
		}
		if got := must(nobody.GetUserWithResponse(ctx, adminID)); got.JSON200 == nil {
			t.Errorf("a user without grants reads a user: %d", got.StatusCode())
		}

		// Changes need platform admin: 403, since the user is readable.
		wantProblem(t, must(viewer.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: "x@example.com"})), http.StatusForbidden)
		wantProblem(t, must(nobody.PatchUserWithResponse(ctx, viewerID, &api.PatchUserParams{}, api.UserPatch{DisplayName: ptr("x")})), http.StatusForbidden)
		wantProblem(t, must(viewer.DeleteUserWithResponse(ctx, nobodyID, &api.DeleteUserParams{})), http.StatusForbidden)
		if got := listUserEmails(t, owner, api.ListUsersParams{}); len(got) != 5 {
			t.Errorf("refused requests changed the users: %v", got)
		}

		// Users rename themselves, but change nothing else about themselves.
		if got := must(nobody.PatchUserWithResponse(ctx, nobodyID, &api.PatchUserParams{}, api.UserPatch{DisplayName: ptr("No Body")})); got.JSON200 == nil || got.JSON200.DisplayName != "No Body" {
			t.Errorf("self rename: %d %s", got.StatusCode(), got.Body)
		}
		wantProblem(t, must(nobody.PatchUserWithResponse(ctx, nobodyID, &api.PatchUserParams{}, api.UserPatch{Email: ptr("me@example.com")})), http.StatusForbidden)
		wantProblem(t, must(viewer.PatchUserWithResponse(ctx, viewerID, &api.PatchUserParams{}, api.UserPatch{Active: ptr(false)})), http.StatusForbidden)

		// Admins manage users, but not platform owners, and never delete or deactivate themselves.
		if got := must(admin.PatchUserWithResponse(ctx, viewerID, &api.PatchUserParams{}, api.UserPatch{DisplayName: ptr("V")})); got.JSON200 == nil {
			t.Errorf("admin patch: %d %s", got.StatusCode(), got.Body)
		}
		wantProblem(t, must(admin.PatchUserWithResponse(ctx, ownerID, &api.PatchUserParams{}, api.UserPatch{Active: ptr(false)})), http.StatusForbidden)
		wantProblem(t, must(admin.DeleteUserWithResponse(ctx, secondOwnerID, &api.DeleteUserParams{})), http.StatusForbidden)
		self := wantProblem(t, must(admin.DeleteUserWithResponse(ctx, adminID, &api.DeleteUserParams{})), http.StatusConflict)
		if !strings.Contains(deref(self.Detail), "cannot delete yourself") {
			t.Errorf("self delete detail: %q", deref(self.Detail))
		}
		wantProblem(t, must(admin.PatchUserWithResponse(ctx, adminID, &api.PatchUserParams{}, api.UserPatch{Active: ptr(false)})), http.StatusConflict)

		// Deactivating a user refuses their key from the next request on.
		if got := must(viewer.ListUsersWithResponse(ctx, &api.ListUsersParams{})); got.StatusCode() != http.StatusOK {
			t.Fatalf("viewer before deactivation: %d", got.StatusCode())
		}
		if got := must(admin.PatchUserWithResponse(ctx, viewerID, &api.PatchUserParams{}, api.UserPatch{Active: ptr(false)})); got.JSON200 == nil || got.JSON200.Active {
			t.Fatalf("deactivate: %d %s", got.StatusCode(), got.Body)
		}
		if got := must(viewer.ListUsersWithResponse(ctx, &api.ListUsersParams{})); got.StatusCode() != http.StatusUnauthorized {
			t.Errorf("deactivated viewer: %d, want 401", got.StatusCode())
		}

		// An owner may remove another owner; the platform keeps one.
		if del := must(owner.DeleteUserWithResponse(ctx, secondOwnerID, &api.DeleteUserParams{})); del.StatusCode() != http.StatusNoContent {
			t.Errorf("owner deletes the second owner: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(owner.DeleteUserWithResponse(ctx, ownerID, &api.DeleteUserParams{})), http.StatusConflict)
	})
}

// ownerID is the bootstrap owner's user id.
func ownerID(t *testing.T, inst *platformtest.Instance) string {
	t.Helper()
	resp := must(inst.Client.ListUsersWithResponse(context.Background(), &api.ListUsersParams{Email: ptr(platform.BootstrapEmail)}))
	if resp.JSON200 == nil || len(resp.JSON200.Items) != 1 {
		t.Fatalf("finding the bootstrap owner: %d %s", resp.StatusCode(), resp.Body)
	}
	return resp.JSON200.Items[0].ID
}
