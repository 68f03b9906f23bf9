package platform

// Not implemented yet: answers 501 until the handlers land. Delete a method here when you
// implement it elsewhere in the package.

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func (s *Server) ListEventTypes(w http.ResponseWriter, r *http.Request) { notImplemented(w, r) }

func (s *Server) PublishEvent(w http.ResponseWriter, r *http.Request, _ api.PublishEventParams) {
	notImplemented(w, r)
}

func (s *Server) ListExecutions(w http.ResponseWriter, r *http.Request, _ api.ListExecutionsParams) {
	notImplemented(w, r)
}

func (s *Server) GetExecution(w http.ResponseWriter, r *http.Request, _ api.ID) { notImplemented(w, r) }

func (s *Server) CancelExecution(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.CancelExecutionParams) {
	notImplemented(w, r)
}
