package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// TestAccReliability_racingWriterGets412 races a direct API write against Terraform's: just
// before Terraform's update of an application reaches the platform, someone else PATCHes its
// description with If-Match. Terraform's write carries the etag it planned with, so it gets
// 412 and a diagnostic saying the object changed, instead of overwriting the other change
// unseen; the other change is still there; a new plan shows it and the apply after that
// sets Terraform's values. The other way round, a direct writer holding the etag from before
// Terraform's update gets 412 too.
func TestAccReliability_racingWriterGets412(t *testing.T) {
	p := newAccPlatform(t)
	ctx := context.Background()
	const addr = "lowcode_application.race"

	var armed atomic.Bool
	var raced atomic.Int32
	target, _ := url.Parse(p.URL)
	forward := httputil.NewSingleHostReverseProxy(target)
	gate := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if (r.Method == http.MethodPut || r.Method == http.MethodPatch) && strings.HasPrefix(r.URL.Path, "/api/v1/applications/") &&
			armed.CompareAndSwap(true, false) {
			id := strings.TrimPrefix(r.URL.Path, "/api/v1/applications/")
			app, err := p.API.GetApplication(ctx, id)
			if err == nil {
				_, err = p.API.PatchApplication(ctx, id, app.Etag, api.ApplicationPatch{Description: new("changed by hand")})
			}
			if err != nil {
				t.Errorf("the racing PATCH failed: %v", err)
			} else {
				raced.Add(1)
			}
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(gate.Close)

	config := func(version string) string {
		return fmt.Sprintf(`
provider "lowcode" {
  endpoint = %q
  api_key  = %q
}

resource "lowcode_application" "race" {
  name        = "race"
  environment = "production"
  version     = %q
  description = "managed by terraform"
}
`, gate.URL, p.OwnerKey, version)
	}
	var id, etagBeforeUpdate string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("1.0.0"),
				Check:  captureID(addr, &id),
			},
			{
				// The PATCH lands between Terraform's plan and its PUT.
				PreConfig:   func() { armed.Store(true) },
				Config:      config("1.1.0"),
				ExpectError: regexp.MustCompile(`(?s)412.*changed\s+outside\s+Terraform`),
			},
			{
				// Nothing was lost: the hand-made change is there and Terraform's was refused.
				// The plan shows the drift and the version; the apply then sets both.
				PreConfig: func() {
					if raced.Load() != 1 {
						t.Fatalf("the racing PATCH ran %d times, want 1", raced.Load())
					}
					app, err := p.API.GetApplication(ctx, id)
					if err != nil {
						t.Fatal(err)
					}
					if app.Description != "changed by hand" || app.Version != "1.0.0" {
						t.Fatalf("after the 412 the platform holds description %q version %s; want the racing change kept and Terraform's refused",
							app.Description, app.Version)
					}
					etagBeforeUpdate = app.Etag
				},
				Config: config("1.1.0"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("version"), knownvalue.StringExact("1.1.0")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("managed by terraform")),
				},
				Check: func(*terraform.State) error {
					// A direct writer still holding the etag from before Terraform's update is refused.
					_, err := p.API.PatchApplication(ctx, id, etagBeforeUpdate, api.ApplicationPatch{Description: new("stale write")})
					if !errors.Is(err, client.ErrPreconditionFailed) {
						return fmt.Errorf("a PATCH with the pre-update etag got %v, want 412", err)
					}
					app, err := p.API.GetApplication(ctx, id)
					if err != nil {
						return err
					}
					if app.Version != "1.1.0" || app.Description != "managed by terraform" {
						return fmt.Errorf("the platform holds version %s description %q, want Terraform's values", app.Version, app.Description)
					}
					return nil
				},
			},
		},
	})
}

