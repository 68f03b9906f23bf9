package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
)

// mixedFleet is a configuration body of many resources of several types, the load of the
// reliability tests. Webhooks hang off applications, so creation has dependencies too.
type mixedFleet struct {
	Applications, Integrations, Users, Webhooks int
}

// fleet200 is the 200-object mix the fault and crash tests apply.
var fleet200 = mixedFleet{Applications: 80, Integrations: 50, Users: 40, Webhooks: 30}

func (f mixedFleet) Total() int { return f.Applications + f.Integrations + f.Users + f.Webhooks }

// HCL renders the resources; prefix keeps names unique when several fleets share a platform.
func (f mixedFleet) HCL(prefix string) string {
	return fmt.Sprintf(`
resource "lowcode_application" "app" {
  count       = %[2]d
  name        = "%[1]sapp-${count.index}"
  environment = "production"
  version     = "1.0.${count.index}"
  labels      = { fleet = "reliability" }
}

resource "lowcode_custom_integration" "integration" {
  count       = %[3]d
  name        = "%[1]sintegration-${count.index}"
  code_repo   = "github.com/company/integration-${count.index}"
  api_version = "v2"
}

resource "lowcode_user" "user" {
  count        = %[4]d
  email        = "%[1]suser-${count.index}@example.com"
  display_name = "User ${count.index}"
}

resource "lowcode_webhook" "hook" {
  count          = %[5]d
  application_id = lowcode_application.app[count.index].id
  event_types    = ["order.created"]
  callback_url   = "https://hooks.example.com/%[1]shook-${count.index}"
}
`, prefix, f.Applications, f.Integrations, f.Users, f.Webhooks)
}

// fleetCounts is how many objects of each kind the platform holds, asked directly (not
// through any proxy).
type fleetCounts struct {
	Applications, Integrations, Users, Webhooks int
	// ids are every object's id, to find duplicates and check acknowledged writes.
	ids map[string]bool
	// names counts objects per natural key (name or email), so a duplicate shows.
	names map[string]int
}

func (c fleetCounts) Total() int { return c.Applications + c.Integrations + c.Users + c.Webhooks }

func (c fleetCounts) String() string {
	return fmt.Sprintf("%d applications, %d integrations, %d users, %d webhooks (%d in all)",
		c.Applications, c.Integrations, c.Users, c.Webhooks, c.Total())
}

// duplicates lists the natural keys held by more than one object.
func (c fleetCounts) duplicates() []string {
	var d []string
	for k, n := range c.names {
		if n > 1 {
			d = append(d, fmt.Sprintf("%s ×%d", k, n))
		}
	}
	return d
}

// countFleet counts what the platform holds, leaving out the bootstrap owner.
func countFleet(ctx context.Context, c *client.Client) (fleetCounts, error) {
	out := fleetCounts{ids: map[string]bool{}, names: map[string]int{}}
	add := func(id, key string) {
		out.ids[id] = true
		out.names[key]++
	}
	for a, err := range c.ListApplications(ctx, client.ApplicationFilter{PageSize: 1000}) {
		if err != nil {
			return out, err
		}
		out.Applications++
		add(a.ID, "application "+a.Name)
	}
	for in, err := range c.ListIntegrations(ctx, client.IntegrationFilter{PageSize: 1000}) {
		if err != nil {
			return out, err
		}
		out.Integrations++
		add(in.ID, "integration "+in.Name)
	}
	for u, err := range c.ListUsers(ctx, client.UserFilter{PageSize: 1000}) {
		if err != nil {
			return out, err
		}
		if u.Email == platform.BootstrapEmail {
			continue
		}
		out.Users++
		add(u.ID, "user "+u.Email)
	}
	for w, err := range c.ListWebhooks(ctx, client.WebhookFilter{PageSize: 1000}) {
		if err != nil {
			return out, err
		}
		out.Webhooks++
		add(w.ID, "webhook "+w.CallbackURL)
	}
	return out, nil
}

// requireFleet fails the test unless the platform holds exactly the fleet, each object once.
func requireFleet(t *testing.T, ctx context.Context, c *client.Client, want mixedFleet) fleetCounts {
	t.Helper()
	got, err := countFleet(ctx, c)
	if err != nil {
		t.Fatalf("counting the platform's objects: %v", err)
	}
	if d := got.duplicates(); len(d) > 0 {
		t.Errorf("duplicates on the platform: %v", d)
	}
	if got.Applications != want.Applications || got.Integrations != want.Integrations || got.Users != want.Users || got.Webhooks != want.Webhooks {
		t.Errorf("the platform holds %s; want %d applications, %d integrations, %d users, %d webhooks",
			got, want.Applications, want.Integrations, want.Users, want.Webhooks)
	}
	return got
}
