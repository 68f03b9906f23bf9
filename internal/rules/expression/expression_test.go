package expression

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		wantMsg string // substring of Error()
		line    int
		column  int
		limit   bool
	}{
		{name: "double operator", src: "amount <= <= 10000", wantMsg: "unexpected token Operator(\"<=\") (1:11)", line: 1, column: 11},
		{name: "unclosed paren", src: "(amount > 1", wantMsg: "unexpected token EOF", line: 1},
		{name: "unknown function", src: "amount > 1 && launch(1)", wantMsg: "unknown function launch (1:15)", line: 1, column: 15},
		{name: "empty", src: "   ", wantMsg: "expression is empty"},
		{name: "too long", src: strings.Repeat("a", MaxSourceLength+1), wantMsg: "too long", limit: true},
		{name: "too many nodes", src: strings.Repeat("1 + ", 600) + "1", wantMsg: "too complex", limit: true},
		{name: "reserved guard variable", src: guardVar + " == nil", wantMsg: "reserved name"},
		{name: "reserved guard function", src: guardFunc + "(1, 2)", wantMsg: "reserved name"},
		{name: "reserved let", src: "let " + guardVar + " = 1; 2", wantMsg: "reserved name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.src)
			if err == nil {
				t.Fatalf("Compile(%q) succeeded, want an error", tc.src)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error: %v", err, err)
			}
			if !strings.Contains(err.Error(), tc.wantMsg) {
				t.Errorf("error %q does not contain %q", err, tc.wantMsg)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines; want one readable line", err)
			}
			if tc.line != 0 && e.Line != tc.line {
				t.Errorf("line = %d, want %d", e.Line, tc.line)
			}
			if tc.column != 0 && e.Column != tc.column {
				t.Errorf("column = %d, want %d", e.Column, tc.column)
			}
			if got := errors.Is(err, ErrLimitExceeded); got != tc.limit {
				t.Errorf("errors.Is(ErrLimitExceeded) = %v, want %v", got, tc.limit)
			}
		})
	}
}

func TestEval(t *testing.T) {
	cases := []struct {
		name string
		src  string
		doc  string // JSON, decoded as the API server decodes request bodies
		want any
	}{
		{name: "validate within limit", src: "amount <= 10000", doc: `{"amount": 500}`, want: true},
		{name: "validate over limit", src: "amount <= 10000", doc: `{"amount": 15000}`, want: false},
		{name: "undefined variable is nil", src: "missing", doc: `{}`, want: nil},
		{name: "undefined variable compared", src: "missing == nil", doc: `{"amount": 1}`, want: true},
		{name: "nested field", src: "order.customer.tier == 'gold'", doc: `{"order": {"customer": {"tier": "gold"}}}`, want: true},
		{name: "optional chaining on missing", src: "order?.customer?.tier ?? 'none'", doc: `{}`, want: "none"},
		{name: "arithmetic on JSON numbers", src: "order.total * 2", doc: `{"order": {"total": 21}}`, want: 42.0},
		{name: "builtin over array", src: "sum(map(items, .price * .qty))", doc: `{"items": [{"price": 2, "qty": 3}, {"price": 1, "qty": 4}]}`, want: 10.0},
		{name: "filter and len", src: "len(filter(items, .qty > 3))", doc: `{"items": [{"qty": 3}, {"qty": 4}]}`, want: 1},
		{name: "string concat", src: "customer.first + ' ' + customer.last", doc: `{"customer": {"first": "Ada", "last": "Lovelace"}}`, want: "Ada Lovelace"},
		{name: "map literal", src: "{'id': id, 'ok': true}", doc: `{"id": "o-1"}`, want: map[string]any{"id": "o-1", "ok": true}},
		{name: "array literal", src: "[1, id]", doc: `{"id": "x"}`, want: []any{1, "x"}},
		{name: "ternary", src: "amount > 100 ? 'large' : 'small'", doc: `{"amount": 101}`, want: "large"},
		{name: "range within budget", src: "len(1..1000)", doc: `{}`, want: 1000},
		{name: "reduce", src: "reduce(1..4, #acc + #, 0)", doc: `{}`, want: 10},
		{name: "now is UTC", src: "now().Location().String()", doc: `{}`, want: "UTC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.src)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tc.src, err)
			}
			got, err := p.Eval(context.Background(), decode(t, tc.doc))
			if err != nil {
				t.Fatalf("Eval: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Eval(%q) = %#v, want %#v", tc.src, got, tc.want)
			}
		})
	}
}

