package classification

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// Redaction: what a caller sees of classified data. Which policies a caller may see is the
// authorization package's decision (authz.SeesData); this file applies it to documents.

// Redact returns a deep copy of doc in which every field whose deciding
// (highest-level) policy canSee refuses is replaced, whole subtree and
// all, by Redacted, and the sorted, distinct paths it replaced. When
// policies of the same highest level tie, the field is redacted unless the
// caller can see all of them. doc is never modified; values other than
// JSON objects and arrays are copied as they are.
func Redact(doc any, policies []api.ClassificationPolicy, canSee func(p api.ClassificationPolicy) bool) (any, []string) {
	compiled := compilePolicies(policies)
	redacted := map[string]bool{}
	var walk func(v any, path []string) any
	walk = func(v any, path []string) any {
		switch x := v.(type) {
		case map[string]any:
			out := make(map[string]any, len(x))
			for k, child := range x {
				p := append(path[:len(path):len(path)], k)
				if m, ok := decide(compiled, p); ok && !visible(m, canSee) {
					out[k] = Redacted
					redacted[strings.Join(p, ".")] = true
					continue
				}
				out[k] = walk(child, p)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, child := range x {
				out[i] = walk(child, path)
			}
			return out
		}
		return v
	}
	out := walk(doc, nil)
	paths := make([]string, 0, len(redacted))
	for p := range redacted {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	return out, paths
}

func visible(m match, canSee func(api.ClassificationPolicy) bool) bool {
	for _, cp := range m.tied {
		if !canSee(cp.policy) {
			return false
		}
	}
	return true
}

// RedactExecution masks, in place, the fields of an execution's input, output and each step's
// output that canSee refuses, and lists their paths with where they were found (input.…,
// output.…, steps[i].output.…) in RedactedFields, which stays nil when nothing was masked.
//
// Errors quote the values they failed on (`invalid operation: int(123-45-6789)`), which may be
// what was just masked or derived from it: when anything was masked, the execution's error and
// every step's error are masked too (listed as error and steps[i].error), except texts in
// plainErrors (a workflow's validate messages, which the workflow holds and its readers see).
func RedactExecution(exe *api.Execution, policies []api.ClassificationPolicy, canSee func(api.ClassificationPolicy) bool, plainErrors ...string) {
	if len(policies) == 0 {
		return
	}
	var masked []string
	redact := func(prefix string, v any) any {
		out, paths := Redact(v, policies, canSee)
		for _, p := range paths {
			masked = append(masked, prefix+p)
		}
		return out
	}
	if in, ok := redact("input.", exe.Input).(map[string]any); ok {
		exe.Input = in
	}
	if exe.Output != nil {
		if out, ok := redact("output.", *exe.Output).(map[string]any); ok {
			exe.Output = &out
		}
	}
	for i := range exe.Steps {
		if exe.Steps[i].Output != nil {
			exe.Steps[i].Output = redact(fmt.Sprintf("steps[%d].output.", i), exe.Steps[i].Output)
		}
	}
	if len(masked) > 0 {
		redactError := func(path string, e *string) *string {
			if e == nil || slices.Contains(plainErrors, *e) {
				return e
			}
			masked = append(masked, path)
			r := Redacted
			return &r
		}
		exe.Error = redactError("error", exe.Error)
		for i := range exe.Steps {
			exe.Steps[i].Error = redactError(fmt.Sprintf("steps[%d].error", i), exe.Steps[i].Error)
		}
		exe.RedactedFields = &masked
	}
}