// TestAccReliability_twoConfigsSameName runs two Terraform configurations, each with its own
// state, that both create an application named the same, at the same time. Exactly one wins;
// the other fails with 409 and a diagnostic naming the winner's id, so the user can import
// it; the loser's state holds nothing and the platform holds one application.
func TestAccReliability_twoConfigsSameName(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Terraform CLI")
	}
	p := newAccPlatform(t)
	dirs := []*tfcli.Dir{tfcli.New(t), tfcli.New(t)}
	for i, d := range dirs {
		d.Write(p.config(fmt.Sprintf(`
resource "lowcode_application" "shared" {
  name        = "shared-name"
  environment = "production"
  version     = "1.0.0"
  description = "config %d"
}
`, i)))
	}
	results := make([]tfcli.Result, len(dirs))
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Go(func() { results[i] = d.Apply() })
	}
	wg.Wait()

	var apps []api.Application
	for a, err := range p.API.ListApplications(context.Background(), client.ApplicationFilter{Name: "shared-name"}) {
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
	}
	if len(apps) != 1 {
		t.Fatalf("the platform holds %d applications named shared-name, want 1", len(apps))
	}
	winner := slices.IndexFunc(results, func(r tfcli.Result) bool { return r.Code == 0 })
	if winner < 0 || results[1-winner].Code == 0 {
		t.Fatalf("want exactly one apply to succeed:\n%s\n%s", results[0], results[1])
	}
	loser := results[1-winner]
	if ids := stateIDs(t, dirs[winner].Path); len(ids) != 1 || ids[apps[0].ID] == "" {
		t.Errorf("the winner's state holds %v, want %s", ids, apps[0].ID)
	}
	msg := strings.Join(strings.Fields(loser.Stderr), " ")
	for _, want := range []string{"HTTP 409", "conflicting id " + apps[0].ID, "terraform import"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the losing apply's diagnostic lacks %q:\n%s", want, loser.Stderr)
		}
	}
	if ids := stateIDs(t, dirs[1-winner].Path); len(ids) != 0 {
		t.Errorf("the loser's state holds %v, want nothing", ids)
	}
}

// TestAccReliability_twoConfigsSameObject runs, several times over, two Terraform
// configurations that both manage one existing application (imported by id) with different
// descriptions, applied at the same time. Each apply must either succeed or fail with a clear
// 412; and no update may be silently lost, which the audit log proves: its update records of
// the application form one chain (each one's etag_before is the previous one's etag_after),
// so no write was ever made over a version its writer had not seen.
func TestAccReliability_twoConfigsSameObject(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Terraform CLI")
	}
	p := newAccPlatform(t)
	ctx := context.Background()
	app, err := p.API.CreateApplication(ctx, api.ApplicationInput{Name: "contended", Environment: api.Production, Version: "1.0.0"})
	if err != nil {
		t.Fatal(err)
	}
	dirs := []*tfcli.Dir{tfcli.New(t), tfcli.New(t)}
	successes, refusals := 0, 0
	for round := range 3 {
		for i, d := range dirs {
			d.Write(p.config(fmt.Sprintf(`
import {
  to = lowcode_application.contended
  id = %q
}

resource "lowcode_application" "contended" {
  name        = "contended"
  environment = "production"
  version     = "1.0.0"
  description = "round %d, config %d"
}
`, app.ID, round, i)))
		}
		results := make([]tfcli.Result, len(dirs))
		var wg sync.WaitGroup
		for i, d := range dirs {
			wg.Go(func() { results[i] = d.Apply() })
		}
		wg.Wait()
		for _, r := range results {
			switch msg := strings.Join(strings.Fields(r.Stderr), " "); {
			case r.Code == 0:
				successes++
			case strings.Contains(msg, "HTTP 412") && strings.Contains(msg, "changed outside Terraform"):
				refusals++
			default:
				t.Fatalf("an apply failed without a clear 412:\n%s", r)
			}
		}
	}
	t.Logf("%d applies succeeded, %d were refused with 412", successes, refusals)

	// The audit chain of the application's updates is linear.
	var events []api.AuditEvent
	for e, err := range p.API.ListAuditEvents(ctx, client.AuditEventFilter{ObjectID: app.ID}) {
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	slices.SortFunc(events, func(a, b api.AuditEvent) int { return a.At.Compare(b.At) })
	seen := map[string]bool{}
	updates := 0
	etag := app.Etag
	for _, e := range events {
		if e.Action != "update" {
			continue
		}
		updates++
		before := deref(e.EtagBefore)
		if seen[before] {
			t.Errorf("two updates were made over version %s: one of them was lost", before)
		}
		seen[before] = true
		if before != etag {
			t.Errorf("update %s was made over version %s, but the current version was %s", e.ID, before, etag)
		}
		etag = deref(e.EtagAfter)
	}
	// Each successful apply updated the description once (imports and refreshes write nothing).
	if updates != successes {
		t.Errorf("%d updates in the audit log for %d successful applies", updates, successes)
	}
	final, err := p.API.GetApplication(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.Etag != etag {
		t.Errorf("the application is at version %s, but the audit chain ends at %s", final.Etag, etag)
	}
}
