package platform

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/authz"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Who manages access (role assignments):
//   - granting or revoking a role at a scope needs the admin role there: application admins
//     manage their application and its workflows, workflow admins their workflow; the platform
//     and data scopes need the admin role on the platform;
//   - nobody grants or revokes a role above their own at that scope, and owner needs the owner
//     role on the platform;
//   - platform admins read every assignment; other callers read their own and those at scopes
//     they administer. An assignment the caller may not read is a 404.
//
// Every grant and revocation is audited with its role and scope (store.AuditAccess), which is
// what GET /users/{id}/access reads its history from once the assignment itself is gone.

// scopePrefix is the id prefix each scope type takes.
var scopePrefix = map[api.ScopeType]string{
	api.ScopeTypeApplication: "app_", api.ScopeTypeWorkflow: "wf_", api.ScopeTypeData: "cls_",
}

// checkScope validates a scope's shape: the platform has no id, every other scope needs an id
// of its kind.
func checkScope(field string, sc api.Scope) []api.FieldError {
	id := deref(sc.ID)
	if sc.Type == api.ScopeTypePlatform {
		if id != "" {
			return []api.FieldError{FieldError(field+".id", "the platform scope takes no id")}
		}
		return nil
	}
	if prefix := scopePrefix[sc.Type]; !strings.HasPrefix(id, prefix) {
		return []api.FieldError{FieldError(field+".id", "the %s scope needs the id of a %s (%s…)", sc.Type, scopeKind(sc.Type), prefix)}
	}
	return nil
}

func scopeKind(t api.ScopeType) string {
	if t == api.ScopeTypeData {
		return "classification policy"
	}
	return string(t)
}

// normalScope drops an empty id, so that {type: platform, id: ""} and {type: platform} are the
// same scope.
func normalScope(sc api.Scope) api.Scope {
	if deref(sc.ID) == "" {
		sc.ID = nil
	}
	return sc
}

// scopeTarget is where a grant at sc applies, for authorization: the platform and data scopes
// are governed at the platform; a workflow belongs to its application (a workflow that no
// longer exists is governed by itself alone).
func scopeTarget(ctx context.Context, q *store.Q, sc api.Scope) (Target, error) {
	id := deref(sc.ID)
	switch sc.Type {
	case api.ScopeTypeApplication:
		return applicationTarget(id), nil
	case api.ScopeTypeWorkflow:
		wf, err := store.Workflows.Get(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) {
			return Target{WorkflowID: id}, nil
		}
		if err != nil {
			return Target{}, err
		}
		return workflowTarget(wf), nil
	}
	return Platform, nil
}

// mayManageAccess refuses (403) a caller who may not grant or revoke role at a scope that
// applies at t.
func mayManageAccess(p *store.Principal, t Target, role api.Role) error {
	if err := authz.MayManageAccess(p, t, role); err != nil {
		return forbidden(err.Error())
	}
	return nil
}

// seesAssignment tells whether the caller may read ra, which applies at t.
func seesAssignment(p *store.Principal, ra *api.RoleAssignment, t Target) bool {
	return authz.SeesAssignment(p, ra.UserID, t)
}

// visibleAssignments is the list filter for a caller who is not a platform admin: their own
// assignments and those at the applications (with their workflows) and workflows they
// administer.
func visibleAssignments(p *store.Principal) store.Filter {
	appIDs, workflowIDs := authz.Administered(p)
	return store.VisibleAssignments(p.UserID, appIDs, workflowIDs)
}

// ListRoleAssignments lists the assignments the caller may read.
func (s *Server) ListRoleAssignments(w http.ResponseWriter, r *http.Request, params api.ListRoleAssignmentsParams) {
	var filters []store.Filter
	if p := principal(r); !platformAdmin(p) {
		filters = append(filters, visibleAssignments(p))
	}
	if params.UserID != nil {
		filters = append(filters, store.Eq("user_id", *params.UserID))
	}
	if params.Role != nil {
		filters = append(filters, store.Eq("role", string(*params.Role)))
	}
	if params.ScopeType != nil {
		filters = append(filters, store.Eq("scope_type", string(*params.ScopeType)))
	}
	if params.ScopeID != nil {
		filters = append(filters, store.Eq("scope_id", *params.ScopeID))
	}
	writeList(s, w, r, store.RoleAssignments, filters, page(params.PageSize, params.PageToken))
}

