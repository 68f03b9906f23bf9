package platform

import (
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// ListAuditEvents lists the audit log, newest first. Platform admins read all of it; other
// callers read only their own actions: their actor filter is forced, so asking for another
// actor's events answers an empty list rather than revealing whether there are any.
func (s *Server) ListAuditEvents(w http.ResponseWriter, r *http.Request, params api.ListAuditEventsParams) {
	var filters []store.Filter
	if p := principal(r); !platformAdmin(p) {
		filters = append(filters, store.Eq("actor_id", p.UserID))
	}
	for _, f := range []struct {
		column string
		value  *string
	}{{"actor_id", params.ActorID}, {"object_id", params.ObjectID}, {"object_type", params.ObjectType}} {
		if f.value != nil {
			filters = append(filters, store.Eq(f.column, *f.value))
		}
	}
	writeList(s, w, r, store.AuditEvents, filters, page(params.PageSize, params.PageToken))
}
