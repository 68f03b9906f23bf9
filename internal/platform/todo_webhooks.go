package platform

// Not implemented yet: answers 501 until the handlers land. Delete a method here when you
// implement it elsewhere in the package.

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func (s *Server) ListWebhooks(w http.ResponseWriter, r *http.Request, _ api.ListWebhooksParams) {
	notImplemented(w, r)
}

func (s *Server) CreateWebhook(w http.ResponseWriter, r *http.Request, _ api.CreateWebhookParams) {
	notImplemented(w, r)
}

func (s *Server) DeleteWebhook(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.DeleteWebhookParams) {
	notImplemented(w, r)
}

func (s *Server) GetWebhook(w http.ResponseWriter, r *http.Request, _ api.ID) { notImplemented(w, r) }

func (s *Server) PatchWebhook(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.PatchWebhookParams) {
	notImplemented(w, r)
}

func (s *Server) ReplaceWebhook(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.ReplaceWebhookParams) {
	notImplemented(w, r)
}

func (s *Server) ListWebhookDeliveries(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.ListWebhookDeliveriesParams) {
	notImplemented(w, r)
}

func (s *Server) RotateWebhookSecret(w http.ResponseWriter, r *http.Request, _ api.ID, _ api.RotateWebhookSecretParams) {
	notImplemented(w, r)
}