// CreateRoleAssignment grants a role at a scope. The scope's object must exist (a 400 on
// scope.id otherwise, also when the caller may not read it, so that its existence is not
// revealed), and so must the user.
func (s *Server) CreateRoleAssignment(w http.ResponseWriter, r *http.Request, params api.CreateRoleAssignmentParams) {
	var in api.RoleAssignmentInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	in.Scope = normalScope(in.Scope)
	if err := invalid(checkScope("scope", in.Scope)...); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		t, err := s.checkScopeObject(ctx, q, p, in.Scope)
		if err != nil {
			return 0, nil, err
		}
		if _, err := store.Users.Get(ctx, q, in.UserID); errors.Is(err, store.ErrNotFound) {
			return 0, nil, invalid(FieldError("user_id", "there is no user with id %q", in.UserID))
		} else if err != nil {
			return 0, nil, err
		}
		if err := mayManageAccess(p, t, in.Role); err != nil {
			return 0, nil, err
		}
		newID, err := newObjectID(ctx, q, store.RoleAssignments, "ra", "role assignment", params.ID)
		if err != nil {
			return 0, nil, err
		}
		ra := api.RoleAssignment{ID: newID, UserID: in.UserID, Role: in.Role, Scope: in.Scope,
			Etag: store.NewETag(), CreatedAt: s.now()}
		if err := store.RoleAssignments.Create(ctx, q, &ra); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, ra, s.auditAccess(ctx, q, r, "create", ra)
	})
}

// checkScopeObject finds the object a new grant's scope names and returns where the grant
// applies. The platform and data scopes are checked for authority first: only platform admins
// may grant there, and others learn nothing about which policies exist.
func (s *Server) checkScopeObject(ctx context.Context, q *store.Q, p *store.Principal, sc api.Scope) (Target, error) {
	id := deref(sc.ID)
	missing := unreadableParent("scope.id", "there is no %s with id %q, or you may not read it", scopeKind(sc.Type), id)
	switch sc.Type {
	case api.ScopeTypePlatform:
		return Platform, nil
	case api.ScopeTypeData:
		if !platformAdmin(p) {
			return Platform, mayManageAccess(p, Platform, api.Admin)
		}
		_, err := store.ClassificationPolicies.Get(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) {
			return Platform, missing
		}
		return Platform, err
	case api.ScopeTypeApplication:
		_, err := store.Applications.Get(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && !can(p, applicationTarget(id), api.Viewer) {
			return Platform, missing
		}
		return applicationTarget(id), err
	default:
		wf, err := store.Workflows.Get(ctx, q, id)
		if errors.Is(err, store.ErrNotFound) || err == nil && !can(p, workflowTarget(wf), api.Viewer) {
			return Platform, missing
		}
		if err != nil {
			return Platform, err
		}
		return workflowTarget(wf), nil
	}
}

// readAssignment loads an assignment the caller may read, and where it applies.
func readAssignment(ctx context.Context, q *store.Q, p *store.Principal, id string) (*api.RoleAssignment, Target, error) {
	ra, err := store.RoleAssignments.Get(ctx, q, id)
	if err != nil {
		return nil, Target{}, notFoundAs(err, "role assignment", id)
	}
	t, err := scopeTarget(ctx, q, ra.Scope)
	if err != nil {
		return nil, Target{}, err
	}
	if !seesAssignment(p, ra, t) {
		return nil, Target{}, forbiddenScope("role assignment", id, "the admin role where it applies (its application or workflow, or the platform)")
	}
	return ra, t, nil
}

// GetRoleAssignment reads one assignment.
func (s *Server) GetRoleAssignment(w http.ResponseWriter, r *http.Request, id api.ID) {
	ra, _, err := readAssignment(r.Context(), s.store.Read(), principal(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ra)
}

// DeleteRoleAssignment revokes one assignment; it takes the authority that granting it
// would. The last platform owner grant cannot be removed.
func (s *Server) DeleteRoleAssignment(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteRoleAssignmentParams) {
	p := principal(r)
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		ra, t, err := readAssignment(ctx, q, p, id)
		if err != nil {
			return 0, nil, err
		}
		if err := mayManageAccess(p, t, ra.Role); err != nil {
			return 0, nil, err
		}
		if err := checkETag(params.IfMatch, ra.Etag); err != nil {
			return 0, nil, err
		}
		if err := s.revoke(ctx, q, r, "delete", []api.RoleAssignment{*ra}); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	})
}

