package platform

import (
	"context"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/authz"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Refusals follow one rule across the API: a caller who cannot read an object gets 404 for it,
// worded as for a missing object, so that its existence is not revealed; a caller who can read
// it but lacks the role to change it gets 403. A create without the needed role is 403 where the
// new object's place is readable (the platform, a readable application), and the 400 field
// error of a missing reference when it names a parent the caller cannot read. Users are a
// directory everyone reads, so refusals on them are 403. authz_matrix_test.go checks this for
// every role at every scope against every endpoint family.
//
// The decision itself (which role at which scope allows what) is package authz; this file
// turns its answers into the API's errors.

// Target is what a request touches, for authorization (see authz.Target).
type Target = authz.Target

// Platform is the target of platform-wide objects (integrations, platform webhooks, users).
var Platform = authz.Platform

// can tells whether the principal holds at least role at t.
func can(p *store.Principal, t Target, role api.Role) bool { return authz.Can(p, t, role) }

// authorize decides a request on an existing object the caller reached by id: 404 when the
// caller may not even read it (its existence is not revealed), 403 when they may read it but
// lack role.
func authorize(p *store.Principal, t Target, role api.Role, kind, id string) error {
	switch authz.Decide(p, t, role) {
	case authz.Hide:
		return hidden(kind, id)
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
