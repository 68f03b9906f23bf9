package platform

import (
	"context"
	"net/http"
	"net/mail"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Users are a directory: every authenticated caller may list and read them, whatever their
// roles, so that role assignments, tokens and audit entries can name people and a user can be
// found by email before being granted a role. Because any caller can read a user, refusals on
// users are 403, never the 404 that hides an object. Changing users needs the admin role on
// the platform, except that users may change their own display name.

// platformAdmin tells whether the caller administers the whole platform (users, access, audit).
func platformAdmin(p *store.Principal) bool { return can(p, Platform, api.Admin) }

// checkEmail accepts a bare address such as ada@example.com, as net/mail parses it; a display
// name form ("Ada <ada@example.com>") is refused because the address is stored as given.
func checkEmail(field, v string) []api.FieldError {
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v {
		return []api.FieldError{FieldError(field, "%q is not an email address such as ada@example.com", v)}
	}
	return nil
}

// ListUsers lists users, optionally the one with an email (compared case-insensitively).
func (s *Server) ListUsers(w http.ResponseWriter, r *http.Request, params api.ListUsersParams) {
	var filters []store.Filter
	if params.Email != nil {
		// The email column holds the lowercased address; the document keeps it as given.
		filters = append(filters, store.Eq("email", strings.ToLower(*params.Email)))
	}
	writeList(s, w, r, store.Users, filters, page(params.PageSize, params.PageToken))
}

// CreateUser needs the admin role on the platform. Emails are unique case-insensitively.
func (s *Server) CreateUser(w http.ResponseWriter, r *http.Request, params api.CreateUserParams) {
	var in api.UserInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := invalid(checkEmail("email", in.Email)...); err != nil {
		s.fail(w, r, err)
		return
	}
	if !platformAdmin(principal(r)) {
		s.fail(w, r, forbidden("creating users needs the admin role on the platform"))
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		now := s.now()
		newID, err := newObjectID(ctx, q, store.Users, "usr", "user", params.ID)
		if err != nil {
			return 0, nil, err
		}
		u := api.User{ID: newID, Email: in.Email, DisplayName: deref(in.DisplayName), Active: true,
			Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
		if in.Active != nil {
			u.Active = *in.Active
		}
		if err := store.Users.Create(ctx, q, &u); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, u, s.audit(ctx, q, r, "create", "user", u.ID, "", u.Etag)
	})
}

// GetUser reads one user.
func (s *Server) GetUser(w http.ResponseWriter, r *http.Request, id api.ID) {
	u, err := store.Users.Get(r.Context(), s.store.Read(), id)
	if err != nil {
		s.fail(w, r, notFoundAs(err, "user", id))
		return
	}
	writeJSON(w, http.StatusOK, u)
}

// PatchUser needs the admin role on the platform; users may change their own display_name.
// Deactivating a user refuses their keys and tokens from the next request on.
func (s *Server) PatchUser(w http.ResponseWriter, r *http.Request, id api.ID, params api.PatchUserParams) {
	var patch api.UserPatch
	if err := decode(r, &patch); err != nil {
		s.fail(w, r, err)
		return
	}
	if patch.Email != nil {
		if err := invalid(checkEmail("email", *patch.Email)...); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	p := principal(r)
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		u, err := store.Users.Get(ctx, q, id)
		if err != nil {
			return 0, nil, notFoundAs(err, "user", id)
		}
		switch {
		case p.UserID == id && patch.Email == nil && patch.Active == nil:
			// Users may always rename themselves.
		case p.UserID == id && !platformAdmin(p):
			return 0, nil, forbidden("users may change only their own display_name; email and active need the admin role on the platform")
		default:
			if err := s.mayManageUser(ctx, q, p, id, "changing"); err != nil {
				return 0, nil, err
			}
		}
		if err := checkETag(params.IfMatch, u.Etag); err != nil {
			return 0, nil, err
		}
		deactivating := patch.Active != nil && !*patch.Active && u.Active
		if deactivating && p.UserID == id {
			return 0, nil, conflict("you cannot deactivate yourself: your own requests would be refused from then on; ask another platform admin", id)
		}
		if deactivating {
			if err := q.LockPlatformOwners(ctx); err != nil {
				return 0, nil, err
			}
		}
		before := u.Etag
		if patch.Email != nil {
			u.Email = *patch.Email
		}
		if patch.DisplayName != nil {
			u.DisplayName = *patch.DisplayName
		}
		if patch.Active != nil {
			u.Active = *patch.Active
		}
		u.Etag, u.UpdatedAt = store.NewETag(), s.now()
		if err := store.Users.Update(ctx, q, u, before); err != nil {
			return 0, nil, err
		}
		if deactivating {
			if err := s.keepPlatformOwner(ctx, q, id); err != nil {
				return 0, nil, err
			}
		}
		return http.StatusOK, u, s.audit(ctx, q, r, "update", "user", id, before, u.Etag)
	})
}

