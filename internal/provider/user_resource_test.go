package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

func TestAccUserResource(t *testing.T) {
	p := newAccPlatform(t)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	const addr = "lowcode_user.ada"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("lowcode_user", existsOnPlatform(p.API.GetUser)),
		Steps: []resource.TestStep{
			{
				Config: p.config(`
resource "lowcode_user" "ada" {
  email = "ada@example.com"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^usr_[0-9a-f]{32}$`))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("email"), knownvalue.StringExact("ada@example.com")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("etag"), knownvalue.NotNull()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("created_at"), knownvalue.NotNull()),
				},
			},
			{
				ResourceName:            addr,
				ImportState:             true,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"timeouts"},
			},
			{
				// Update in place through PATCH: same id, new values.
				Config: p.config(`
resource "lowcode_user" "ada" {
  email        = "ada.lovelace@example.com"
  display_name = "Ada Lovelace"
  active       = false
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("email"), knownvalue.StringExact("ada.lovelace@example.com")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringExact("Ada Lovelace")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(false)),
				},
			},
			{
				// Nothing changed: the plan is empty.
				Config: p.config(`
resource "lowcode_user" "ada" {
  email        = "ada.lovelace@example.com"
  display_name = "Ada Lovelace"
  active       = false
}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// Leaving the optional arguments out puts the defaults back.
				Config: p.config(`
resource "lowcode_user" "ada" {
  email = "ada.lovelace@example.com"
}`),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringExact("")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(true)),
				},
			},
		},
	})
}

func TestAccUserResource_drift(t *testing.T) {
	p := newAccPlatform(t)
	const addr = "lowcode_user.ada"
	config := p.config(`
resource "lowcode_user" "ada" {
  email        = "ada@example.com"
  display_name = "Ada Lovelace"
}`)
	ctx := context.Background()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: driftSteps(addr, config,
			func(id string) {
				name, active := "Countess of Lovelace", false
				if _, err := p.API.PatchUser(ctx, id, "", api.UserPatch{DisplayName: &name, Active: &active}); err != nil {
					t.Fatal(err)
				}
			},
			func(id string) {
				if err := p.API.DeleteUser(ctx, id, ""); err != nil {
					t.Fatal(err)
				}
			},
			// The update puts back both values changed by hand (active by its default).
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("display_name"), knownvalue.StringExact("Ada Lovelace")),
			plancheck.ExpectKnownValue(addr, tfjsonpath.New("active"), knownvalue.Bool(true)),
		),
	})
}

func TestAccUserResource_validation(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, body string
		want       *regexp.Regexp
	}{
		{"email with a name", `email = "Ada <ada@example.com>"`, regexp.MustCompile(`(?s)Invalid email address.*"Ada\s+<ada@example.com>" is\s+not an email address`)},
		{"not an email", `email = "ada"`, regexp.MustCompile(`(?s)"ada" is not an email address such as\s+ada@example.com`)},
		{"display name too long", `email = "ada@example.com"
  display_name = "` + strings.Repeat("a", 201) + `"`, regexp.MustCompile(`(?s)Attribute display_name UTF-8 character count must be at most 200`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: p.config(`resource "lowcode_user" "bad" {
  ` + tc.body + `
}`),
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

// TestAccUserResource_duplicateEmail shows the error a user sees when the email is taken.
func TestAccUserResource_duplicateEmail(t *testing.T) {
	p := newAccPlatform(t)
	p.NewUser("grace@example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`
resource "lowcode_user" "grace" {
  email = "Grace@example.com"
}`),
			ExpectError: regexp.MustCompile(`(?s)Error creating user.*user Grace@example.com: HTTP 409 Conflict`),
		}},
	})
}

// TestAccUserResource_refused shows what a user sees when the platform refuses a change for a
// reason of its own: here the provider's own user (the owner) deactivating themself.
func TestAccUserResource_refused(t *testing.T) {
	p := newAccPlatform(t)
	users, err := client.Collect(p.API.ListUsers(context.Background(), client.UserFilter{}))
	if err != nil || len(users) != 1 {
		t.Fatalf("listing the new platform's users: %v %v", users, err)
	}
	owner := users[0]
	me := func(active bool) string {
		return p.config(fmt.Sprintf(`
import {
  to = lowcode_user.me
  id = %q
}

resource "lowcode_user" "me" {
  email        = %q
  display_name = %q
  active       = %t
}`, owner.ID, owner.Email, owner.DisplayName, active))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: me(true)},
			{
				Config:      me(false),
				ExpectError: regexp.MustCompile(`(?s)Error updating user.*HTTP\s+409\s+Conflict:\s+you\s+cannot\s+deactivate\s+yourself.*The\s+platform\s+refused\s+the\s+change`),
			},
			{
				// Let go of the owner without deleting it, which the platform would refuse too.
				Config: p.config(`
removed {
  from = lowcode_user.me

  lifecycle {
    destroy = false
  }
}`),
			},
		},
	})
}
