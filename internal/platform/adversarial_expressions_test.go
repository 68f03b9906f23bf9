package platform_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// TestAdversarialExpressions saves, through the API, workflows whose expressions are memory
// bombs and CPU bombs (builtins that would allocate gigabytes or run for hours, patterns that
// would take seconds), triggers them all at once, and checks what a hostile workflow author
// must not achieve: the server stays up and keeps serving, each bad execution fails with a
// message naming the limit it hit, and another application's trivial execution succeeds.
func TestAdversarialExpressions(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, fastRuntime())
	c := inst.Client
	evil := createApp(t, c, "adversarial")
	victim := createApp(t, c, "victim")

	const (
		memLimit  = `the limit is 4194304 bytes per expression`
		stepLimit = `1000000 steps per expression|ran longer than 100ms`
	)
	transform := func(exprs ...string) api.WorkflowStep {
		set := make([]api.TransformAssignment, len(exprs))
		for i, e := range exprs {
			set[i] = api.TransformAssignment{Field: fmt.Sprintf("f%d", i), Expression: e}
		}
		return api.WorkflowStep{Name: "bomb", Type: api.Transform, Transform: &api.TransformStep{Set: set}}
	}
	threeMB := `len(repeat("xxx", 1000000))`
	cases := []struct {
		name    string
		step    api.WorkflowStep
		input   map[string]any
		wantErr string
	}{
		{"nested repeat", transform(`repeat(repeat("x", 500000), 1000000)`), nil,
			`repeat would allocate 500000000000 bytes; ` + memLimit},
		{"replace growth", transform(`replace(repeat("x", 100000), "x", repeat("y", 1000))`), nil,
			`replace would allocate \d+ bytes; ` + memLimit},
		{"concat doubling in reduce", transform(`len(reduce(1..40, #acc + #acc, "x"))`), nil, memLimit + "|ran longer than 100ms"},
		{"toJSON of shared arrays", transform(`let a = 1..100; let b = [a,a,a,a,a,a,a,a,a,a]; let c = [b,b,b,b,b,b,b,b,b,b]; let d = [c,c,c,c,c,c,c,c,c,c]; len(toJSON([d,d,d,d,d,d,d,d,d,d]))`), nil,
			`toJSON would allocate \d+ bytes; ` + memLimit},
		{"uniq of arrays (quadratic)", transform(`len(uniq(map(1..5000, [#])))`), nil, stepLimit},
		{"sortBy over a large range", transform(`len(sortBy(1..30000, -#))`), nil, stepLimit},
		{"groupBy over a large range", transform(`len(groupBy(1..100000, #))`), nil, stepLimit},
		{"huge range", transform(`len(1..1000000000)`), nil, `the range 1..1000000000 would allocate 8000000000 bytes; ` + memLimit},
		{"a pattern from the input too long", api.WorkflowStep{Name: "bomb", Type: api.Validate, Validate: &api.ValidateStep{
			Expression: `text matches pattern`, Message: "no match"}},
			map[string]any{"text": "abc", "pattern": strings.Repeat("(a|b)", 400)}, `the pattern of matches is 2000 bytes long; the limit is 1000 bytes`},
		{"a big pattern over a big input", api.WorkflowStep{Name: "bomb", Type: api.Validate, Validate: &api.ValidateStep{
			Expression: `repeat(text, 2000) matches pattern`, Message: "no match"}},
			map[string]any{"text": strings.Repeat("ab", 100), "pattern": strings.Repeat("(a|b)", 150)}, `matching a pattern of \d+ instructions against 400000 bytes would take \d+ steps`},
		{"emit data that builds a huge string", api.WorkflowStep{Name: "bomb", Type: api.Emit, Emit: &api.EmitStep{
			EventType: "adversarial.boom", Data: ptr(`{"blob": repeat(repeat("ab", 2000), 2000)}`)}}, nil,
			`repeat would allocate 8000000 bytes; ` + memLimit},
		{"a step's fields together past the step's budget", transform(threeMB, threeMB, threeMB, threeMB, threeMB, threeMB), nil,
			`the limit is 16777216 bytes per step \(all expressions of the step together\)|ran longer than 100ms`},
	}
	ids := make([]string, len(cases))
	for i, tc := range cases {
		wf := createWorkflow(t, c, api.WorkflowInput{ApplicationID: evil, Name: fmt.Sprintf("bomb-%d", i), Version: "1.0.0",
			Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: []api.WorkflowStep{tc.step}})
		ids[i] = trigger(t, c, wf.ID, tc.input)
	}
	trivial := createWorkflow(t, c, api.WorkflowInput{ApplicationID: victim, Name: "trivial", Version: "1.0.0",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: []api.WorkflowStep{{Name: "check", Type: api.Validate,
			Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "too much"}}}})
	victimRun := trigger(t, c, trivial.ID, map[string]any{"amount": 5})

	for i, tc := range cases {
		exe := waitExecution(t, c, ids[i])
		if exe.Status != api.ExecutionStatusFailed || !regexp.MustCompile(tc.wantErr).MatchString(deref(exe.Error)) {
			t.Errorf("%s: %s, want a failure matching %q", tc.name, mustJSON(t, exe), tc.wantErr)
		}
		if d := stepDuration(exe); d > 2*time.Second {
			t.Errorf("%s: the step ran %s, want it stopped well within the expression's bounds", tc.name, d)
		}
	}
	if exe := waitExecution(t, c, victimRun); exe.Status != api.ExecutionStatusSucceeded {
		t.Errorf("the other application's trivial execution: %s, want succeeded", mustJSON(t, exe))
	}
	// The server still serves.
	if status, body := secCall(t, inst, inst.OwnerKey, "GET", "/applications", nil); status != http.StatusOK {
		t.Errorf("GET /applications after the bombs: %d %.300s", status, body)
	}
	again := trigger(t, c, trivial.ID, map[string]any{"amount": 5})
	if exe := waitExecution(t, c, again); exe.Status != api.ExecutionStatusSucceeded {
		t.Errorf("a trivial execution after the bombs: %s, want succeeded", mustJSON(t, exe))
	}
}

// stepDuration is the longest step of an execution.
func stepDuration(exe api.Execution) time.Duration {
	var longest time.Duration
	for _, s := range exe.Steps {
		if s.DurationMs != nil {
			longest = max(longest, time.Duration(*s.DurationMs)*time.Millisecond)
		}
	}
	return longest
}
