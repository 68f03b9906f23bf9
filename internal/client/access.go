package client

import (
	"context"
	"iter"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// UserFilter narrows ListUsers; zero fields do not filter.
type UserFilter struct {
	Email    string
	PageSize int // 0 means DefaultPageSize
}

// ListUsers yields users, page by page.
func (c *Client) ListUsers(ctx context.Context, f UserFilter) iter.Seq2[api.User, error] {
	return paginate[api.User](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListUsers(ctx, &api.ListUsersParams{PageSize: size, PageToken: token, Email: opt(f.Email)})
	})
}

// CreateUser creates a user.
func (c *Client) CreateUser(ctx context.Context, in api.UserInput) (*api.User, error) {
	return decode[api.User](c.api.CreateUser(ctx, &api.CreateUserParams{IdempotencyKey: newKey()}, in))
}

// GetUser reads a user.
func (c *Client) GetUser(ctx context.Context, id string) (*api.User, error) {
	return readThrough(ctx, c.readAhead, listing[api.User]{kind: "users", id: func(v *api.User) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListUsers(ctx, &api.ListUsersParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.User, error) { return decode[api.User](c.api.GetUser(ctx, id)) })
}

// PatchUser changes the fields set in patch if the etag is still etag (empty:
// unconditionally). Users have no replace operation.
func (c *Client) PatchUser(ctx context.Context, id, etag string, patch api.UserPatch) (*api.User, error) {
	return decode[api.User](c.api.PatchUser(ctx, id,
		&api.PatchUserParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}, patch))
}

// DeleteUser deletes a user, with their role assignments and API tokens, if the etag is still
// etag (empty: unconditionally).
func (c *Client) DeleteUser(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteUser(ctx, id,
		&api.DeleteUserParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}

// GetUserAccess reads a user's effective grants and the history of changes to them.
func (c *Client) GetUserAccess(ctx context.Context, userID string) (*api.UserAccess, error) {
	return decode[api.UserAccess](c.api.GetUserAccess(ctx, userID))
}

// RevokeUserAccess deletes a user's role assignments: all of them, or those at in.Scope.
func (c *Client) RevokeUserAccess(ctx context.Context, userID string, in api.RevokeAccessRequest) (*api.RevokeAccessResponse, error) {
	return decode[api.RevokeAccessResponse](c.api.RevokeUserAccess(ctx, userID, &api.RevokeUserAccessParams{IdempotencyKey: newKey()}, in))
}

// RoleAssignmentFilter narrows ListRoleAssignments; zero fields do not filter.
type RoleAssignmentFilter struct {
	UserID    string
	Role      api.Role
	ScopeType api.ScopeType
	ScopeID   string
	PageSize  int // 0 means DefaultPageSize
}

// ListRoleAssignments yields role assignments, page by page.
func (c *Client) ListRoleAssignments(ctx context.Context, f RoleAssignmentFilter) iter.Seq2[api.RoleAssignment, error] {
	return paginate[api.RoleAssignment](ctx, f.PageSize, func(ctx context.Context, size *int, token *string) (*http.Response, error) {
		return c.api.ListRoleAssignments(ctx, &api.ListRoleAssignmentsParams{PageSize: size, PageToken: token,
			UserID: opt(f.UserID), Role: opt(f.Role), ScopeType: opt(f.ScopeType), ScopeID: opt(f.ScopeID)})
	})
}

// CreateRoleAssignment grants a role at a scope. The same grant twice is ErrConflict, with the
// existing assignment's id in the error's Problem.ConflictingID.
func (c *Client) CreateRoleAssignment(ctx context.Context, in api.RoleAssignmentInput) (*api.RoleAssignment, error) {
	return decode[api.RoleAssignment](c.api.CreateRoleAssignment(ctx, &api.CreateRoleAssignmentParams{IdempotencyKey: newKey()}, in))
}

// GetRoleAssignment reads a role assignment.
func (c *Client) GetRoleAssignment(ctx context.Context, id string) (*api.RoleAssignment, error) {
	return readThrough(ctx, c.readAhead, listing[api.RoleAssignment]{kind: "role-assignments", id: func(v *api.RoleAssignment) string { return v.ID },
		list: func(ctx context.Context, size *int, token *string) (*http.Response, error) {
			return c.api.ListRoleAssignments(ctx, &api.ListRoleAssignmentsParams{PageSize: size, PageToken: token})
		}}, id, func() (*api.RoleAssignment, error) {
		return decode[api.RoleAssignment](c.api.GetRoleAssignment(ctx, id))
	})
}

// DeleteRoleAssignment revokes a role assignment if its etag is still etag (empty:
// unconditionally). Role assignments cannot be changed, only replaced.
func (c *Client) DeleteRoleAssignment(ctx context.Context, id, etag string) error {
	return discard(c.api.DeleteRoleAssignment(ctx, id,
		&api.DeleteRoleAssignmentParams{IfMatch: ifMatch(etag), IdempotencyKey: newKey()}))
}
