package platform_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// TestPaginationAcross2500Objects pages through 2,500 applications over the API: every one
// exactly once, in order, in pages no larger than asked, on both databases.
func TestPaginationAcross2500Objects(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, nil, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		const n = 2500
		want := map[string]bool{}
		err := inst.Server.Store().Tx(ctx, func(q *store.Q) error {
			now := inst.Server.Now()
			for i := range n {
				app := api.Application{ID: store.NewID("app"), Name: fmt.Sprintf("app-%04d", i), Environment: api.Development,
					Version: "1.0.0", Labels: api.Labels{}, Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
				want[app.ID] = true
				if err := store.Applications.Create(ctx, q, &app); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		var token *string
		pages, last := 0, ""
		for {
			resp, err := inst.Client.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{PageSize: ptr(100), PageToken: token})
			if err != nil || resp.JSON200 == nil {
				t.Fatalf("page %d: %v %d %s", pages, err, resp.StatusCode(), resp.Body)
			}
			pages++
			if len(resp.JSON200.Items) > 100 {
				t.Fatalf("page %d has %d items", pages, len(resp.JSON200.Items))
			}
			for _, a := range resp.JSON200.Items {
				if seen[a.ID] || a.ID <= last {
					t.Fatalf("%s repeated or out of order on page %d", a.ID, pages)
				}
				seen[a.ID], last = true, a.ID
			}
			if resp.JSON200.NextPageToken == "" {
				break
			}
			token = &resp.JSON200.NextPageToken
		}
		if len(seen) != n || pages != n/100 {
			t.Fatalf("saw %d applications in %d pages, want %d in %d", len(seen), pages, n, n/100)
		}
		for id := range want {
			if !seen[id] {
				t.Fatalf("%s was never listed", id)
			}
		}
		bad, _ := inst.Client.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{PageToken: ptr("forged")})
		if bad.StatusCode() != http.StatusBadRequest {
			t.Fatalf("a forged page token: %d, want 400", bad.StatusCode())
		}
	})
}
