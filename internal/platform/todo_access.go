package platform

// Not implemented yet: answers 501 until the handlers land. Delete a method here when you
// implement it elsewhere in the package.

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func (s *Server) CreateAPIToken(w http.ResponseWriter, r *http.Request, _ api.CreateAPITokenParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteAPIToken(w http.ResponseWriter, r *http.Request, _ api.ID) {
	notImplemented(w, r)
}

func (s *Server) ListRoleAssignments(w http.ResponseWriter, r *http.Request, _ api.ListRoleAssignmentsParams) {
	notImplemented(w, r)
}

func (s *Server) CreateRoleAssignment(w http.ResponseWriter, r *http.Request, _ api.CreateRoleAssignmentParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteRoleAssignment(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteRoleAssignmentParams) {
	notImplemented(w, r)
}

func (s *Server) GetRoleAssignment(w http.ResponseWriter, r *http.Request, _ api.ID) {
	notImplemented(w, r)
}

func (s *Server) ListUsers(w http.ResponseWriter, r *http.Request, _ api.ListUsersParams) {
	notImplemented(w, r)
}

func (s *Server) CreateUser(w http.ResponseWriter, r *http.Request, _ api.CreateUserParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteUser(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteUserParams) {
	notImplemented(w, r)
}

func (s *Server) GetUser(w http.ResponseWriter, r *http.Request, _ api.ID) { notImplemented(w, r) }

func (s *Server) PatchUser(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.PatchUserParams) {
	notImplemented(w, r)
}

func (s *Server) GetUserAccess(w http.ResponseWriter, r *http.Request, _ api.ID) {
	notImplemented(w, r)
}

func (s *Server) RevokeUserAccess(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.RevokeUserAccessParams) {
	notImplemented(w, r)
}
