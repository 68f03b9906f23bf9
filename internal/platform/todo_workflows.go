package platform

// Not implemented yet: answers 501 until the handlers land. Delete a method here when you
// implement it elsewhere in the package.

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func (s *Server) ListWorkflows(w http.ResponseWriter, r *http.Request, _ api.ListWorkflowsParams) {
	notImplemented(w, r)
}

func (s *Server) CreateWorkflow(w http.ResponseWriter, r *http.Request, _ api.CreateWorkflowParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteWorkflow(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteWorkflowParams) {
	notImplemented(w, r)
}

func (s *Server) GetWorkflow(w http.ResponseWriter, r *http.Request, _ api.ID) { notImplemented(w, r) }

func (s *Server) PatchWorkflow(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.PatchWorkflowParams) {
	notImplemented(w, r)
}

func (s *Server) ReplaceWorkflow(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.ReplaceWorkflowParams) {
	notImplemented(w, r)
}

func (s *Server) GetWorkflowMetrics(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.GetWorkflowMetricsParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteMonitoringTarget(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteMonitoringTargetParams) {
	notImplemented(w, r)
}

func (s *Server) GetMonitoringTarget(w http.ResponseWriter, r *http.Request, _ api.ID) {
	notImplemented(w, r)
}

func (s *Server) PutMonitoringTarget(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.PutMonitoringTargetParams) {
	notImplemented(w, r)
}

func (s *Server) TriggerWorkflow(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.TriggerWorkflowParams) {
	notImplemented(w, r)
}
