package platform_test

import (
	"context"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// Redaction covers every field of an execution that can echo data: with a need-to-know policy
// on ssn, a viewer without the grant sees neither the value nor an error or step error that
// quotes it; a validate step's own message stays readable, and an owner sees everything.
func TestSecurityRedactionCoversErrors(t *testing.T) {
	t.Parallel()
	platformtest.EachDialect(t, []platformtest.Option{fastRuntime()}, func(t *testing.T, inst *platformtest.Instance) {
		ctx := context.Background()
		owner := inst.Client
		app := createApp(t, owner, "order-management")
		if r := must(owner.CreateClassificationPolicyWithResponse(ctx, &api.CreateClassificationPolicyParams{}, api.ClassificationPolicyInput{
			Name: "ssn", ApplicationID: &app, Level: api.Restricted, Encryption: api.AtRestTransitFieldLevel,
			Access: api.NeedToKnow, FieldPatterns: []string{"**.ssn"}})); r.JSON201 == nil {
			t.Fatalf("policy: %d %s", r.StatusCode(), r.Body)
		}
		_, viewerKey := inst.NewUser("viewer@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: app})
		viewer := inst.ClientFor(viewerKey)
		const ssn = "123-45-6789"

		echoes := createWorkflow(t, owner, api.WorkflowInput{ApplicationID: app, Name: "echoes", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps: []api.WorkflowStep{{Name: "parse", Type: api.Transform,
				Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "n", Expression: "int(customer.ssn)"}}}}}})
		id := trigger(t, owner, echoes.ID, map[string]any{"customer": map[string]any{"ssn": ssn}})
		if exe := waitExecution(t, owner, id); exe.Status != api.ExecutionStatusFailed || !strings.Contains(deref(exe.Error), ssn) {
			t.Fatalf("the owner sees the error as it is: %s", mustJSON(t, exe))
		}
		got := must(viewer.GetExecutionWithResponse(ctx, id))
		if got.JSON200 == nil {
			t.Fatalf("viewer: %d %s", got.StatusCode(), got.Body)
		}
		if strings.Contains(string(got.Body), ssn) {
			t.Errorf("the viewer reads the classified value: %s", got.Body)
		}
		exe := got.JSON200
		if deref(exe.Error) != "[REDACTED]" || deref(exe.Steps[0].Error) != "[REDACTED]" {
			t.Errorf("errors: %s", got.Body)
		}
		if want := []string{"input.customer.ssn", "error", "steps[0].error"}; mustJSON(t, deref(exe.RedactedFields)) != mustJSON(t, want) {
			t.Errorf("redacted_fields %v, want %v", deref(exe.RedactedFields), want)
		}
		list := must(viewer.ListExecutionsWithResponse(ctx, &api.ListExecutionsParams{WorkflowID: &echoes.ID}))
		if list.JSON200 == nil || strings.Contains(string(list.Body), ssn) {
			t.Errorf("the viewer's list: %d %s", list.StatusCode(), list.Body)
		}

		// A validate step's message is the workflow's text, not data: it stays.
		checks := createWorkflow(t, owner, api.WorkflowInput{ApplicationID: app, Name: "checks", Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual},
			Steps: []api.WorkflowStep{{Name: "no-ssn", Type: api.Validate,
				Validate: &api.ValidateStep{Expression: "customer.ssn == ''", Message: "Orders must not carry an SSN"}}}})
		id = trigger(t, owner, checks.ID, map[string]any{"customer": map[string]any{"ssn": ssn}})
		waitExecution(t, owner, id)
		got = must(viewer.GetExecutionWithResponse(ctx, id))
		if got.JSON200 == nil || deref(got.JSON200.Error) != "Orders must not carry an SSN" || strings.Contains(string(got.Body), ssn) {
			t.Errorf("a validate message for the viewer: %d %s", got.StatusCode(), got.Body)
		}
	})
}
