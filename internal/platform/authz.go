package platform

import (
	"context"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Refusals follow one rule across the API: 404 means the object does not exist, and nothing
// else. A caller who reaches an existing object by id but may not read it gets 403 with the
// problem type forbidden-scope, naming the object and the role it needs; a caller who can read
// it but lacks the role to change it gets 403 forbidden. The platform serves one organization:
// every API key belongs to one of its users, so a 403 tells a member only that an id they
// already hold names a live object (ids carry 74 random bits, so they are not guessed), while a
// 404 read as "gone" made Terraform drop objects outside a narrow key's scope from state and
// create them again. Another organization runs its own platform, whose ids are 404 here.
// Lists still show only what the caller may read, so nothing is revealed that the caller does
// not already hold. A create without the needed role is 403 where the new object's place is
// readable (the platform, a readable application), and the 400 field error of a missing
// reference when it names a parent the caller cannot read (a create has no state to lose).
// Users are a directory everyone reads, so refusals on them are 403 forbidden. Another user's
// API token stays 404 to non-admins: tokens never enter state. authz_matrix_test.go checks
// this for every role at every scope against every endpoint family.

// Role ranks: each role can do what the ones below it can.
//
//	viewer  reads
//	editor  also creates, changes, deletes and triggers
//	admin   also manages users, role assignments and classification policies
//	owner   everything, including granting owner and admin at the platform scope
var roleRank = map[api.Role]int{api.Viewer: 1, api.Editor: 2, api.Admin: 3, api.Owner: 4}

// Target is what a request touches, for authorization: the whole platform, or an object inside
// an application and possibly a workflow. A grant applies when its scope covers the target.
type Target struct {
	ApplicationID string
	WorkflowID    string
}

// Platform is the target of platform-wide objects (integrations, platform webhooks, users).
var Platform = Target{}

// where names the places whose grants cover t, for refusals.
func (t Target) where() string {
	switch {
	case t.WorkflowID != "":
		return "workflow " + t.WorkflowID + ", its application " + t.ApplicationID + ", or the platform"
	case t.ApplicationID != "":
		return "application " + t.ApplicationID + " or the platform"
	}
	return "the platform"
}

// rank is the principal's effective role rank at t: the highest grant whose scope covers t,
// capped by the API key's max role. Data-scope grants give no object permissions.
func rank(p *store.Principal, t Target) int {
	best := 0
	for _, g := range p.Grants {
		id := deref(g.Scope.ID)
		covers := false
		switch g.Scope.Type {
		case api.ScopeTypePlatform:
			covers = true
		case api.ScopeTypeApplication:
			covers = t.ApplicationID != "" && id == t.ApplicationID
		case api.ScopeTypeWorkflow:
			covers = t.WorkflowID != "" && id == t.WorkflowID
		}
		if covers {
			best = max(best, roleRank[g.Role])
		}
	}
	return min(best, roleRank[p.MaxRole])
}

// can tells whether the principal holds at least role at t.
func can(p *store.Principal, t Target, role api.Role) bool {
	return rank(p, t) >= roleRank[role]
}

// authorize decides a request on an existing object the caller reached by id: 403
// forbidden-scope when the caller may not even read it, 403 forbidden when they may read it but
// lack role.
func authorize(p *store.Principal, t Target, role api.Role, kind, id string) error {
	if !can(p, t, api.Viewer) {
		return forbiddenScope(kind, id, "the viewer role (or higher) on "+t.where())
	}
	if !can(p, t, role) {
		return forbidden("this needs the " + string(role) + " role on the " + kind + " (or its application, or the platform)")
	}
	return nil
}

// readable lists the application and workflow ids the principal may read, for list filters.
// all is true for platform-wide readers, who need no filter.
func readable(p *store.Principal) (all bool, apps, workflows []string) {
	if can(p, Platform, api.Viewer) {
		return true, nil, nil
	}
	apps, workflows = []string{}, []string{}
	if roleRank[p.MaxRole] < roleRank[api.Viewer] {
		return false, apps, workflows
	}
	for _, g := range p.Grants {
		switch g.Scope.Type {
		case api.ScopeTypeApplication:
			apps = append(apps, deref(g.Scope.ID))
		case api.ScopeTypeWorkflow:
			workflows = append(workflows, deref(g.Scope.ID))
		}
	}
	return false, apps, workflows
}

// seesData tells whether the principal may see data governed by a classification policy.
// Access rules: all and authenticated admit every caller (every caller is authenticated);
// role-based admits callers with any role on the data's application or the platform;
// need-to-know admits only holders of a data-scope grant for that policy and platform owners.
func seesData(p *store.Principal, policy api.ClassificationPolicy, t Target) bool {
	switch policy.Access {
	case api.All, api.Authenticated:
		return true
	case api.RoleBased:
		return can(p, t, api.Viewer)
	}
	if can(p, Platform, api.Owner) {
		return true
	}
	if roleRank[p.MaxRole] < roleRank[api.Viewer] {
		return false
	}
	for _, g := range p.Grants {
		if g.Scope.Type == api.ScopeTypeData && deref(g.Scope.ID) == policy.ID {
			return true
		}
	}
	return false
}

type principalKey struct{}

func withPrincipal(ctx context.Context, p *store.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// principal returns the authenticated caller; the auth middleware guarantees one on every API
// route.
func principal(r *http.Request) *store.Principal {
	p, _ := r.Context().Value(principalKey{}).(*store.Principal)
	if p == nil {
		return &store.Principal{}
	}
	return p
}