// revoke deletes assignments and audits each, failing when that leaves the platform without
// an owner.
func (s *Server) revoke(ctx context.Context, q *store.Q, r *http.Request, action string, ras []api.RoleAssignment) error {
	if err := q.LockPlatformOwners(ctx); err != nil {
		return err
	}
	for _, ra := range ras {
		if err := store.RoleAssignments.Delete(ctx, q, ra.ID, ""); err != nil {
			return err
		}
		if err := s.auditAccess(ctx, q, r, action, ra); err != nil {
			return err
		}
	}
	for _, ra := range ras {
		if ra.Role == api.Owner && ra.Scope.Type == api.ScopeTypePlatform {
			return s.keepPlatformOwner(ctx, q, ra.ID)
		}
	}
	return nil
}

// auditAccess audits a grant ("create") or a revocation ("delete", "revoke_access") of ra,
// with its role and scope for the user's access history.
func (s *Server) auditAccess(ctx context.Context, q *store.Q, r *http.Request, action string, ra api.RoleAssignment) error {
	e := api.AuditEvent{ID: store.NewID("aud"), At: s.now(), ActorID: principal(r).UserID, Action: action,
		ObjectType: "role_assignment", ObjectID: ra.ID}
	if action == "create" {
		e.EtagAfter = ptr(ra.Etag)
	} else {
		e.EtagBefore = ptr(ra.Etag)
	}
	return q.AuditAccess(ctx, store.AccessChange{Event: e, UserID: ra.UserID, Role: ra.Role, Scope: ra.Scope})
}

// GetUserAccess answers the user themself and platform admins: the user's current grants and
// the history of grants and revocations made through the API, newest first (the latest
// store.MaxPageSize of them).
func (s *Server) GetUserAccess(w http.ResponseWriter, r *http.Request, id api.ID) {
	ctx, q, p := r.Context(), s.store.Read(), principal(r)
	if _, err := store.Users.Get(ctx, q, id); err != nil {
		s.fail(w, r, notFoundAs(err, "user", id))
		return
	}
	if p.UserID != id && !platformAdmin(p) {
		s.fail(w, r, forbidden("reading a user's access needs the admin role on the platform, or being that user"))
		return
	}
	grants, err := userAssignments(ctx, q, id, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	changes, err := q.AccessHistory(ctx, id, store.MaxPageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := api.UserAccess{UserID: id, Grants: make([]api.Grant, 0, len(grants)), History: make([]api.AccessHistoryEntry, 0, len(changes))}
	for _, g := range grants {
		out.Grants = append(out.Grants, api.Grant{RoleAssignmentID: g.ID, Role: g.Role, Scope: g.Scope})
	}
	for _, c := range changes {
		action := api.Revoked
		if c.Event.Action == "create" {
			action = api.Granted
		}
		out.History = append(out.History, api.AccessHistoryEntry{At: c.Event.At, Action: action, ActorID: c.Event.ActorID,
			RoleAssignmentID: c.Event.ObjectID, Role: ptr(c.Role), Scope: ptr(c.Scope)})
	}
	writeJSON(w, http.StatusOK, out)
}

// RevokeUserAccess deletes the user's assignments, all of them or those at one scope; it needs
// the admin role on the platform (and the owner role to revoke owner). Authentication loads
// grants on every request, so it takes effect on the user's next request.
func (s *Server) RevokeUserAccess(w http.ResponseWriter, r *http.Request, id api.ID, params api.RevokeUserAccessParams) {
	var in api.RevokeAccessRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	var filters []store.Filter
	if in.Scope != nil {
		sc := normalScope(*in.Scope)
		if err := invalid(checkScope("scope", sc)...); err != nil {
			s.fail(w, r, err)
			return
		}
		filters = append(filters, store.Eq("scope_type", string(sc.Type)), store.Eq("scope_id", deref(sc.ID)))
	}
	p := principal(r)
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		if _, err := store.Users.Get(ctx, q, id); err != nil {
			return 0, nil, notFoundAs(err, "user", id)
		}
		if !platformAdmin(p) {
			return 0, nil, forbidden("revoking a user's access needs the admin role on the platform")
		}
		ras, err := userAssignments(ctx, q, id, filters)
		if err != nil {
			return 0, nil, err
		}
		revoked := make([]string, 0, len(ras))
		for _, ra := range ras {
			if err := mayManageAccess(p, Platform, ra.Role); err != nil {
				return 0, nil, err
			}
			revoked = append(revoked, ra.ID)
		}
		if err := s.revoke(ctx, q, r, "revoke_access", ras); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, api.RevokeAccessResponse{UserID: id, Revoked: revoked}, nil
	})
}
