package platform

import (
	"context"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/authz"
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
//
// The decision itself (which role at which scope allows what) is package authz; this file
// turns its answers into the API's errors.

// Target is what a request touches, for authorization (see authz.Target).
type Target = authz.Target

// Platform is the target of platform-wide objects (integrations, platform webhooks, users).
var Platform = authz.Platform

// where names the places whose grants cover t, for refusals.
func where(t Target) string {
	switch {
	case t.WorkflowID != "":
		return "workflow " + t.WorkflowID + ", its application " + t.ApplicationID + ", or the platform"
	case t.ApplicationID != "":
		return "application " + t.ApplicationID + " or the platform"
	}
	return "the platform"
}

// can tells whether the principal holds at least role at t.
func can(p *store.Principal, t Target, role api.Role) bool { return authz.Can(p, t, role) }

// authorize decides a request on an existing object the caller reached by id: 403
// forbidden-scope when the caller may not even read it, 403 forbidden when they may read it but
// lack role.
func authorize(p *store.Principal, t Target, role api.Role, kind, id string) error {
	switch authz.Decide(p, t, role) {
	case authz.Hide:
		return forbiddenScope(kind, id, "the viewer role (or higher) on "+where(t))
	case authz.Refuse:
		return forbidden("this needs the " + string(role) + " role on the " + kind + " (or its application, or the platform)")
	}
	return nil
}

// readable lists the application and workflow ids the principal may read, for list filters.
// all is true for platform-wide readers, who need no filter.
func readable(p *store.Principal) (all bool, apps, workflows []string) { return authz.Readable(p) }

// seesData tells whether the principal may see data governed by a classification policy.
func seesData(p *store.Principal, policy api.ClassificationPolicy, t Target) bool {
	return authz.SeesData(p, policy, t)
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
