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

// seedPolicies are the seed document's four levels, each at its minimum protection.
func seedPolicies() []api.ClassificationPolicyInput {
	return []api.ClassificationPolicyInput{
		{Name: "public-catalog", Level: api.Public, Encryption: api.None, Access: api.All, FieldPatterns: []string{"product.name", "product.price"}},
		{Name: "internal-notes", Level: api.Internal, Encryption: api.AtRest, Access: api.Authenticated, FieldPatterns: []string{"notes"}},
		{Name: "customer-contact", Level: api.Confidential, Encryption: api.AtRestTransit, Access: api.RoleBased, FieldPatterns: []string{"customer.email", "customer.phone"}},
		{Name: "payment-data", Level: api.Restricted, Encryption: api.AtRestTransitFieldLevel, Access: api.NeedToKnow, FieldPatterns: []string{"**.ssn", "card_number"}},
	}
}

func createPolicy(t *testing.T, c *api.ClientWithResponses, in api.ClassificationPolicyInput) api.ClassificationPolicy {
	t.Helper()
	resp := must(c.CreateClassificationPolicyWithResponse(context.Background(), &api.CreateClassificationPolicyParams{}, in))
	if resp.JSON201 == nil {
		t.Fatalf("creating policy %s: %d %s", in.Name, resp.StatusCode(), resp.Body)
	}
	return *resp.JSON201
}

func listPolicyNames(t *testing.T, c *api.ClientWithResponses, params api.ListClassificationPoliciesParams) []string {
	t.Helper()
	resp := must(c.ListClassificationPoliciesWithResponse(context.Background(), &params))
	if resp.JSON200 == nil {
		t.Fatalf("list policies: %d %s", resp.StatusCode(), resp.Body)
	}
	names := []string{}
	for _, p := range resp.JSON200.Items {
		names = append(names, p.Name)
	}
	return names
}

func classify(t *testing.T, c *api.ClientWithResponses, req api.ClassifyRequest) api.ClassifyResponse {
	t.Helper()
	resp := must(c.ClassifyRecordWithResponse(context.Background(), &api.ClassifyRecordParams{}, req))
	if resp.JSON200 == nil {
		t.Fatalf("classify: %d %s", resp.StatusCode(), resp.Body)
	}
	return *resp.JSON200
}

func classifiedPaths(r api.ClassifyResponse) []string {
	paths := []string{}
	for _, f := range r.Fields {
		paths = append(paths, f.Path+"="+string(f.Level))
	}
	return paths
}

