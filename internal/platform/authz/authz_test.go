package authz_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/authz"
)

// The places requests touch: the platform, application A with its workflow W, workflow W2 that
// is in A but not granted, and application B with its workflow WB.
var (
	atPlatform = authz.Platform
	atA        = authz.Target{ApplicationID: "app-a"}
	atW        = authz.Target{ApplicationID: "app-a", WorkflowID: "wf-w"}
	atW2       = authz.Target{ApplicationID: "app-a", WorkflowID: "wf-w2"}
	atB        = authz.Target{ApplicationID: "app-b"}
	atWB       = authz.Target{ApplicationID: "app-b", WorkflowID: "wf-wb"}
	places     = map[string]authz.Target{"platform": atPlatform, "A": atA, "W": atW, "W2": atW2, "B": atB, "WB": atWB}
)

var roles = []api.Role{api.Viewer, api.Editor, api.Admin, api.Owner}

func grant(role api.Role, scope api.ScopeType, id string) api.RoleAssignment {
	g := api.RoleAssignment{UserID: "u-1", Role: role, Scope: api.Scope{Type: scope}}
	if id != "" {
		g.Scope.ID = &id
	}
	return g
}

func principal(maxRole api.Role, grants ...api.RoleAssignment) *authz.Principal {
	return &authz.Principal{UserID: "u-1", KeyID: "key-1", MaxRole: maxRole, Grants: grants}
}

// covered lists, for each grant scope used here, the places it covers. It is written as data,
// not as the rule, so that the table below checks the rule against an independent statement.
var covered = map[string][]string{
	"platform": {"platform", "A", "W", "W2", "B", "WB"},
	"app A":    {"A", "W", "W2"},
	"wf W":     {"W"},
	"data P":   {},
}

var grantScopes = map[string]func(api.Role) api.RoleAssignment{
	"platform": func(r api.Role) api.RoleAssignment { return grant(r, api.ScopeTypePlatform, "") },
	"app A":    func(r api.Role) api.RoleAssignment { return grant(r, api.ScopeTypeApplication, "app-a") },
	"wf W":     func(r api.Role) api.RoleAssignment { return grant(r, api.ScopeTypeWorkflow, "wf-w") },
	"data P":   func(r api.Role) api.RoleAssignment { return grant(r, api.ScopeTypeData, "cls-p") },
}

// TestDecideMatrix checks every role granted at every scope, under every key cap, at every
// place, for every needed role: allowed when the grant covers the place and both the grant and
// the cap reach the needed role; hidden when the caller cannot even read the place; refused
// (403) when they can read but not do.
func TestDecideMatrix(t *testing.T) {
	rank := func(r api.Role) int { return slices.Index(roles, r) + 1 }
	for scope, mk := range grantScopes {
		for _, granted := range roles {
			for _, maxRole := range roles {
				p := principal(maxRole, mk(granted))
				for place, target := range places {
					effective := 0
					if slices.Contains(covered[scope], place) {
						effective = min(rank(granted), rank(maxRole))
					}
					for _, need := range roles {
						want := authz.Allow
						switch {
						case effective == 0:
							want = authz.Hide
						case effective < rank(need):
							want = authz.Refuse
						}
						name := fmt.Sprintf("%s at %s, key capped at %s, needs %s at %s", granted, scope, maxRole, need, place)
						if got := authz.Decide(p, target, need); got != want {
							t.Errorf("%s: Decide = %v, want %v", name, got, want)
						}
						if got := authz.Can(p, target, need); got != (want == authz.Allow) {
							t.Errorf("%s: Can = %v, want %v", name, got, want == authz.Allow)
						}
					}
					if got := authz.EffectiveRank(p, target); got != effective {
						t.Errorf("%s at %s, cap %s, at %s: EffectiveRank = %d, want %d", granted, scope, maxRole, place, got, effective)
					}
				}
			}
		}
	}
}

