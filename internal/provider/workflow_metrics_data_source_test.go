package provider

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccRuntimeDataSources_errors(t *testing.T) {
	p := newAccPlatform(t)
	cases := []struct {
		name, config string
		want         *regexp.Regexp
	}{
		{"window without a unit", `data "lowcode_workflow_metrics" "x" {
  workflow_id = "wf_1"
  window      = "60"
}`, regexp.MustCompile(`(?s)Invalid window.*"60" is not a duration: use a number and a unit`)},
		{"window too long", `data "lowcode_workflow_metrics" "x" {
  workflow_id = "wf_1"
  window      = "1000h"
}`, regexp.MustCompile(`(?s)Invalid window.*"1000h" is out of range: use a duration from 1m to 720h`)},
		{"metrics of no workflow", `data "lowcode_workflow_metrics" "x" {
  workflow_id = "wf_00000000000000000000000000000000"
}`, regexp.MustCompile(`(?s)Workflow not found.*There is no workflow with workflow_id`)},
		{"no such execution", `data "lowcode_workflow_execution" "x" {
  id = "exe_00000000000000000000000000000000"
}`, regexp.MustCompile(`(?s)Execution not found.*There is no execution with id\s+"exe_00000000000000000000000000000000"`)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: p.config(tc.config), ExpectError: tc.want}},
			})
		})
	}
}