func TestEvalBool(t *testing.T) {
	cases := []struct {
		name    string
		src     string
		doc     string
		want    bool
		wantErr string
	}{
		{name: "true", src: "amount <= 10000", doc: `{"amount": 500}`, want: true},
		{name: "false", src: "amount <= 10000", doc: `{"amount": 15000}`, want: false},
		{name: "string result", src: "status", doc: `{"status": "ok"}`, wantErr: "must evaluate to a boolean, got string"},
		{name: "number result", src: "amount", doc: `{"amount": 1}`, wantErr: "got number"},
		{name: "undefined result", src: "approved", doc: `{}`, wantErr: "got nil"},
		{name: "comparison with undefined", src: "amount <= 10000", doc: `{}`, wantErr: "invalid operation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.src)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := p.EvalBool(context.Background(), decode(t, tc.doc))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("EvalBool error = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("EvalBool: %v", err)
			}
			if got != tc.want {
				t.Errorf("EvalBool = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestRuntimeErrorPosition(t *testing.T) {
	p, err := Compile("amount > 1 and note + 1 > 2")
	if err != nil {
		t.Fatal(err)
	}
	_, err = p.Eval(context.Background(), map[string]any{"amount": 5.0, "note": "x"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	if e.Line != 1 || e.Column == 0 {
		t.Errorf("position = %d:%d, want line 1 and a column", e.Line, e.Column)
	}
}

// TestRunawayExpressionsAreBounded runs the memory bombs and CPU bombs a hostile workflow
// author would try. Each must fail fast, before the work is done, with a message naming the
// limit it hit (its value), and match ErrLimitExceeded.
func TestRunawayExpressionsAreBounded(t *testing.T) {
	const (
		memLimit   = `the limit is 4194304 bytes per expression`
		stepLimit  = `(limit of|more than) 1000000 steps per expression`
		timeLimit  = `ran longer than 100ms`
		valueLimit = `value is larger than 1048576`
		// On a busy machine the deadline may come before the step limit; either is the bound.
		cpuLimit = stepLimit + "|" + timeLimit
	)
	bigDoc := map[string]any{
		"items":   make([]any, 50000),
		"many":    make([]any, 200000),
		"text":    strings.Repeat("x", 1<<20),
		"pattern": strings.Repeat("(a|b)", 150),
		"json":    "[" + strings.Repeat("0,", 200000) + "0]",
		"nested":  []any{strings.Repeat("y", 100000)},
	}
	cases := []struct {
		name    string
		src     string
		wantMsg string // regular expression
	}{
		// Memory bombs: each would allocate far more than the budget; each is refused before it allocates.
		{"repeat nested", `repeat(repeat("x", 500000), 1000000)`, `repeat would allocate 500000000000 bytes; ` + memLimit},
		{"huge repeat", "len(repeat('x', 1000000000))", `repeat would allocate 1000000000 bytes; ` + memLimit},
		{"repeat of a document string", "len(repeat(text, 100))", `repeat would allocate 104857600 bytes; ` + memLimit},
		{"replace growth", `replace(repeat("x", 100000), "x", repeat("y", 1000))`, `replace would allocate 100100000 bytes; ` + memLimit},
		{"replace of every character", `replace(text, "", repeat("y", 100))`, `replace would allocate \d+ bytes; ` + memLimit},
		{"join growth", `join(map(1..20000, text), ",")`, `join would allocate \d+ bytes; ` + memLimit},
		{"split into characters", `split(text, "")`, `split would allocate \d+ bytes; ` + memLimit},
		{"splitAfter into characters", `splitAfter(text, "")`, `splitAfter would allocate \d+ bytes; ` + memLimit},
		{"huge range", "len(1..1000000000)", `the range 1..1000000000 would allocate 8000000000 bytes; ` + memLimit},
		{"ranges in a loop", "all(1..1000, len(1..100000) > 0)", memLimit + "|" + timeLimit},
		{"doubling strings", "let a = repeat('ab', 200000); let b = a + a; let c = b + b; let d = c + c; len(d + d)", `\+ \(string concatenation\) would allocate \d+ bytes; ` + memLimit},
		{"concat doubling in reduce", `len(reduce(1..40, #acc + #acc, "x"))`, memLimit + "|" + timeLimit},
		{"quadratic concat growth in reduce", `len(reduce(1..100000, #acc + "xxxxxxxxxx", ""))`, memLimit + "|" + timeLimit},
		{"quadratic array accumulation over the document", "len(reduce(items, concat(#acc, [#]), []))", `concat would allocate \d+ bytes; ` + memLimit},
		{"concat of big ranges", "len(concat(1..300000, 1..300000))", memLimit},
		{"toJSON of a big value", "len(toJSON(1..400000))", `toJSON would allocate \d+ bytes; ` + memLimit},
		{"toJSON of shared arrays", "let a = [1,2,3,4,5,6,7,8]; let b = [a,a,a,a,a,a,a,a]; let c = [b,b,b,b,b,b,b,b]; let d = [c,c,c,c,c,c,c,c]; let e = [d,d,d,d,d,d,d,d]; let f = [e,e,e,e,e,e,e,e]; let g = [f,f,f,f,f,f,f,f]; len(toJSON(g))", `toJSON would allocate \d+ bytes; ` + memLimit},
		{"string of shared arrays", "let a = [text, text]; let b = [a,a,a,a,a,a,a,a]; len(string(b))", `string would allocate \d+ bytes; ` + memLimit},
		{"toJSON of the document in a loop", "all(1..1000, len(toJSON(nested)) > 0)", memLimit + "|" + timeLimit},
		{"fromJSON of a long array", "len(fromJSON(json))", `fromJSON would allocate \d+ bytes; ` + memLimit},
		{"base64 growth", "len(toBase64(toBase64(toBase64(text))))", `toBase64 would allocate \d+ bytes; ` + memLimit},
		{"upper of a big string", "len(upper(repeat(text, 3)))", memLimit},
		{"flatten of shared arrays", "let a = 1..1000; let b = [a,a,a,a,a,a,a,a,a,a]; let c = [b,b,b,b,b,b,b,b,b,b]; let d = [c,c,c,c,c,c,c,c,c,c]; len(flatten(d))", `flatten would allocate \d+ bytes; ` + memLimit},
		{"sortBy over a big document array", "len(sortBy(many, #))", `sortBy would allocate 6400000 bytes; ` + memLimit},
		{"repeat more than a million times", `len(repeat("x", 2000000))`, `exceeded the memory limit of 1000000 elements \(array elements, or repeat's count\)`},
		{"map building a big array", "len(map(1..400000, #))", memLimit + "|" + timeLimit},
		{"a result sharing structure", "let a = [text]; let b = [a, a]; [b, b]", valueLimit},

		// CPU bombs: each would take seconds or hours; each is refused before (or as soon as) the work passes the budget.
		{"nested loops over one array", "let a = 1..1000; all(a, all(a, all(a, true)))", cpuLimit},
		{"uniq of arrays (quadratic comparisons)", "len(uniq(map(1..5000, [#])))", `uniq would take|` + cpuLimit},
		{"uniq over a huge range", "len(uniq(1..400000))", memLimit + "|" + cpuLimit},
		{"sort of many strings", "len(sort(map(1..200000, string(#))))", memLimit + "|" + cpuLimit},
		{"sortBy over a large range", "len(sortBy(1..100000, -#))", memLimit + "|" + cpuLimit},
		{"sortBy with long keys", "len(sortBy(1..1000, text))", cpuLimit},
		{"groupBy over a large range", "len(groupBy(1..100000, #))", cpuLimit},
		{"groupBy with long keys", "len(groupBy(1..1000, text))", cpuLimit},
		{"reduce nested over one range", "let a = 1..2000; reduce(a, #acc + reduce(a, #acc + #, 0), 0)", cpuLimit},
		{"in over a big array in a loop", "let a = 1..100000; all(1..100000, # in a)", `in would take \d+ steps|` + cpuLimit},
		{"== of big arrays in a loop", "let a = 1..100000; let b = 1..100000; all(1..10000, a == b)", cpuLimit},
		{"contains over a big string in a loop", `all(1..100000, !(text contains "y"))`, cpuLimit},
		{"indexOf over a big string in a loop", `all(1..100000, indexOf(text, "y") < 0)`, cpuLimit},
		{"matches with a huge pattern from the document", `"ab" matches (pattern + pattern + pattern + pattern)`, `the pattern of matches is 3000 bytes long; the limit is 1000 bytes`},
		{"matches with a big pattern over a big input", `text matches pattern`, `matching a pattern of \d+ instructions against 1048576 bytes would take \d+ steps, past the limit of 1000000 steps per expression`},
		{"matches in a loop", `all(1..100000, !(text matches "y"))`, cpuLimit},
		{"median of a big range", "median(1..400000)", memLimit},
		{"max over nested big arrays", "let a = 1..100000; max([a, a, a, a, a, a, a, a, a, a, a, a])", cpuLimit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Compile(tc.src)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			start := time.Now()
			_, err = p.Eval(context.Background(), bigDoc)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("Eval succeeded, want a limit error")
			}
			if !errors.Is(err, ErrLimitExceeded) {
				t.Errorf("error %v does not wrap ErrLimitExceeded", err)
			}
			if !regexp.MustCompile(tc.wantMsg).MatchString(err.Error()) {
				t.Errorf("error %q does not match %q", err, tc.wantMsg)
			}
			// Generous: CI machines are slow, but a bomb takes far longer.
			if elapsed > 2*time.Second {
				t.Errorf("took %s", elapsed)
			}
		})
	}
}

func TestEvalRespectsContext(t *testing.T) {
	p, err := Compile("let a = 1..1000; all(a, all(a, true))")
	if err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	short, cancel2 := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel2()
	expired, cancel3 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel3()
	cases := []struct {
		name string
		ctx  context.Context
		is   error
	}{
		{name: "already canceled", ctx: canceled, is: context.Canceled},
		{name: "short deadline", ctx: short, is: ErrLimitExceeded},
		{name: "deadline already passed", ctx: expired, is: context.DeadlineExceeded},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Eval(tc.ctx, nil)
			if !errors.Is(err, tc.is) {
				t.Fatalf("Eval error = %v, want errors.Is %v", err, tc.is)
			}
		})
	}
}

func TestEvalDoesNotMutateDocument(t *testing.T) {
	doc := decode(t, `{"items": [3, 1, 2], "order": {"total": 1}}`)
	before := clone(t, doc)
	for _, src := range []string{"sort(items)", "reverse(items)", "{'x': order}", "map(items, # * 2)"} {
		p, err := Compile(src)
		if err != nil {
			t.Fatalf("Compile(%q): %v", src, err)
		}
		if _, err := p.Eval(context.Background(), doc); err != nil {
			t.Fatalf("Eval(%q): %v", src, err)
		}
	}
	if !reflect.DeepEqual(doc, before) {
		t.Errorf("document changed: %v, was %v", doc, before)
	}
}

// A transform step applies its assignments in order; later expressions see
// earlier results. This is how the runtime is expected to use the package.
func TestTransformChaining(t *testing.T) {
	steps := []struct{ field, expr string }{
		{"order.subtotal", "sum(map(order.items, .price * .qty))"},
		{"order.tax", "order.subtotal * 0.25"},
		{"order.total", "order.subtotal + order.tax"},
		{"flags.large", "order.total > 100"},
	}
	doc := decode(t, `{"order": {"items": [{"price": 40, "qty": 2}, {"price": 20, "qty": 1}]}}`)
	for _, s := range steps {
		p, err := Compile(s.expr)
		if err != nil {
			t.Fatalf("Compile(%q): %v", s.expr, err)
		}
		v, err := p.Eval(context.Background(), doc)
		if err != nil {
			t.Fatalf("Eval(%q): %v", s.expr, err)
		}
		if err := SetPath(doc, s.field, v); err != nil {
			t.Fatalf("SetPath(%q): %v", s.field, err)
		}
	}
	cases := []struct {
		path string
		want any
	}{
		{"order.subtotal", 100.0},
		{"order.tax", 25.0},
		{"order.total", 125.0},
		{"flags.large", true},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			got, ok := GetPath(doc, tc.path)
			if !ok || got != tc.want {
				t.Errorf("GetPath(%q) = %v, %v; want %v", tc.path, got, ok, tc.want)
			}
		})
	}
}

func TestProgramIsSafeForConcurrentUse(t *testing.T) {
	p, err := Compile("sum(map(items, # * k))")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	for i := 0; i < 8; i++ {
		go func(k float64) {
			got, err := p.Eval(context.Background(), map[string]any{"items": []any{1.0, 2.0}, "k": k})
			if err == nil && got != 3*k {
				err = errors.New("wrong result")
			}
			done <- err
		}(float64(i))
	}
	for i := 0; i < 8; i++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func clone(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, string(b))
}
