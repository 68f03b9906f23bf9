package platform_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// crmSync is the seed's custom integration.
func crmSync() api.IntegrationInput {
	return api.IntegrationInput{Name: "crm-sync", CodeRepo: "github.com/company/crm-sync", APIVersion: "v2"}
}

func TestIntegrationsCRUD(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client

		created := must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{IdempotencyKey: ptr("crm")}, crmSync()))
		if created.JSON201 == nil {
			t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
		}
		ig := *created.JSON201
		if ig.Name != "crm-sync" || ig.CodeRepo != "github.com/company/crm-sync" || ig.APIVersion != "v2" || ig.Description != "" ||
			!strings.HasPrefix(ig.ID, "int_") || created.HTTPResponse.Header.Get("ETag") != `"`+ig.Etag+`"` {
			t.Fatalf("created %s", created.Body)
		}
		replay := must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{IdempotencyKey: ptr("crm")}, crmSync()))
		if replay.JSON201 == nil || replay.JSON201.ID != ig.ID || replay.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s", replay.StatusCode(), replay.Body)
		}
		changed := crmSync()
		changed.APIVersion = "v3"
		wantProblem(t, must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{IdempotencyKey: ptr("crm")}, changed)),
			http.StatusUnprocessableEntity)
		dup := wantProblem(t, must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, crmSync())), http.StatusConflict)
		if deref(dup.ConflictingID) != ig.ID {
			t.Fatalf("409 names %q, want %s", deref(dup.ConflictingID), ig.ID)
		}

		got := must(c.GetIntegrationWithResponse(ctx, ig.ID))
		if got.JSON200 == nil || *got.JSON200 != ig {
			t.Fatalf("get: %s", got.Body)
		}
		list := must(c.ListIntegrationsWithResponse(ctx, &api.ListIntegrationsParams{Name: ptr("crm-sync")}))
		if list.JSON200 == nil || len(list.JSON200.Items) != 1 || list.JSON200.Items[0].ID != ig.ID {
			t.Fatalf("list by name: %s", list.Body)
		}
		if none := must(c.ListIntegrationsWithResponse(ctx, &api.ListIntegrationsParams{Name: ptr("analytics")})); len(none.JSON200.Items) != 0 {
			t.Fatalf("list by another name: %s", none.Body)
		}

		wantProblem(t, must(c.PatchIntegrationWithResponse(ctx, ig.ID, &api.PatchIntegrationParams{IfMatch: ptr("stale")},
			api.IntegrationPatch{APIVersion: ptr("v3")})), http.StatusPreconditionFailed)
		patched := must(c.PatchIntegrationWithResponse(ctx, ig.ID, &api.PatchIntegrationParams{IfMatch: ptr(ig.Etag)},
			api.IntegrationPatch{APIVersion: ptr("v3"), Description: ptr("Syncs orders to the CRM")}))
		if patched.JSON200 == nil || patched.JSON200.APIVersion != "v3" || patched.JSON200.CodeRepo != ig.CodeRepo ||
			patched.JSON200.Etag == ig.Etag || patched.JSON200.Description != "Syncs orders to the CRM" {
			t.Fatalf("patch: %d %s", patched.StatusCode(), patched.Body)
		}
		in := crmSync()
		in.CodeRepo = "https://github.com/company/crm-sync.git"
		replaced := must(c.ReplaceIntegrationWithResponse(ctx, ig.ID, &api.ReplaceIntegrationParams{IfMatch: ptr(patched.JSON200.Etag)}, in))
		if replaced.JSON200 == nil || replaced.JSON200.APIVersion != "v2" || replaced.JSON200.Description != "" || replaced.JSON200.CodeRepo != in.CodeRepo {
			t.Fatalf("replace: %d %s", replaced.StatusCode(), replaced.Body)
		}
		// A rename onto another integration's name is a conflict naming it.
		other := must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, api.IntegrationInput{
			Name: "analytics-export", CodeRepo: "github.com/company/analytics-export", APIVersion: "v2"}))
		clash := wantProblem(t, must(c.PatchIntegrationWithResponse(ctx, other.JSON201.ID, &api.PatchIntegrationParams{},
			api.IntegrationPatch{Name: ptr("crm-sync")})), http.StatusConflict)
		if deref(clash.ConflictingID) != ig.ID {
			t.Fatalf("rename 409 names %q, want %s", deref(clash.ConflictingID), ig.ID)
		}

		wantProblem(t, must(c.DeleteIntegrationWithResponse(ctx, ig.ID, &api.DeleteIntegrationParams{IfMatch: ptr(ig.Etag)})), http.StatusPreconditionFailed)
		if del := must(c.DeleteIntegrationWithResponse(ctx, ig.ID, &api.DeleteIntegrationParams{})); del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(c.DeleteIntegrationWithResponse(ctx, ig.ID, &api.DeleteIntegrationParams{})), http.StatusNotFound)
		// The name is free again at once.
		if again := must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, crmSync())); again.StatusCode() != http.StatusCreated {
			t.Fatalf("re-create: %d %s", again.StatusCode(), again.Body)
		}
	})
}

