package classification

import (
	"reflect"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

func TestRedact(t *testing.T) {
	internal := policy("cls_internal", api.Internal, "order_id")
	contact := policy("cls_contact", api.Confidential, "customer.address", "customer.email")
	pii := policy("cls_pii", api.Restricted, "ssn", "payment.card.number")
	pii2 := policy("cls_pii_app", api.Restricted, "customer.name")
	names := policy("cls_names", api.Restricted, "name")
	all := []api.ClassificationPolicy{internal, contact, pii}

	upTo := func(max api.ClassificationLevel) func(api.ClassificationPolicy) bool {
		return func(p api.ClassificationPolicy) bool { return LevelRank(p.Level) <= LevelRank(max) }
	}
	cases := []struct {
		name      string
		policies  []api.ClassificationPolicy
		canSee    func(api.ClassificationPolicy) bool
		wantPaths []string
		check     map[string]any // dotted path (first array element for arrays) -> value
	}{
		{name: "sees everything", policies: all, canSee: upTo(api.Restricted), wantPaths: []string{},
			check: map[string]any{"customer.SSN": "123-45-6789", "customer.address.city": "London"}},
		{name: "no need-to-know", policies: all, canSee: upTo(api.Confidential),
			wantPaths: []string{"customer.SSN", "items.notes.ssn", "payment.card.number"},
			check: map[string]any{
				"customer.SSN": Redacted, "items.notes.ssn": Redacted, "payment.card.number": Redacted,
				"payment.card.expiry": "12/30", "customer.Email": "ada@example.com", "items.sku": "A1",
			}},
		{name: "authenticated only: subtrees go whole", policies: all, canSee: upTo(api.Internal),
			wantPaths: []string{"customer.Email", "customer.SSN", "customer.address", "items.notes.ssn", "payment.card.number"},
			check:     map[string]any{"customer.address": Redacted, "order_id": "o-1001", "customer.name": "Ada Lovelace"}},
		{name: "anonymous", policies: all, canSee: upTo(api.Public),
			wantPaths: []string{"customer.Email", "customer.SSN", "customer.address", "items.notes.ssn", "order_id", "payment.card.number"},
			check:     map[string]any{"order_id": Redacted, "amount": 500.0}},
		{name: "tied policies need both visible", policies: []api.ClassificationPolicy{names, pii2},
			canSee:    func(p api.ClassificationPolicy) bool { return p.ID == "cls_names" },
			wantPaths: []string{"customer.name"},
			check:     map[string]any{"customer.name": Redacted}},
		{name: "a visible higher policy decides over an invisible lower one",
			policies:  []api.ClassificationPolicy{policy("cls_low", api.Internal, "customer.name"), pii2},
			canSee:    func(p api.ClassificationPolicy) bool { return p.ID == "cls_pii_app" },
			wantPaths: []string{},
			check:     map[string]any{"customer.name": "Ada Lovelace"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := decodeOrder(t)
			out, paths := Redact(doc, tc.policies, tc.canSee)
			if !reflect.DeepEqual(paths, tc.wantPaths) {
				t.Errorf("paths = %q, want %q", paths, tc.wantPaths)
			}
			for path, want := range tc.check {
				if got := get(out, path); !reflect.DeepEqual(got, want) {
					t.Errorf("%s = %#v, want %#v", path, got, want)
				}
			}
			if !reflect.DeepEqual(doc, decodeOrder(t)) {
				t.Error("Redact changed its input")
			}
		})
	}
}

func TestRedactCopiesDeeply(t *testing.T) {
	doc := decodeOrder(t)
	out, _ := Redact(doc, nil, func(api.ClassificationPolicy) bool { return true })
	if !reflect.DeepEqual(out, doc) {
		t.Fatal("with nothing to redact the copy differs")
	}
	// Changing the copy must not reach the input.
	root, _ := out.(map[string]any)
	customer, _ := root["customer"].(map[string]any)
	items, _ := root["items"].([]any)
	if customer == nil || len(items) == 0 {
		t.Fatalf("the copy lost the document's shape: %#v", out)
	}
	item, _ := items[0].(map[string]any)
	if item == nil {
		t.Fatalf("the copy's first item is %#v, want an object", items[0])
	}
	customer["name"] = "changed"
	item["sku"] = "changed"
	if !reflect.DeepEqual(doc, decodeOrder(t)) {
		t.Error("the copy shares structure with the input")
	}
}

func TestRedactNonObjects(t *testing.T) {
	p := []api.ClassificationPolicy{policy("cls_pii", api.Restricted, "ssn")}
	never := func(api.ClassificationPolicy) bool { return false }
	cases := []struct {
		name string
		doc  any
		want any
	}{
		{"nil", nil, nil},
		{"scalar", "ssn", "ssn"},
		{"top-level array", []any{map[string]any{"ssn": "1"}, 2.0}, []any{map[string]any{"ssn": Redacted}, 2.0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := Redact(tc.doc, p, never)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Redact = %#v, want %#v", got, tc.want)
			}
		})
	}
}