func TestClassificationPoliciesCRUD(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		c := inst.Client
		byName := map[string]api.ClassificationPolicy{}
		for _, in := range seedPolicies() {
			p := createPolicy(t, c, in)
			if p.Level != in.Level || p.Encryption != in.Encryption || p.Access != in.Access || p.ApplicationID != "" ||
				p.Description != "" || !slices.Equal(p.FieldPatterns, in.FieldPatterns) || !strings.HasPrefix(p.ID, "cls_") {
				t.Fatalf("created %+v from %+v", p, in)
			}
			byName[in.Name] = p
		}
		if got := listPolicyNames(t, c, api.ListClassificationPoliciesParams{Level: ptr(api.Restricted)}); !slices.Equal(got, []string{"payment-data"}) {
			t.Fatalf("restricted policies %v", got)
		}
		if got := listPolicyNames(t, c, api.ListClassificationPoliciesParams{Name: ptr("internal-notes")}); !slices.Equal(got, []string{"internal-notes"}) {
			t.Fatalf("by name %v", got)
		}

		// Names are unique.
		dup := seedPolicies()[0]
		p := wantProblem(t, must(c.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, dup)), http.StatusConflict)
		if deref(p.ConflictingID) != byName["public-catalog"].ID {
			t.Fatalf("409 names %q", deref(p.ConflictingID))
		}

		// Raising a policy's level without its protection is refused, naming both fields.
		internal := byName["internal-notes"]
		p = wantProblem(t, must(c.PatchClassificationPolicyWithResponse(ctx, internal.ID, &api.PatchClassificationPolicyParams{},
			api.ClassificationPolicyPatch{Level: ptr(api.Restricted)})), http.StatusBadRequest, "encryption", "access")
		if !strings.Contains(fieldMessage(p, "encryption"), `needs encryption "at-rest+transit+field-level"`) {
			t.Errorf("encryption message %q", fieldMessage(p, "encryption"))
		}
		wantProblem(t, must(c.PatchClassificationPolicyWithResponse(ctx, internal.ID, &api.PatchClassificationPolicyParams{IfMatch: ptr("stale")},
			api.ClassificationPolicyPatch{Description: ptr("x")})), http.StatusPreconditionFailed)
		patched := must(c.PatchClassificationPolicyWithResponse(ctx, internal.ID, &api.PatchClassificationPolicyParams{IfMatch: ptr(internal.Etag)},
			api.ClassificationPolicyPatch{Level: ptr(api.Confidential), Encryption: ptr(api.AtRestTransit), Access: ptr(api.RoleBased)}))
		if patched.JSON200 == nil || patched.JSON200.Level != api.Confidential || patched.JSON200.Etag == internal.Etag ||
			!slices.Equal(patched.JSON200.FieldPatterns, []string{"notes"}) {
			t.Fatalf("patch: %d %s", patched.StatusCode(), patched.Body)
		}
		rename := wantProblem(t, must(c.PatchClassificationPolicyWithResponse(ctx, internal.ID, &api.PatchClassificationPolicyParams{},
			api.ClassificationPolicyPatch{Name: ptr("payment-data")})), http.StatusConflict)
		if deref(rename.ConflictingID) != byName["payment-data"].ID {
			t.Fatalf("rename 409 names %q", deref(rename.ConflictingID))
		}

		// PUT replaces; the application cannot change.
		in := seedPolicies()[1]
		in.Description = ptr("Free-text notes on orders")
		replaced := must(c.ReplaceClassificationPolicyWithResponse(ctx, internal.ID, &api.ReplaceClassificationPolicyParams{}, in))
		if replaced.JSON200 == nil || replaced.JSON200.Level != api.Internal || replaced.JSON200.Description != *in.Description {
			t.Fatalf("replace: %d %s", replaced.StatusCode(), replaced.Body)
		}
		in.ApplicationID = ptr(createApp(t, c, "order-management"))
		wantProblem(t, must(c.ReplaceClassificationPolicyWithResponse(ctx, internal.ID, &api.ReplaceClassificationPolicyParams{}, in)),
			http.StatusBadRequest, "application_id")

		// An application's policy applies to that application's records only.
		appPolicy := createPolicy(t, c, api.ClassificationPolicyInput{Name: "order-amounts", Level: api.Confidential, Encryption: api.AtRestTransit,
			Access: api.RoleBased, FieldPatterns: []string{"order.amount"}, ApplicationID: in.ApplicationID})
		if got := listPolicyNames(t, c, api.ListClassificationPoliciesParams{ApplicationID: in.ApplicationID}); !slices.Equal(got, []string{"order-amounts"}) {
			t.Fatalf("application policies %v", got)
		}
		if got := listPolicyNames(t, c, api.ListClassificationPoliciesParams{ApplicationID: ptr("")}); len(got) != 4 {
			t.Fatalf("platform-wide policies %v", got)
		}
		record := map[string]any{
			"customer": map[string]any{"email": "ada@example.com", "name": "Ada"},
			"payment":  map[string]any{"ssn": "123-45-6789"},
			"order":    map[string]any{"amount": 12000, "items": []any{map[string]any{"card_number": "4111"}}},
			"notes":    "leave at the door",
		}
		platformWide := classify(t, c, api.ClassifyRequest{Data: record})
		want := []string{"customer.email=confidential", "notes=internal", "order.items.card_number=restricted", "payment.ssn=restricted"}
		if got := classifiedPaths(platformWide); platformWide.Level != api.Restricted || !slices.Equal(got, want) {
			t.Fatalf("classify: level %s fields %v, want restricted %v", platformWide.Level, got, want)
		}
		withApp := classify(t, c, api.ClassifyRequest{Data: record, ApplicationID: in.ApplicationID})
		if got := classifiedPaths(withApp); !slices.Contains(got, "order.amount=confidential") || len(got) != len(want)+1 {
			t.Fatalf("classify with the application: %v", got)
		}
		for _, f := range withApp.Fields {
			if f.Path == "order.amount" && (f.PolicyID != appPolicy.ID || f.Pattern != "order.amount") {
				t.Fatalf("order.amount matched %+v", f)
			}
		}
		if public := classify(t, c, api.ClassifyRequest{Data: map[string]any{"greeting": "hi"}}); public.Level != api.Public || len(public.Fields) != 0 {
			t.Fatalf("an unmatched record: %+v", public)
		}
		replay := must(c.ClassifyRecordWithResponse(ctx, &api.ClassifyRecordParams{IdempotencyKey: ptr("cl-1")}, api.ClassifyRequest{Data: record}))
		if replay.JSON200 == nil || replay.JSON200.Level != api.Restricted {
			t.Fatalf("classify with an idempotency key: %d %s", replay.StatusCode(), replay.Body)
		}

		// Deleting a policy stops it applying; a second delete is 404.
		payment := byName["payment-data"]
		wantProblem(t, must(c.DeleteClassificationPolicyWithResponse(ctx, payment.ID, &api.DeleteClassificationPolicyParams{IfMatch: ptr("stale")})),
			http.StatusPreconditionFailed)
		if del := must(c.DeleteClassificationPolicyWithResponse(ctx, payment.ID, &api.DeleteClassificationPolicyParams{IfMatch: ptr(payment.Etag)})); del.StatusCode() != http.StatusNoContent {
			t.Fatalf("delete: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(c.DeleteClassificationPolicyWithResponse(ctx, payment.ID, &api.DeleteClassificationPolicyParams{})), http.StatusNotFound)
		wantProblem(t, must(c.GetClassificationPolicyWithResponse(ctx, payment.ID)), http.StatusNotFound)
		if after := classify(t, c, api.ClassifyRequest{Data: record}); after.Level != api.Confidential {
			t.Fatalf("after deleting the restricted policy the level is %s", after.Level)
		}
	})
}

