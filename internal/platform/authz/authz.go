// Package authz is the platform's authorization decision: which role, granted at which scope,
// lets a caller read, change or manage what. It is pure (no store, no HTTP), so that every
// role at every scope can be checked by a table test and the decision can be mutation-tested
// in seconds; the handlers in internal/platform turn its answers into responses.
//
// Role ranks: each role can do what the ones below it can.
//
//	viewer  reads
//	editor  also creates, changes, deletes and triggers
//	admin   also manages users, role assignments and classification policies
//	owner   everything, including granting owner and admin at the platform scope
//
// Scopes: a platform grant covers everything; an application grant covers the application and
// its workflows; a workflow grant covers that workflow only; a data grant (on a classification
// policy) gives no object permissions, only sight of the data that policy governs. An API key's
// max role caps every grant of its user.
package authz

import (
	"errors"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

var roleRank = map[api.Role]int{api.Viewer: 1, api.Editor: 2, api.Admin: 3, api.Owner: 4}

// Rank orders roles: viewer 1, editor 2, admin 3, owner 4; 0 for no role or an unknown one.
func Rank(r api.Role) int { return roleRank[r] }

// Principal is who a request acts as: the key's user, capped at the key's max role, with the
// user's role assignments loaded.
type Principal struct {
	UserID  string
	KeyID   string
	MaxRole api.Role
	Grants  []api.RoleAssignment
}

// Target is what a request touches: the whole platform, or an object inside an application and
// possibly a workflow. A grant applies when its scope covers the target.
type Target struct {
	ApplicationID string
	WorkflowID    string
}

// Platform is the target of platform-wide objects (integrations, platform webhooks, users).
var Platform = Target{}

// EffectiveRank is the principal's role rank at t: the highest grant whose scope covers t,
// capped by the API key's max role. Data-scope grants give no object permissions.
func EffectiveRank(p *Principal, t Target) int {
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

// Can tells whether the principal holds at least role at t.
func Can(p *Principal, t Target, role api.Role) bool {
	return EffectiveRank(p, t) >= roleRank[role]
}

// Decision is the outcome of a request on an object the caller reached by id, or on a place
// (an application) the caller names to create something in.
type Decision int

const (
	// Allow: the caller holds the role.
	Allow Decision = iota
	// Hide: the caller may not even read the object; the answer must be the one a missing
	// object gets (404, or the 400 of a missing parent), so that its existence is not revealed.
	Hide
	// Refuse: the caller may read the object but lacks the role to do this (403).
	Refuse
)

// Decide decides a request needing role at t.
func Decide(p *Principal, t Target, role api.Role) Decision {
	if !Can(p, t, api.Viewer) {
		return Hide
	}
	if !Can(p, t, role) {
		return Refuse
	}
	return Allow
}

// Readable lists the application and workflow ids the principal may read, for list filters.
// all is true for platform-wide readers, who need no filter.
func Readable(p *Principal) (all bool, apps, workflows []string) {
	if Can(p, Platform, api.Viewer) {
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

// SeesData tells whether the principal may see data governed by a classification policy, in
// an object at t. Access rules: all and authenticated admit every caller (every caller is
// authenticated); role-based admits callers with any role on the data's application or the
// platform; need-to-know admits only holders of a data-scope grant for that policy and
// platform owners.
func SeesData(p *Principal, policy api.ClassificationPolicy, t Target) bool {
	switch policy.Access {
	case api.All, api.Authenticated:
		return true
	case api.RoleBased:
		return Can(p, t, api.Viewer)
	}
	if Can(p, Platform, api.Owner) {
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

// HighestRole is the most a token issued by the caller may carry: the caller's highest role
// at any scope, capped by the calling key's own max role. It is never below viewer: a viewer
// cap on a user without grants gives them nothing, because a key only ever narrows its user's
// grants.
func HighestRole(p *Principal) api.Role {
	best := api.Viewer
	for _, g := range p.Grants {
		if roleRank[g.Role] > roleRank[best] {
			best = g.Role
		}
	}
	if roleRank[p.MaxRole] < roleRank[best] {
		best = p.MaxRole
	}
	return best
}

// Refusals of MayManageAccess, worded for the caller.
var (
	ErrManageNeedsAdmin = errors.New("managing access at this scope needs the admin role there: application admins manage their " +
		"application and its workflows; the platform and data scopes need the admin role on the platform")
	ErrOwnerNeedsOwner = errors.New("granting or revoking the owner role needs the owner role on the platform")
)

// MayManageAccess tells whether the principal may grant or revoke role at a scope that applies
// at t: it needs the admin role there, the owner role on the platform for the owner role, and
// nobody grants above their own role. The error says why not.
func MayManageAccess(p *Principal, t Target, role api.Role) error {
	if !Can(p, t, api.Admin) {
		return ErrManageNeedsAdmin
	}
	if role == api.Owner && !Can(p, Platform, api.Owner) {
		return ErrOwnerNeedsOwner
	}
	// With today's four roles the two checks above imply this one (an admin at t holds every
	// role below owner there); it stays so that a role added above admin is not grantable by
	// admins by default.
	if !Can(p, t, role) {
		return errors.New("nobody may grant or revoke a role above their own at a scope: you hold less than " + string(role) + " here")
	}
	return nil
}

// SeesAssignment tells whether the principal may read a role assignment of userID that
// applies at t: their own, or any where they hold the admin role.
func SeesAssignment(p *Principal, userID string, t Target) bool {
	return userID == p.UserID || Can(p, t, api.Admin)
}

// Administered lists the applications and workflows, among the principal's grants, at which
// the principal holds the admin role: whose role assignments they may read besides their own.
func Administered(p *Principal) (apps, workflows []string) {
	for _, g := range p.Grants {
		id := deref(g.Scope.ID)
		switch {
		case g.Scope.Type == api.ScopeTypeApplication && Can(p, Target{ApplicationID: id}, api.Admin):
			apps = append(apps, id)
		case g.Scope.Type == api.ScopeTypeWorkflow && Can(p, Target{WorkflowID: id}, api.Admin):
			workflows = append(workflows, id)
		}
	}
	return apps, workflows
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