func TestIntegrationValidation(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client
	good := []string{
		"github.com/company/crm-sync",
		"gitlab.example.com:8443/group/subgroup/repo",
		"https://github.com/company/crm-sync.git",
		"http://git.internal.example/company/crm-sync",
		"ssh://git@github.com/company/crm-sync.git",
		"git://example.org/company/crm-sync",
	}
	for i, repo := range good {
		in := crmSync()
		in.Name, in.CodeRepo = "good-"+string(rune('a'+i)), repo
		if resp := must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, in)); resp.StatusCode() != http.StatusCreated {
			t.Errorf("code_repo %q refused: %s", repo, resp.Body)
		}
	}
	cases := []struct {
		name  string
		edit  func(*api.IntegrationInput)
		field string
		says  string
	}{
		{"no host", func(in *api.IntegrationInput) { in.CodeRepo = "crm-sync" }, "code_repo", "github.com/company/crm-sync"},
		{"host without a dot", func(in *api.IntegrationInput) { in.CodeRepo = "localhost/company/crm-sync" }, "code_repo", "host/owner/repo"},
		{"no repository", func(in *api.IntegrationInput) { in.CodeRepo = "github.com/company" }, "code_repo", "host/owner/repo"},
		{"scp-like", func(in *api.IntegrationInput) { in.CodeRepo = "git@github.com:company/crm-sync.git" }, "code_repo", "ssh://"},
		{"ftp", func(in *api.IntegrationInput) { in.CodeRepo = "ftp://github.com/company/crm-sync" }, "code_repo", "git can clone"},
		{"URL without a path", func(in *api.IntegrationInput) { in.CodeRepo = "https://github.com/" }, "code_repo", "no repository path"},
		{"password in URL", func(in *api.IntegrationInput) { in.CodeRepo = "https://bot:hunter2@github.com/company/crm-sync" }, "code_repo", "password"},
		{"spaces", func(in *api.IntegrationInput) { in.CodeRepo = "github.com/company/crm sync" }, "code_repo", "spaces"},
		{"bare number", func(in *api.IntegrationInput) { in.APIVersion = "22" }, "api_version", "such as v2"},
		{"v0", func(in *api.IntegrationInput) { in.APIVersion = "v0" }, "api_version", "such as v2"},
		{"leading zero", func(in *api.IntegrationInput) { in.APIVersion = "v02" }, "api_version", "such as v2"},
		{"semver", func(in *api.IntegrationInput) { in.APIVersion = "v2.1" }, "api_version", "such as v2"},
		{"bad name", func(in *api.IntegrationInput) { in.Name = "crm sync" }, "name", "is not valid: 1-100 characters; letters, digits"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := crmSync()
			tc.edit(&in)
			p := wantProblem(t, must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, in)), http.StatusBadRequest, tc.field)
			if msg := fieldMessage(p, tc.field); !strings.Contains(msg, tc.says) {
				t.Errorf("message %q does not say %q", msg, tc.says)
			}
			if strings.Contains(string(must(c.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, in)).Body), "hunter2") {
				t.Errorf("the error repeats the password")
			}
		})
	}
	list := must(c.ListIntegrationsWithResponse(ctx, &api.ListIntegrationsParams{}))
	if list.JSON200 == nil || len(list.JSON200.Items) != len(good) {
		t.Fatalf("refused requests changed the integrations: %s", list.Body)
	}
	// Updates are validated too.
	id := list.JSON200.Items[0].ID
	wantProblem(t, must(c.PatchIntegrationWithResponse(ctx, id, &api.PatchIntegrationParams{}, api.IntegrationPatch{APIVersion: ptr("two")})),
		http.StatusBadRequest, "api_version")
}

func TestIntegrationAuthorization(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	ig := must(inst.Client.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, crmSync())).JSON201
	appID := createApp(t, inst.Client, "order-management")
	_, viewerKey := inst.NewUser("platform-viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypePlatform})
	_, appEditorKey := inst.NewUser("app-editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: appID})
	_, editorKey := inst.NewUser("platform-editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypePlatform})
	viewer, appEditor, editor := inst.ClientFor(viewerKey), inst.ClientFor(appEditorKey), inst.ClientFor(editorKey)

	if got := must(viewer.GetIntegrationWithResponse(ctx, ig.ID)); got.StatusCode() != http.StatusOK {
		t.Fatalf("platform viewer get: %d", got.StatusCode())
	}
	wantProblem(t, must(viewer.PatchIntegrationWithResponse(ctx, ig.ID, &api.PatchIntegrationParams{}, api.IntegrationPatch{APIVersion: ptr("v3")})), http.StatusForbidden)
	wantProblem(t, must(viewer.DeleteIntegrationWithResponse(ctx, ig.ID, &api.DeleteIntegrationParams{})), http.StatusForbidden)
	other := crmSync()
	other.Name = "analytics"
	wantProblem(t, must(viewer.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, other)), http.StatusForbidden)

	// An application's editor holds no platform role: integrations are outside their scope
	// (absent from their lists, refused by id).
	wantForbiddenScope(t, must(appEditor.GetIntegrationWithResponse(ctx, ig.ID)))
	wantForbiddenScope(t, must(appEditor.DeleteIntegrationWithResponse(ctx, ig.ID, &api.DeleteIntegrationParams{})))
	wantProblem(t, must(appEditor.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, other)), http.StatusForbidden)
	if list := must(appEditor.ListIntegrationsWithResponse(ctx, &api.ListIntegrationsParams{})); list.JSON200 == nil || len(list.JSON200.Items) != 0 {
		t.Fatalf("application editor lists %s", list.Body)
	}

	created := must(editor.CreateIntegrationWithResponse(ctx, &api.CreateIntegrationParams{}, other))
	if created.StatusCode() != http.StatusCreated {
		t.Fatalf("platform editor create: %d %s", created.StatusCode(), created.Body)
	}
	list := must(viewer.ListIntegrationsWithResponse(ctx, &api.ListIntegrationsParams{}))
	var names []string
	for _, it := range list.JSON200.Items {
		names = append(names, it.Name)
	}
	if !slices.Equal(names, []string{"crm-sync", "analytics"}) {
		t.Fatalf("platform viewer lists %v", names)
	}
}
