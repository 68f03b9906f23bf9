package provider

import (
	"fmt"
	"slices"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// Roles and scope types as the platform spells them, in the order the docs list them.
var (
	roleValues      = []string{string(api.Viewer), string(api.Editor), string(api.Admin), string(api.Owner)}
	scopeTypeValues = []string{string(api.ScopeTypePlatform), string(api.ScopeTypeApplication),
		string(api.ScopeTypeWorkflow), string(api.ScopeTypeData)}
)

// roleAssignmentImportFormats is how the import id of a role assignment may be written, for
// error messages and docs.
const roleAssignmentImportFormats = "a role assignment id such as `ra_0193…`, `user_id/role/scope_type/scope_id` " +
	"(such as `usr_0193…/editor/application/app_0193…`), or `user_id/role/platform` for the platform scope"

// roleAssignmentGrant is what a role assignment grants: a user a role at a scope. The
// platform scope has no ScopeID.
type roleAssignmentGrant struct {
	UserID    string
	Role      api.Role
	ScopeType api.ScopeType
	ScopeID   string
}

// parseRoleAssignmentImportID reads the id given to `terraform import` for a role assignment:
// either the assignment's own id (returned as id, with a nil grant) or the grant it makes,
// written `user_id/role/scope_type/scope_id` or `user_id/role/platform`. Role assignments
// cannot change, so the grant names exactly one of them.
func parseRoleAssignmentImportID(s string) (id string, grant *roleAssignmentGrant, err error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		if !strings.HasPrefix(s, "ra_") || len(s) == len("ra_") {
			return "", nil, fmt.Errorf("%q is not a role assignment id; expected %s", s, roleAssignmentImportFormats)
		}
		return s, nil, nil
	}
	parts := strings.Split(s, "/")
	if len(parts) != 3 && len(parts) != 4 {
		return "", nil, fmt.Errorf("%q has %d parts separated by `/`; expected %s", s, len(parts), roleAssignmentImportFormats)
	}
	names := []string{"user_id", "role", "scope_type", "scope_id"}
	for i, p := range parts {
		if p == "" {
			return "", nil, fmt.Errorf("%q has an empty %s; expected %s", s, names[i], roleAssignmentImportFormats)
		}
	}
	g := &roleAssignmentGrant{UserID: parts[0], Role: api.Role(parts[1]), ScopeType: api.ScopeType(parts[2])}
	if !slices.Contains(roleValues, parts[1]) {
		return "", nil, fmt.Errorf("%q: %q is not a role; expected one of %s", s, parts[1], strings.Join(roleValues, ", "))
	}
	if !slices.Contains(scopeTypeValues, parts[2]) {
		return "", nil, fmt.Errorf("%q: %q is not a scope type; expected one of %s", s, parts[2], strings.Join(scopeTypeValues, ", "))
	}
	switch {
	case len(parts) == 3 && g.ScopeType != api.ScopeTypePlatform:
		return "", nil, fmt.Errorf("%q names the %s scope without its id; write `%s/%s/%s/<id>`", s, g.ScopeType, g.UserID, g.Role, g.ScopeType)
	case len(parts) == 4 && g.ScopeType == api.ScopeTypePlatform:
		return "", nil, fmt.Errorf("%q gives the platform scope an id, but it has none; write `%s/%s/platform`", s, g.UserID, g.Role)
	case len(parts) == 4:
		g.ScopeID = parts[3]
	}
	return "", g, nil
}

// String writes the grant in the import id form.
func (g roleAssignmentGrant) String() string {
	if g.ScopeType == api.ScopeTypePlatform {
		return g.UserID + "/" + string(g.Role) + "/platform"
	}
	return g.UserID + "/" + string(g.Role) + "/" + string(g.ScopeType) + "/" + g.ScopeID
}
