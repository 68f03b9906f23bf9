package provider

import (
	"slices"
	"strings"
	"testing"
)

// FuzzRoleAssignmentImportID feeds arbitrary import ids to the role assignment import parser:
// it never panics, accepts an id only in one of the documented forms, and every grant it
// returns writes back (String) to an id that parses to the same grant.
func FuzzRoleAssignmentImportID(f *testing.F) {
	for _, s := range []string{
		"ra_0193abc", " ra_0193abc\n", "ra_", "usr_1/editor/application/app_2", "usr_1/owner/platform",
		"usr_1/viewer/workflow/wf_3", "usr_1/admin/data/cls_4", "usr_1/editor/platform/x", "usr_1/editor/application",
		"/editor/platform", "usr_1//platform", "a/b/c/d/e", "usr_1/superuser/platform", "\x00/\xff/platform", "////",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		id, grant, err := parseRoleAssignmentImportID(in)
		if err != nil {
			if id != "" || grant != nil {
				t.Fatalf("%q: error %v with a result (%q, %v)", in, err, id, grant)
			}
			return
		}
		switch {
		case id != "" && grant != nil, id == "" && grant == nil:
			t.Fatalf("%q: want exactly one of id and grant, got %q and %v", in, id, grant)
		case id != "":
			if !strings.HasPrefix(id, "ra_") || len(id) == len("ra_") || strings.Contains(id, "/") || id != strings.TrimSpace(id) {
				t.Fatalf("%q: accepted id %q", in, id)
			}
			return
		}
		if grant.UserID == "" || !slices.Contains(roleValues, string(grant.Role)) || !slices.Contains(scopeTypeValues, string(grant.ScopeType)) {
			t.Fatalf("%q: accepted grant %+v", in, *grant)
		}
		if (grant.ScopeType == "platform") != (grant.ScopeID == "") {
			t.Fatalf("%q: scope %s with id %q", in, grant.ScopeType, grant.ScopeID)
		}
		again, grant2, err := parseRoleAssignmentImportID(grant.String())
		if err != nil || again != "" || grant2 == nil || *grant2 != *grant {
			t.Fatalf("%q: grant %+v writes as %q, which parses to %v, %v", in, *grant, grant.String(), grant2, err)
		}
	})
}