func TestRedactExecution(t *testing.T) {
	pii := policy("cls_pii", api.Restricted, "ssn")
	never := func(api.ClassificationPolicy) bool { return false }
	always := func(api.ClassificationPolicy) bool { return true }
	execution := func() *api.Execution {
		out := map[string]any{"ssn": "123-45-6789", "total": 10.0}
		return &api.Execution{
			Input:  map[string]any{"customer": map[string]any{"ssn": "123-45-6789", "name": "Ada"}},
			Output: &out,
			Steps: []api.StepResult{
				{Output: map[string]any{"body": map[string]any{"ssn": "1"}}},
				{}, // no output: stays nil
				{Output: []any{map[string]any{"ssn": "2"}, "kept"}},
				{Output: "a scalar"},
			},
		}
	}
	cases := []struct {
		name     string
		policies []api.ClassificationPolicy
		canSee   func(api.ClassificationPolicy) bool
		want     func() *api.Execution
	}{
		{"no policies: unchanged, no redacted_fields", nil, never, execution},
		{"a caller who sees everything: unchanged, no redacted_fields", []api.ClassificationPolicy{pii}, always, execution},
		{"a caller who may not see: input, output and each step's output masked and listed", []api.ClassificationPolicy{pii}, never, func() *api.Execution {
			exe := execution()
			exe.Input["customer"] = map[string]any{"ssn": Redacted, "name": "Ada"}
			(*exe.Output)["ssn"] = Redacted
			exe.Steps[0].Output = map[string]any{"body": map[string]any{"ssn": Redacted}}
			exe.Steps[2].Output = []any{map[string]any{"ssn": Redacted}, "kept"}
			exe.RedactedFields = &[]string{"input.customer.ssn", "output.ssn", "steps[0].output.body.ssn", "steps[2].output.ssn"}
			return exe
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := execution()
			RedactExecution(got, tc.policies, tc.canSee)
			if want := tc.want(); !reflect.DeepEqual(got, want) {
				t.Errorf("RedactExecution =\n%#v\nwant\n%#v", got, want)
			}
		})
	}
	t.Run("a nil output stays nil", func(t *testing.T) {
		exe := &api.Execution{Input: map[string]any{"ssn": "1"}}
		RedactExecution(exe, []api.ClassificationPolicy{pii}, never)
		if exe.Output != nil || exe.Input["ssn"] != Redacted || exe.RedactedFields == nil || len(*exe.RedactedFields) != 1 {
			t.Errorf("got output %v, input %v, redacted %v", exe.Output, exe.Input, exe.RedactedFields)
		}
	})
}

// Errors can quote what was masked: when anything is masked, the execution's error and each
// step's error are too, except the plain texts given (validate messages); when nothing is
// masked, errors stay as they are.
func TestRedactExecutionErrors(t *testing.T) {
	pii := policy("cls_pii", api.Restricted, "ssn")
	never := func(api.ClassificationPolicy) bool { return false }
	always := func(api.ClassificationPolicy) bool { return true }
	failed := func() *api.Execution {
		leak, msg := "invalid operation: int(123-45-6789)", "Orders must not carry an SSN"
		return &api.Execution{Input: map[string]any{"ssn": "123-45-6789"}, Error: &leak,
			Steps: []api.StepResult{{Error: &msg}, {Error: &leak}, {}}}
	}
	str := func(e *string) string {
		if e == nil {
			return "<nil>"
		}
		return *e
	}
	exe := failed()
	RedactExecution(exe, []api.ClassificationPolicy{pii}, never, "Orders must not carry an SSN")
	if got := []string{str(exe.Error), str(exe.Steps[0].Error), str(exe.Steps[1].Error), str(exe.Steps[2].Error)}; !reflect.DeepEqual(got,
		[]string{Redacted, "Orders must not carry an SSN", Redacted, "<nil>"}) {
		t.Errorf("errors %q", got)
	}
	if want := []string{"input.ssn", "error", "steps[1].error"}; exe.RedactedFields == nil || !reflect.DeepEqual(*exe.RedactedFields, want) {
		t.Errorf("redacted_fields %v, want %v", exe.RedactedFields, want)
	}
	exe = failed()
	RedactExecution(exe, []api.ClassificationPolicy{pii}, always)
	if str(exe.Error) != "invalid operation: int(123-45-6789)" || exe.RedactedFields != nil {
		t.Errorf("a caller who sees everything: error %q, redacted %v", str(exe.Error), exe.RedactedFields)
	}
}
