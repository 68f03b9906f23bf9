package platform

// Not implemented yet: answers 501 until the handlers land. Delete a method here when you
// implement it elsewhere in the package.

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func (s *Server) TriggerWorkflow(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.TriggerWorkflowParams) {
	notImplemented(w, r)
}