func TestClassificationPolicyValidation(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	c := inst.Client
	restricted := func(f func(*api.ClassificationPolicyInput)) api.ClassificationPolicyInput {
		in := seedPolicies()[3]
		f(&in)
		return in
	}
	cases := []struct {
		name   string
		in     api.ClassificationPolicyInput
		fields []string
		says   string
	}{
		{"restricted with at-rest encryption", restricted(func(in *api.ClassificationPolicyInput) { in.Encryption = api.AtRest }),
			[]string{"encryption"}, `a restricted policy needs encryption "at-rest+transit+field-level" or stronger, got "at-rest"`},
		{"restricted with role-based access", restricted(func(in *api.ClassificationPolicyInput) { in.Access = api.RoleBased }),
			[]string{"access"}, `needs access "need-to-know"`},
		{"confidential with no protection", api.ClassificationPolicyInput{Name: "x", Level: api.Confidential, Encryption: api.None,
			Access: api.All, FieldPatterns: []string{"email"}}, []string{"encryption", "access"}, "confidential"},
		{"partial wildcard", restricted(func(in *api.ClassificationPolicyInput) { in.FieldPatterns = []string{"ssn", "card_*"} }),
			[]string{"field_patterns[1]"}, ""},
		{"empty segment", restricted(func(in *api.ClassificationPolicyInput) { in.FieldPatterns = []string{"customer..ssn"} }),
			[]string{"field_patterns[0]"}, "empty segment"},
		{"repeated pattern", restricted(func(in *api.ClassificationPolicyInput) { in.FieldPatterns = []string{"SSN", "card_number", "ssn"} }),
			[]string{"field_patterns[2]"}, "repeats field_patterns[0]"},
		{"no patterns", restricted(func(in *api.ClassificationPolicyInput) { in.FieldPatterns = []string{} }), []string{"field_patterns"}, ""},
		{"unknown level", restricted(func(in *api.ClassificationPolicyInput) { in.Level = "secret" }), []string{"level"}, "allowed values"},
		{"bad name", restricted(func(in *api.ClassificationPolicyInput) { in.Name = "payment data" }), []string{"name"}, "is not valid: 1-100 characters; letters, digits"},
		{"unknown application", restricted(func(in *api.ClassificationPolicyInput) { in.ApplicationID = ptr("app_missing") }),
			[]string{"application_id"}, "no application"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := wantProblem(t, must(c.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, tc.in)),
				http.StatusBadRequest, tc.fields...)
			if msg := fieldMessage(p, tc.fields[0]); !strings.Contains(msg, tc.says) {
				t.Errorf("message %q does not say %q", msg, tc.says)
			}
		})
	}
	if got := listPolicyNames(t, c, api.ListClassificationPoliciesParams{}); len(got) != 0 {
		t.Fatalf("refused requests created policies %v", got)
	}
	wantProblem(t, must(c.ClassifyRecordWithResponse(ctx, &api.ClassifyRecordParams{}, api.ClassifyRequest{Data: map[string]any{},
		ApplicationID: ptr("app_missing")})), http.StatusBadRequest, "application_id")
}

