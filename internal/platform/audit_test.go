package platform_test

import (
	"context"
	"slices"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

func listAudit(t *testing.T, c *api.ClientWithResponses, params api.ListAuditEventsParams) []api.AuditEvent {
	t.Helper()
	resp := must(c.ListAuditEventsWithResponse(context.Background(), &params))
	if resp.JSON200 == nil {
		t.Fatalf("listing audit events: %d %s", resp.StatusCode(), resp.Body)
	}
	return resp.JSON200.Items
}

// auditSummary is "actor action object_type object_id" for each event.
func auditSummary(events []api.AuditEvent) []string {
	out := []string{}
	for _, e := range events {
		out = append(out, e.ActorID+" "+e.Action+" "+e.ObjectType+" "+e.ObjectID)
	}
	return out
}

func TestAuditEvents(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		owner := inst.Client
		ownerID := ownerID(t, inst)
		editorID, editorKey := inst.NewUser("editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypePlatform})
		_, adminKey := inst.NewUser("admin@example.com", platformtest.Grant{Role: api.Admin, ScopeType: api.ScopeTypePlatform})
		editor, admin := inst.ClientFor(editorKey), inst.ClientFor(adminKey)

		appID := createApp(t, owner, "order-management")
		mine := createApp(t, editor, "billing")
		user := createUser(t, owner, "ada@example.com")

		// Platform admins read everything, newest first, including the bootstrap.
		all := auditSummary(listAudit(t, admin, api.ListAuditEventsParams{}))
		head := []string{ownerID + " create user " + user.ID, editorID + " create application " + mine, ownerID + " create application " + appID}
		if len(all) != 5 || !slices.Equal(all[:3], head) || all[4] != "system create user "+ownerID {
			t.Errorf("admin reads\n%v", all)
		}
		if got := auditSummary(listAudit(t, admin, api.ListAuditEventsParams{ActorID: &ownerID, ObjectType: ptr("application")})); !slices.Equal(got, head[2:]) {
			t.Errorf("filtered by actor and type: %v", got)
		}
		if got := auditSummary(listAudit(t, admin, api.ListAuditEventsParams{ObjectID: &mine})); !slices.Equal(got, head[1:2]) {
			t.Errorf("filtered by object: %v", got)
		}
		// Pages keep the order.
		first := must(admin.ListAuditEventsWithResponse(context.Background(), &api.ListAuditEventsParams{PageSize: ptr(2)}))
		if first.JSON200 == nil || first.JSON200.NextPageToken == "" {
			t.Fatalf("first page: %s", first.Body)
		}
		second := listAudit(t, admin, api.ListAuditEventsParams{PageSize: ptr(2), PageToken: &first.JSON200.NextPageToken})
		if got := auditSummary(append(first.JSON200.Items, second...)); !slices.Equal(got, all[:4]) {
			t.Errorf("paged: %v", got)
		}

		// Everyone else reads their own actions only; asking for another actor's is empty.
		if got := auditSummary(listAudit(t, editor, api.ListAuditEventsParams{})); !slices.Equal(got, head[1:2]) {
			t.Errorf("editor reads %v", got)
		}
		if got := listAudit(t, editor, api.ListAuditEventsParams{ActorID: &ownerID}); len(got) != 0 {
			t.Errorf("editor reads the owner's actions: %v", auditSummary(got))
		}
		if got := listAudit(t, editor, api.ListAuditEventsParams{ObjectID: &appID}); len(got) != 0 {
			t.Errorf("editor reads others' actions on an object: %v", auditSummary(got))
		}
	})
}
