package expression

// Tests of the budget: every builtin of expr is charged (so that an upgrade of expr that adds
// one fails here), charged builtins give the results expr's own give, the budget a step's
// expressions share, and cancellation in the middle of an evaluation.

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
)

// TestEveryBuiltinIsBounded enumerates expr's builtins: each must be a loop charged per
// iteration, replaced by a charged version, or disabled. A builtin that a new version of expr
// adds fails here until it is charged in builtins.go.
func TestEveryBuiltinIsBounded(t *testing.T) {
	known := map[string]bool{}
	for _, f := range builtin.Builtins {
		known[f.Name] = true
		_, charged := charges[f.Name]
		_, disabled := disabledBuiltins[f.Name]
		n := 0
		for _, in := range []bool{charged, disabled, loopBuiltins[f.Name]} {
			if in {
				n++
			}
		}
		if n != 1 {
			t.Errorf("builtin %s: charged %v, disabled %v, loop %v; want exactly one", f.Name, charged, disabled, loopBuiltins[f.Name])
		}
		if charged && f.Predicate {
			t.Errorf("builtin %s takes a predicate: it must stay a loop, charged per iteration", f.Name)
		}
	}
	for _, table := range [][]string{sortedNames(charges), sortedNames(disabledBuiltins), sortedNames(loopBuiltins)} {
		for _, name := range table {
			if !known[name] {
				t.Errorf("%s is listed in builtins.go but is no builtin of expr", name)
			}
		}
	}
	// Every charged builtin compiles into our version.
	for _, name := range sortedNames(charges) {
		p, err := Compile(name + "(x)")
		if err != nil {
			if strings.Contains(err.Error(), "not available") {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		calls := false
		ast.Walk(new(p.program.Node()), visitor(func(n ast.Node) {
			if c, ok := n.(*ast.CallNode); ok {
				if id, ok := c.Callee.(*ast.IdentifierNode); ok && id.Value == builtinPrefix+name {
					calls = true
				}
			}
		}))
		if !calls {
			t.Errorf("%s(x) does not call our charged %s", name, builtinPrefix+name)
		}
	}
}

func TestUnavailableBuiltinIsACompileError(t *testing.T) {
	saved := charges["upper"]
	delete(charges, "upper")
	defer func() { charges["upper"] = saved }()
	_, err := Compile(`upper("a")`)
	if err == nil || !strings.Contains(err.Error(), "the function upper is not available in workflow expressions") {
		t.Fatalf("Compile = %v, want the function refused", err)
	}
	disabledBuiltins["lower"] = "it cannot be bounded"
	defer delete(disabledBuiltins, "lower")
	_, err = Compile(`lower("a")`)
	if err == nil || !strings.Contains(err.Error(), "not available in workflow expressions: it cannot be bounded") {
		t.Fatalf("Compile = %v, want the function refused with its reason", err)
	}
}

// compatibleExpressions are the expressions of the repository's examples, docs, demo and tests,
// and a call of every builtin: they must evaluate as expr evaluates them on its own.
var compatibleExpressions = []string{
	// examples/, docs/, the demo and the platform's tests
	`amount <= 10000`, `amount * 1.2`, `amount * 0.2`, `amount > 0`, `quantity * unit_price`,
	`"validated"`, `customer.ssn == ''`, `int(customer.ssn)`, `{"order_id": order_id, "total": total, "customer": customer.email}`,
	`{order_id: order_id, amount: amount, customer: customer}`, `{order_id: order_id, crm_status: crm_sync.status}`,
	`{id: order_id, total: total}`, `{order_id: order_id, crm_id: crm.body.crm_id}`, `total > 100 ? "large" : "small"`,
	`items | filter(.qty > 1) | map(.qty)`, `sum(map(items, .price * .qty))`, `len(filter(items, .qty > 3))`,
	`customer.first + ' ' + customer.last`, `order?.customer?.tier ?? 'none'`, `len(1..1000)`, `reduce(1..4, #acc + #, 0)`,
	// every builtin
	`all(items, .qty > 0)`, `none(items, .qty > 5)`, `any(items, .qty > 1)`, `one(items, .qty > 1)`,
	`find(items, .qty > 1)`, `findIndex(items, .qty > 1)`, `findLast(items, .qty > 0)`, `findLastIndex(items, .qty > 0)`,
	`count(items, .qty > 0)`, `count([true, false, true])`, `sum([1, 2.5, 3])`, `sum(items, .qty)`,
	`groupBy(items, .qty > 1)`, `sortBy(items, .price)`, `sortBy(items, .price, "desc")`, `reduce(items, #acc + .qty, 0)`,
	`len("héllo")`, `len(items)`, `type(1)`, `type("a")`, `abs(-2.5)`, `ceil(1.2)`, `floor(1.8)`, `round(1.5)`,
	`int("42")`, `int(3.9)`, `float("1.5")`, `string(12)`, `string(items)`, `trim("  a  ")`, `trim("xxaxx", "x")`,
	`trimPrefix("abc", "a")`, `trimSuffix("abc", "c")`, `trimPrefix(" a")`, `upper("abc")`, `lower("ÀBC")`,
	`split("a,b,c", ",")`, `split("a,b,c", ",", 2)`, `splitAfter("a,b,c", ",")`, `splitAfter("a,b,c", ",", 2)`,
	`replace("aaa", "a", "bb")`, `replace("aaa", "a", "b", 2)`, `replace("abc", "", "-")`, `repeat("ab", 3)`,
	`join(["a", "b"], "-")`, `join(["a", "b"])`, `join(split("a b", " "), "+")`, `indexOf("abc", "c")`,
	`lastIndexOf("abcabc", "b")`, `hasPrefix("abc", "ab")`, `hasSuffix("abc", "bc")`, `max(1, 2, 3)`, `min([4, 2, 8])`,
	`mean([1, 2, 3, 4])`, `median([3, 1, 2])`, `median([4, 1, 2, 3])`, `toJSON({"a": [1, 2], "b": "<&>"})`,
	`fromJSON("{\"a\": [1, 2.5, null, true]}")`, `toBase64("hello")`, `fromBase64("aGVsbG8=")`,
	`duration("1h30m").Minutes()`, `date("2024-01-02").Year()`, `date("2024-01-02 10:00", "2006-01-02 15:04").Hour()`,
	`date("2024-01-02 10:00", "2006-01-02 15:04", "Europe/Paris").UTC().Hour()`, `timezone("Europe/Paris").String()`,
	`first(items)`, `last(items)`, `first([])`, `get(items, 0)`, `get({"a": 1}, "a")`, `get({"a": 1}, "b")`,
	`take([1, 2, 3], 2)`, `sort(keys({"b": 1, "a": 2}))`, `sort(values({"b": 1, "a": 2}))`, `toPairs({"a": 1})`,
	`fromPairs([["a", 1], ["b", 2]])`, `reverse([1, 2, 3])`, `uniq([1, 2, 1.0, "a", "a", [1], [1], nil, nil, true, true])`,
	`concat([1], [2, 3], [])`, `flatten([1, [2, [3, [4]]]])`, `sort([3, 1, 2])`, `sort(["b", "a"], "desc")`,
	`bitand(12, 10)`, `bitor(12, 10)`, `bitxor(12, 10)`, `bitnand(12, 10)`, `bitshl(1, 4)`, `bitshr(16, 2)`,
	`bitushr(-16, 60)`, `bitnot(5)`, `now().Year() > 2000`, `findLast([1, 2, 3], # < 3)`, `findLastIndex([1, 2, 3], # > 5)`,
	// operators
	`"a" + "b"`, `1 + 2.5`, `1..3`, `2 in [1, 2]`, `"a" not in ["b"]`, `"k" in {"k": 1}`, `[1, [2]] == [1, [2]]`,
	`{"a": 1} != {"a": 2}`, `"abc" matches "^a.c$"`, `"abc" matches pattern`, `"abc" contains "b"`,
	`"abc" startsWith "a"`, `"abc" endsWith "c"`, `missing matches "a"`, `missing contains "a"`, `"abc"[1:]`, `2 ** 10`, `7 % 3`,
}

func TestChargedBuiltinsGiveExprsResults(t *testing.T) {
	doc := map[string]any{
		"amount": 500.0, "quantity": 3.0, "unit_price": 2.5, "total": 150.0, "order_id": "o-1",
		"customer": map[string]any{"email": "a@b.c", "ssn": "", "first": "Ada", "last": "Lovelace"},
		"crm_sync": map[string]any{"status": 200.0}, "crm": map[string]any{"body": map[string]any{"crm_id": "c-9"}},
		"items":   []any{map[string]any{"qty": 2.0, "price": 3.0}, map[string]any{"qty": 1.0, "price": 1.0}},
		"pattern": "b",
	}
	for _, src := range compatibleExpressions {
		t.Run(src, func(t *testing.T) {
			env := map[string]any{}
			for k, v := range doc {
				env[k] = v
			}
			plain, err := expr.Compile(src, expr.Env(env), expr.AllowUndefinedVariables())
			if err != nil {
				t.Fatalf("expr itself does not compile it: %v", err)
			}
			want, wantErr := expr.Run(plain, env)
			p, err := Compile(src)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := p.Eval(context.Background(), doc)
			if (err != nil) != (wantErr != nil) {
				t.Fatalf("Eval = %v, %v; expr gives %v, %v", got, err, want, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Eval = %#v, expr gives %#v", got, want)
			}
		})
	}
}

func TestCompileErrorsOfBuiltinsAreExprs(t *testing.T) {
	for _, src := range []string{`repeat("x")`, `upper(1)`, `len(1)`, `split("a")`, `abs("x")`, `get([1])`, `join(1, 2, 3)`, `now(1, 2)`} {
		_, plainErr := expr.Compile(src, expr.AllowUndefinedVariables())
		_, err := Compile(src)
		if err == nil {
			t.Errorf("Compile(%s) succeeded, want an error", src)
			continue
		}
		if plainErr == nil {
			t.Errorf("expr compiles %s but we do not: %v", src, err)
		}
	}
}

func TestStepBudgetIsShared(t *testing.T) {
	if b := NewStepBudget(); b.maxSteps != StepMaxSteps || b.maxMemory != StepMaxMemory || StepMaxMemory != 16<<20 || StepMaxSteps != 4_000_000 {
		t.Fatalf("NewStepBudget = %d steps, %d bytes", b.maxSteps, b.maxMemory)
	}
	p, err := Compile(`len(repeat("xxx", 100000))`) // 300 kB
	if err != nil {
		t.Fatal(err)
	}
	b := &Budget{maxSteps: StepMaxSteps, maxMemory: 1_100_000}
	for i := range 3 {
		if _, err := p.EvalIn(context.Background(), b, nil); err != nil {
			t.Fatalf("evaluation %d (%d kB of the step's 1.1 MB): %v", i+1, 300*(i+1), err)
		}
	}
	if _, mem := b.Used(); mem != 3*alloc(300_000) {
		t.Fatalf("the budget records %d bytes after three 300 kB evaluations", mem)
	}
	_, err = p.EvalIn(context.Background(), b, nil)
	if !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "the limit is 1100000 bytes per step (all expressions of the step together) and 1037076 are already used") {
		t.Fatalf("fourth evaluation: %v, want the step's memory limit", err)
	}
	// Without a budget, each evaluation stands alone.
	for range 4 {
		if _, err := p.Eval(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStepBudgetBoundsSteps(t *testing.T) {
	p, err := Compile(`indexOf(text, "y")`) // reads 1 MiB: 16 385 steps
	if err != nil {
		t.Fatal(err)
	}
	doc := map[string]any{"text": strings.Repeat("x", 1<<20)}
	b := &Budget{maxSteps: 40_000, maxMemory: StepMaxMemory}
	for i := range 2 {
		if _, err := p.EvalIn(context.Background(), b, doc); err != nil {
			t.Fatalf("evaluation %d: %v", i+1, err)
		}
	}
	_, err = p.EvalIn(context.Background(), b, doc)
	if !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "indexOf would take 16385 steps, past the limit of 40000 steps per step (all expressions of the step together) (32770 already used)") {
		t.Fatalf("third: %v, want the step's step limit", err)
	}
}

// canceler cancels a context when an expression calls its method: the cancellation arrives
// in the middle of the evaluation, deterministically.
type canceler struct{ cancel context.CancelFunc }

func (c canceler) Fire() bool { c.cancel(); return true }

func TestCancelStopsAnEvaluationInTheMiddle(t *testing.T) {
	p, err := Compile(`c.Fire() && all(1..400000, # > 0)`)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	_, err = p.Eval(ctx, map[string]any{"c": canceler{cancel}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("stopped after %s", d)
	}
}

func TestPatternsAreCachedPerProgram(t *testing.T) {
	p, err := Compile(`s matches pattern`)
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxCachedPatterns + 10 {
		doc := map[string]any{"s": "abc", "pattern": strings.Repeat("b", i%(maxCachedPatterns+5)+1)}
		if _, err := p.Eval(context.Background(), doc); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	p.patterns.Range(func(any, any) bool { n++; return true })
	if n != maxCachedPatterns {
		t.Fatalf("%d patterns cached, want at most %d", n, maxCachedPatterns)
	}
	_, err = Compile(`s matches "("`)
	if err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Fatalf("a constant invalid pattern: %v, want a compile error", err)
	}
	_, err = Compile(`s matches "` + strings.Repeat("a", MaxPatternLength+1) + `"`)
	if err == nil || !strings.Contains(err.Error(), "the pattern of matches is 1001 bytes long; the limit is 1000 bytes") {
		t.Fatalf("a constant long pattern: %v, want the pattern limit", err)
	}
}

// TestChargedBuiltinWrappers checks the registration of our builtins: expr's type checks
// behind the guard argument, get's own rule, and the call paths (expr's Fast, Safe and Func
// implementations, ours for uniq) behind the charge.
func TestChargedBuiltinWrappers(t *testing.T) {
	c := conf.CreateNew()
	for _, o := range builtinOptions() {
		o(c)
	}
	guardT, strT := reflect.TypeOf((*guard)(nil)), reflect.TypeOf("")
	lenFn := c.Functions[builtinPrefix+"len"]
	if _, err := lenFn.Validate(nil); err == nil || !strings.Contains(err.Error(), "without its guard") {
		t.Errorf("len's check without the guard: %v", err)
	}
	if out, err := lenFn.Validate([]reflect.Type{guardT, strT}); err != nil || out.Kind() != reflect.Int {
		t.Errorf("len's check of a string: %v, %v", out, err)
	}
	if _, err := lenFn.Validate([]reflect.Type{guardT, strT, strT}); err == nil || !strings.Contains(err.Error(), "expected 1, got 2") {
		t.Errorf("len's check of two arguments: %v", err)
	}
	get := c.Functions[builtinPrefix+"get"]
	if _, err := get.Validate([]reflect.Type{guardT, strT}); err == nil || !strings.Contains(err.Error(), "expected 2, got 1") {
		t.Errorf("get's check of one argument: %v", err)
	}
	if _, err := get.Validate([]reflect.Type{guardT, strT, strT}); err != nil {
		t.Errorf("get's check of two arguments: %v", err)
	}
	if _, err := Compile(`get(a)`); err == nil || !strings.Contains(err.Error(), "expected 2, got 1") {
		t.Errorf("Compile(get(a)): %v", err)
	}
	repeat := c.Functions[builtinPrefix+"repeat"]
	if len(repeat.Types) != 1 || repeat.Types[0].NumIn() != 3 || repeat.Types[0].In(0) != guardT {
		t.Errorf("repeat's types: %v, want the guard before expr's (string, int)", repeat.Types)
	}

	g := newTestGuard(time.Now().Add(time.Hour))
	call := func(name string, args ...any) (any, error) {
		return c.Functions[builtinPrefix+name].Func(append([]any{g}, args...)...)
	}
	if _, err := call("len", "a", "b"); err == nil || !strings.Contains(err.Error(), "invalid number of arguments for len (expected 1, got 2)") {
		t.Errorf("Fast builtin with two arguments: %v", err)
	}
	if got, err := call("len", "abc"); err != nil || got != 3 {
		t.Errorf("len(abc) = %v, %v", got, err)
	}
	if got, err := call("repeat", "ab", 2); err != nil || got != "abab" {
		t.Errorf("repeat (Safe) = %v, %v", got, err)
	}
	if got, err := call("upper", "ab"); err != nil || got != "AB" {
		t.Errorf("upper = %v, %v", got, err)
	}
	if got, err := call("indexOf", "ab", "b"); err != nil || got != 1 {
		t.Errorf("indexOf (Func) = %v, %v", got, err)
	}
	if got, err := call("uniq", []any{1, 1}); err != nil || !reflect.DeepEqual(got, []any{1}) {
		t.Errorf("uniq (ours) = %v, %v", got, err)
	}
	if _, err := c.Functions[builtinPrefix+"len"].Func(); !errors.Is(err, errInternalGuard) {
		t.Errorf("no guard: %v", err)
	}
	g.memory = MaxMemory
	if _, err := call("repeat", "ab", 2); !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("repeat with no memory left: %v", err)
	}
}
