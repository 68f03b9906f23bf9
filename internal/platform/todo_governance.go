package platform

// Not implemented yet: answers 501 until the handlers land. Delete a method here when you
// implement it elsewhere in the package.

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func (s *Server) ListClassificationPolicies(w http.ResponseWriter, r *http.Request, _ api.ListClassificationPoliciesParams) {
	notImplemented(w, r)
}

func (s *Server) CreateClassificationPolicy(w http.ResponseWriter, r *http.Request, _ api.CreateClassificationPolicyParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteClassificationPolicy(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteClassificationPolicyParams) {
	notImplemented(w, r)
}

func (s *Server) GetClassificationPolicy(w http.ResponseWriter, r *http.Request, _ api.ID) {
	notImplemented(w, r)
}

func (s *Server) PatchClassificationPolicy(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.PatchClassificationPolicyParams) {
	notImplemented(w, r)
}

func (s *Server) ReplaceClassificationPolicy(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.ReplaceClassificationPolicyParams) {
	notImplemented(w, r)
}

func (s *Server) ClassifyRecord(w http.ResponseWriter, r *http.Request, _ api.ClassifyRecordParams) {
	notImplemented(w, r)
}

func (s *Server) ListIntegrations(w http.ResponseWriter, r *http.Request, _ api.ListIntegrationsParams) {
	notImplemented(w, r)
}

func (s *Server) CreateIntegration(w http.ResponseWriter, r *http.Request, _ api.CreateIntegrationParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteIntegration(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteIntegrationParams) {
	notImplemented(w, r)
}

func (s *Server) GetIntegration(w http.ResponseWriter, r *http.Request, _ api.ID) {
	notImplemented(w, r)
}

func (s *Server) PatchIntegration(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.PatchIntegrationParams) {
	notImplemented(w, r)
}

func (s *Server) ReplaceIntegration(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.ReplaceIntegrationParams) {
	notImplemented(w, r)
}