func TestDecide(t *testing.T) {
	cases := []struct {
		name   string
		p      *authz.Principal
		target authz.Target
		need   api.Role
		want   authz.Decision
	}{
		{"no grants: hidden everywhere", principal(api.Owner), atA, api.Viewer, authz.Hide},
		{"no grants: hidden on the platform", principal(api.Owner), atPlatform, api.Viewer, authz.Hide},
		{"the highest covering grant counts", principal(api.Owner,
			grant(api.Viewer, api.ScopeTypePlatform, ""), grant(api.Admin, api.ScopeTypeApplication, "app-a")), atW, api.Admin, authz.Allow},
		{"a grant on another application does not count", principal(api.Owner,
			grant(api.Viewer, api.ScopeTypePlatform, ""), grant(api.Admin, api.ScopeTypeApplication, "app-b")), atW, api.Admin, authz.Refuse},
		{"an application grant without id covers nothing, not the platform", principal(api.Owner,
			grant(api.Owner, api.ScopeTypeApplication, "")), atPlatform, api.Viewer, authz.Hide},
		{"a workflow grant without id covers nothing, not an application", principal(api.Owner,
			grant(api.Owner, api.ScopeTypeWorkflow, "")), atA, api.Viewer, authz.Hide},
		{"a workflow grant does not cover its application", principal(api.Owner,
			grant(api.Owner, api.ScopeTypeWorkflow, "wf-w")), atA, api.Viewer, authz.Hide},
		{"a workflow grant does not cover the same id as an application", principal(api.Owner,
			grant(api.Owner, api.ScopeTypeWorkflow, "app-a")), atA, api.Viewer, authz.Hide},
		{"an application grant does not cover a workflow named like it", principal(api.Owner,
			grant(api.Owner, api.ScopeTypeApplication, "wf-w")), authz.Target{WorkflowID: "wf-w"}, api.Viewer, authz.Hide},
		{"a data grant gives no object permission", principal(api.Owner,
			grant(api.Owner, api.ScopeTypeData, "app-a")), atA, api.Viewer, authz.Hide},
		{"a key without max role can do nothing", principal("",
			grant(api.Owner, api.ScopeTypePlatform, "")), atA, api.Viewer, authz.Hide},
		{"an unknown role grants nothing", principal(api.Owner,
			grant("superuser", api.ScopeTypePlatform, "")), atA, api.Viewer, authz.Hide},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := authz.Decide(tc.p, tc.target, tc.need); got != tc.want {
				t.Errorf("Decide = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRank(t *testing.T) {
	cases := []struct {
		role api.Role
		want int
	}{{api.Viewer, 1}, {api.Editor, 2}, {api.Admin, 3}, {api.Owner, 4}, {"", 0}, {"root", 0}}
	for _, tc := range cases {
		t.Run(string(tc.role), func(t *testing.T) {
			if got := authz.Rank(tc.role); got != tc.want {
				t.Errorf("Rank(%q) = %d, want %d", tc.role, got, tc.want)
			}
		})
	}
}

func TestReadable(t *testing.T) {
	cases := []struct {
		name          string
		p             *authz.Principal
		all           bool
		apps, flows   []string
		nilApps, nilW bool
	}{
		{name: "platform viewer reads everything", p: principal(api.Owner, grant(api.Viewer, api.ScopeTypePlatform, "")), all: true, nilApps: true, nilW: true},
		{name: "platform owner capped at viewer still reads everything", p: principal(api.Viewer, grant(api.Owner, api.ScopeTypePlatform, "")), all: true, nilApps: true, nilW: true},
		{name: "platform grant on a key without role reads nothing", p: principal("", grant(api.Owner, api.ScopeTypePlatform, "")), apps: []string{}, flows: []string{}},
		{name: "no grants reads nothing", p: principal(api.Owner), apps: []string{}, flows: []string{}},
		{name: "application and workflow grants are listed", p: principal(api.Viewer,
			grant(api.Editor, api.ScopeTypeApplication, "app-a"), grant(api.Viewer, api.ScopeTypeWorkflow, "wf-wb"),
			grant(api.Admin, api.ScopeTypeData, "cls-p"), grant(api.Viewer, api.ScopeTypeApplication, "app-b")),
			apps: []string{"app-a", "app-b"}, flows: []string{"wf-wb"}},
		{name: "scoped grants on a key without role read nothing", p: principal("",
			grant(api.Editor, api.ScopeTypeApplication, "app-a"), grant(api.Viewer, api.ScopeTypeWorkflow, "wf-wb")),
			apps: []string{}, flows: []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			all, apps, flows := authz.Readable(tc.p)
			if all != tc.all {
				t.Errorf("all = %v, want %v", all, tc.all)
			}
			if tc.nilApps != (apps == nil) || tc.nilW != (flows == nil) {
				t.Errorf("apps = %#v, workflows = %#v: a platform reader gets nil lists (no filter), others non-nil ones (filter to these)", apps, flows)
			}
			if !tc.nilApps && !slices.Equal(apps, tc.apps) {
				t.Errorf("apps = %v, want %v", apps, tc.apps)
			}
			if !tc.nilW && !slices.Equal(flows, tc.flows) {
				t.Errorf("workflows = %v, want %v", flows, tc.flows)
			}
		})
	}
}

func TestSeesData(t *testing.T) {
	policy := func(access api.AccessRule) api.ClassificationPolicy {
		return api.ClassificationPolicy{ID: "cls-p", Access: access, ApplicationID: "app-a"}
	}
	dataGrant := grant(api.Viewer, api.ScopeTypeData, "cls-p")
	cases := []struct {
		name   string
		p      *authz.Principal
		access api.AccessRule
		target authz.Target
		want   bool
	}{
		{"all: a caller without grants", principal(api.Viewer), api.All, atW, true},
		{"authenticated: a caller without grants", principal(api.Viewer), api.Authenticated, atW, true},
		{"role-based: a viewer of the workflow", principal(api.Viewer, grant(api.Viewer, api.ScopeTypeWorkflow, "wf-w")), api.RoleBased, atW, true},
		{"role-based: a viewer of the application", principal(api.Viewer, grant(api.Viewer, api.ScopeTypeApplication, "app-a")), api.RoleBased, atW, true},
		{"role-based: a viewer of another application", principal(api.Viewer, grant(api.Owner, api.ScopeTypeApplication, "app-b")), api.RoleBased, atW, false},
		{"role-based: a data grant is not a role", principal(api.Viewer, dataGrant), api.RoleBased, atW, false},
		{"role-based: no grants", principal(api.Owner), api.RoleBased, atW, false},
		{"need-to-know: the data grant", principal(api.Viewer, dataGrant), api.NeedToKnow, atW, true},
		{"need-to-know: a data grant for another policy", principal(api.Viewer, grant(api.Viewer, api.ScopeTypeData, "cls-q")), api.NeedToKnow, atW, false},
		{"need-to-know: a workflow grant named like the policy", principal(api.Owner, grant(api.Owner, api.ScopeTypeWorkflow, "cls-p")), api.NeedToKnow, atW, false},
		{"need-to-know: the data grant on a key without role", principal("", dataGrant), api.NeedToKnow, atW, false},
		{"need-to-know: a platform owner", principal(api.Owner, grant(api.Owner, api.ScopeTypePlatform, "")), api.NeedToKnow, atW, true},
		{"need-to-know: a platform owner capped at admin", principal(api.Admin, grant(api.Owner, api.ScopeTypePlatform, "")), api.NeedToKnow, atW, false},
		{"need-to-know: a platform admin", principal(api.Owner, grant(api.Admin, api.ScopeTypePlatform, "")), api.NeedToKnow, atW, false},
		{"need-to-know: an application owner", principal(api.Owner, grant(api.Owner, api.ScopeTypeApplication, "app-a")), api.NeedToKnow, atW, false},
		{"unknown access rule is treated as need-to-know", principal(api.Owner, grant(api.Admin, api.ScopeTypePlatform, "")), "secret", atW, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := authz.SeesData(tc.p, policy(tc.access), tc.target); got != tc.want {
				t.Errorf("SeesData = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestHighestRole(t *testing.T) {
	cases := []struct {
		name string
		p    *authz.Principal
		want api.Role
	}{
		{"no grants: viewer", principal(api.Owner), api.Viewer},
		{"the highest grant at any scope", principal(api.Owner,
			grant(api.Editor, api.ScopeTypeApplication, "app-a"), grant(api.Admin, api.ScopeTypeWorkflow, "wf-wb"), grant(api.Viewer, api.ScopeTypePlatform, "")), api.Admin},
		{"the highest grant, listed last", principal(api.Owner,
			grant(api.Viewer, api.ScopeTypePlatform, ""), grant(api.Owner, api.ScopeTypeApplication, "app-a")), api.Owner},
		{"a lower grant after a higher one does not lower it", principal(api.Owner,
			grant(api.Admin, api.ScopeTypeApplication, "app-a"), grant(api.Editor, api.ScopeTypePlatform, "")), api.Admin},
		{"capped by the key", principal(api.Editor, grant(api.Owner, api.ScopeTypePlatform, "")), api.Editor},
		{"a cap equal to the grant", principal(api.Admin, grant(api.Admin, api.ScopeTypePlatform, "")), api.Admin},
		{"a cap above the grant", principal(api.Owner, grant(api.Editor, api.ScopeTypePlatform, "")), api.Editor},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := authz.HighestRole(tc.p); got != tc.want {
				t.Errorf("HighestRole = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMayManageAccess(t *testing.T) {
	cases := []struct {
		name    string
		p       *authz.Principal
		target  authz.Target
		role    api.Role
		wantErr string // "" when allowed
	}{
		{"application admin grants editor there", principal(api.Owner, grant(api.Admin, api.ScopeTypeApplication, "app-a")), atA, api.Editor, ""},
		{"application admin grants admin there", principal(api.Owner, grant(api.Admin, api.ScopeTypeApplication, "app-a")), atW, api.Admin, ""},
		{"application admin cannot grant owner", principal(api.Owner, grant(api.Admin, api.ScopeTypeApplication, "app-a")), atA, api.Owner, "owner role on the platform"},
		{"application owner cannot grant owner either", principal(api.Owner, grant(api.Owner, api.ScopeTypeApplication, "app-a")), atA, api.Owner, "owner role on the platform"},
		{"application editor cannot manage", principal(api.Owner, grant(api.Editor, api.ScopeTypeApplication, "app-a")), atA, api.Viewer, "needs the admin role there"},
		{"application admin cannot manage another application", principal(api.Owner, grant(api.Admin, api.ScopeTypeApplication, "app-a")), atB, api.Viewer, "needs the admin role there"},
		{"platform admin manages the platform", principal(api.Owner, grant(api.Admin, api.ScopeTypePlatform, "")), atPlatform, api.Admin, ""},
		{"platform admin cannot grant owner", principal(api.Owner, grant(api.Admin, api.ScopeTypePlatform, "")), atPlatform, api.Owner, "owner role on the platform"},
		{"platform owner grants owner", principal(api.Owner, grant(api.Owner, api.ScopeTypePlatform, "")), atA, api.Owner, ""},
		{"platform owner capped at admin cannot grant owner", principal(api.Admin, grant(api.Owner, api.ScopeTypePlatform, "")), atA, api.Owner, "owner role on the platform"},
		{"admin with a key capped at editor cannot manage", principal(api.Editor, grant(api.Admin, api.ScopeTypePlatform, "")), atA, api.Viewer, "needs the admin role there"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := authz.MayManageAccess(tc.p, tc.target, tc.role)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
	if err := authz.MayManageAccess(principal(api.Owner), atA, api.Viewer); !errors.Is(err, authz.ErrManageNeedsAdmin) {
		t.Errorf("no grants: err = %v, want ErrManageNeedsAdmin", err)
	}
}

func TestSeesAssignment(t *testing.T) {
	cases := []struct {
		name   string
		p      *authz.Principal
		userID string
		target authz.Target
		want   bool
	}{
		{"their own, without any role", principal(api.Owner), "u-1", atA, true},
		{"another user's where they are admin", principal(api.Owner, grant(api.Admin, api.ScopeTypeApplication, "app-a")), "u-2", atW, true},
		{"another user's where they are editor", principal(api.Owner, grant(api.Editor, api.ScopeTypeApplication, "app-a")), "u-2", atW, false},
		{"another user's elsewhere", principal(api.Owner, grant(api.Admin, api.ScopeTypeApplication, "app-a")), "u-2", atB, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := authz.SeesAssignment(tc.p, tc.userID, tc.target); got != tc.want {
				t.Errorf("SeesAssignment = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAdministered(t *testing.T) {
	cases := []struct {
		name        string
		p           *authz.Principal
		apps, flows []string
	}{
		{"none", principal(api.Owner), nil, nil},
		{"a platform admin administers every application and workflow they hold a grant at", principal(api.Owner,
			grant(api.Admin, api.ScopeTypeApplication, "app-a"), grant(api.Editor, api.ScopeTypeApplication, "app-b"),
			grant(api.Owner, api.ScopeTypeWorkflow, "wf-wb"), grant(api.Viewer, api.ScopeTypeWorkflow, "wf-w"),
			grant(api.Admin, api.ScopeTypeData, "cls-p"), grant(api.Admin, api.ScopeTypePlatform, "")),
			[]string{"app-a", "app-b"}, []string{"wf-wb", "wf-w"}},
		{"application admin grants only", principal(api.Owner,
			grant(api.Admin, api.ScopeTypeApplication, "app-a"), grant(api.Editor, api.ScopeTypeApplication, "app-b"),
			grant(api.Owner, api.ScopeTypeWorkflow, "wf-wb"), grant(api.Viewer, api.ScopeTypeWorkflow, "wf-w")),
			[]string{"app-a"}, []string{"wf-wb"}},
		{"capped below admin by the key", principal(api.Editor, grant(api.Admin, api.ScopeTypeApplication, "app-a")), nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			apps, flows := authz.Administered(tc.p)
			if !slices.Equal(apps, tc.apps) || !slices.Equal(flows, tc.flows) {
				t.Errorf("Administered = %v, %v; want %v, %v", apps, flows, tc.apps, tc.flows)
			}
		})
	}
}