// DeleteUser needs the admin role on the platform. The user's role assignments and API keys
// go with them (ON DELETE CASCADE); each assignment is recorded as revoked in the audit log.
// Callers cannot delete themselves, and the last platform owner cannot be deleted.
func (s *Server) DeleteUser(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteUserParams) {
	p := principal(r)
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		u, err := store.Users.Get(ctx, q, id)
		if err != nil {
			return 0, nil, notFoundAs(err, "user", id)
		}
		if err := s.mayManageUser(ctx, q, p, id, "deleting"); err != nil {
			return 0, nil, err
		}
		if p.UserID == id {
			return 0, nil, conflict("you cannot delete yourself: ask another platform admin to do it", id)
		}
		if err := checkETag(params.IfMatch, u.Etag); err != nil {
			return 0, nil, err
		}
		if err := q.LockPlatformOwners(ctx); err != nil {
			return 0, nil, err
		}
		grants, err := userAssignments(ctx, q, id, nil)
		if err != nil {
			return 0, nil, err
		}
		if err := store.Users.Delete(ctx, q, id, u.Etag); err != nil {
			return 0, nil, err
		}
		if err := s.keepPlatformOwner(ctx, q, id); err != nil {
			return 0, nil, err
		}
		for _, ra := range grants {
			if err := s.auditAccess(ctx, q, r, "delete", ra); err != nil {
				return 0, nil, err
			}
		}
		return http.StatusNoContent, nil, s.audit(ctx, q, r, "delete", "user", id, u.Etag, "")
	})
}

// mayManageUser refuses (403) a caller who may not change or delete user id: that needs the
// admin role on the platform, and the owner role when the user is a platform owner, so that
// admins cannot remove the people above them.
func (s *Server) mayManageUser(ctx context.Context, q *store.Q, p *store.Principal, id, doing string) error {
	if !platformAdmin(p) {
		return forbidden(doing + " users needs the admin role on the platform")
	}
	return mayActForOwner(ctx, q, p, id, doing)
}

// keepPlatformOwner undoes (by failing the transaction) a change that left the platform
// without an active owner: nobody could grant owner or admin again. Callers take
// LockPlatformOwners first so that concurrent removals see each other.
func (s *Server) keepPlatformOwner(ctx context.Context, q *store.Q, conflictingID string) error {
	n, err := q.CountPlatformOwners(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return conflict("this would leave the platform without an active owner; grant the owner role on the platform to another user first", conflictingID)
	}
	return nil
}

// userAssignments lists all of a user's role assignments, narrowed by filters.
func userAssignments(ctx context.Context, q *store.Q, userID string, filters []store.Filter) ([]api.RoleAssignment, error) {
	items, _, err := store.RoleAssignments.List(ctx, q, append(filters, store.Eq("user_id", userID)), store.Page{Size: store.MaxPageSize})
	return items, err
}
