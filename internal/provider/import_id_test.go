package provider

import (
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func TestParseRoleAssignmentImportID(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		wantID  string
		want    *roleAssignmentGrant
		wantErr string // a fragment of the error; empty means no error
	}{
		{name: "assignment id", in: "ra_0193abc", wantID: "ra_0193abc"},
		{name: "assignment id with spaces", in: " ra_0193abc\n", wantID: "ra_0193abc"},
		{name: "application scope", in: "usr_1/editor/application/app_2",
			want: &roleAssignmentGrant{UserID: "usr_1", Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: "app_2"}},
		{name: "workflow scope", in: "usr_1/viewer/workflow/wf_3",
			want: &roleAssignmentGrant{UserID: "usr_1", Role: api.Viewer, ScopeType: api.ScopeTypeWorkflow, ScopeID: "wf_3"}},
		{name: "data scope", in: "usr_1/admin/data/cls_4",
			want: &roleAssignmentGrant{UserID: "usr_1", Role: api.Admin, ScopeType: api.ScopeTypeData, ScopeID: "cls_4"}},
		{name: "platform scope", in: "usr_1/owner/platform",
			want: &roleAssignmentGrant{UserID: "usr_1", Role: api.Owner, ScopeType: api.ScopeTypePlatform}},

		{name: "empty", in: "", wantErr: `"" is not a role assignment id`},
		{name: "other kind of id", in: "usr_1", wantErr: `"usr_1" is not a role assignment id; expected a role assignment id such as`},
		{name: "bare prefix", in: "ra_", wantErr: `"ra_" is not a role assignment id`},
		{name: "two parts", in: "usr_1/editor", wantErr: "has 2 parts separated by `/`"},
		{name: "five parts", in: "usr_1/editor/application/app_2/x", wantErr: "has 5 parts separated by `/`"},
		{name: "empty user", in: "/editor/platform", wantErr: "has an empty user_id"},
		{name: "empty role", in: "usr_1//platform", wantErr: "has an empty role"},
		{name: "empty scope id", in: "usr_1/editor/application/", wantErr: "has an empty scope_id"},
		{name: "unknown role", in: "usr_1/superuser/platform", wantErr: `"superuser" is not a role; expected one of viewer, editor, admin, owner`},
		{name: "unknown scope type", in: "usr_1/editor/app/app_2", wantErr: `"app" is not a scope type; expected one of platform, application, workflow, data`},
		{name: "scope without id", in: "usr_1/editor/application", wantErr: "names the application scope without its id; write `usr_1/editor/application/<id>`"},
		{name: "platform with id", in: "usr_1/editor/platform/x", wantErr: "gives the platform scope an id, but it has none; write `usr_1/editor/platform`"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id, grant, err := parseRoleAssignmentImportID(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("parseRoleAssignmentImportID(%q) error = %v, want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseRoleAssignmentImportID(%q): %v", tc.in, err)
			}
			if id != tc.wantID {
				t.Errorf("id = %q, want %q", id, tc.wantID)
			}
			switch {
			case tc.want == nil && grant != nil:
				t.Errorf("grant = %+v, want none", *grant)
			case tc.want != nil && (grant == nil || *grant != *tc.want):
				t.Errorf("grant = %+v, want %+v", grant, *tc.want)
			case tc.want != nil && grant.String() != strings.TrimSpace(tc.in):
				t.Errorf("grant.String() = %q, want it to round-trip to %q", grant.String(), tc.in)
			}
		})
	}
}