func TestClassificationAuthorization(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		orders := createApp(t, owner, "order-management")
		analytics := createApp(t, owner, "analytics")
		_, adminKey := inst.NewUser("orders-admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypeApplication, ScopeID: orders})
		_, editorKey := inst.NewUser("orders-editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: orders})
		_, strangerKey := inst.NewUser("stranger@example.com")
		admin, editor, stranger := inst.ClientFor(adminKey), inst.ClientFor(editorKey), inst.ClientFor(strangerKey)

		platformWide := createPolicy(t, owner, seedPolicies()[3])
		in := seedPolicies()[2]
		in.ApplicationID = &orders
		own := createPolicy(t, admin, in) // an application's admin manages its policies
		in.Name, in.ApplicationID = "analytics-contact", &analytics
		foreign := createPolicy(t, owner, in)

		wide := seedPolicies()[0]
		wantProblem(t, must(admin.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, wide)), http.StatusForbidden)
		wide.ApplicationID = &orders
		wantProblem(t, must(editor.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, wide)), http.StatusForbidden)
		wide.ApplicationID = &analytics
		wantProblem(t, must(admin.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, wide)), http.StatusBadRequest, "application_id")

		// The editor reads its application's policies but does not change them.
		if got := must(editor.GetClassificationPolicyWithResponse(ctx, own.ID)); got.StatusCode() != http.StatusOK {
			t.Fatalf("editor get: %d", got.StatusCode())
		}
		wantProblem(t, must(editor.PatchClassificationPolicyWithResponse(ctx, own.ID, &api.PatchClassificationPolicyParams{},
			api.ClassificationPolicyPatch{Description: ptr("x")})), http.StatusForbidden)
		wantProblem(t, must(editor.DeleteClassificationPolicyWithResponse(ctx, own.ID, &api.DeleteClassificationPolicyParams{})), http.StatusForbidden)
		for _, id := range []string{platformWide.ID, foreign.ID} {
			wantForbiddenScope(t, must(admin.GetClassificationPolicyWithResponse(ctx, id)))
			wantForbiddenScope(t, must(admin.DeleteClassificationPolicyWithResponse(ctx, id, &api.DeleteClassificationPolicyParams{})))
		}
		if got := listPolicyNames(t, admin, api.ListClassificationPoliciesParams{}); !slices.Equal(got, []string{own.Name}) {
			t.Fatalf("the application admin lists %v", got)
		}
		if got := listPolicyNames(t, stranger, api.ListClassificationPoliciesParams{}); len(got) != 0 {
			t.Fatalf("a user without roles lists %v", got)
		}

		// Anyone authenticated may classify, against the policies they may list: a user without
		// roles sees none of the platform-wide ones; an application's policies need a role on it.
		record := map[string]any{"ssn": "123-45-6789", "customer": map[string]any{"email": "ada@example.com"}}
		if got := classify(t, stranger, api.ClassifyRequest{Data: record}); got.Level != api.Public || len(got.Fields) != 0 {
			t.Fatalf("stranger classify: %+v", got)
		}
		if got := classify(t, owner, api.ClassifyRequest{Data: record}); got.Level != api.Restricted || len(got.Fields) != 1 {
			t.Fatalf("owner classify: %+v", got)
		}
		wantProblem(t, must(stranger.ClassifyRecordWithResponse(ctx, &api.ClassifyRecordParams{}, api.ClassifyRequest{Data: record, ApplicationID: &orders})),
			http.StatusBadRequest, "application_id")
		// The application's editor lists its policies, not the platform-wide ones.
		if got := classify(t, editor, api.ClassifyRequest{Data: record, ApplicationID: &orders}); len(got.Fields) != 1 || got.Level != api.Confidential {
			t.Fatalf("editor classify with the application: %+v", got)
		}
		if got := classify(t, owner, api.ClassifyRequest{Data: record, ApplicationID: &orders}); len(got.Fields) != 2 {
			t.Fatalf("owner classify with the application: %+v", got)
		}
	})
}
