package expression

// Exact tests of the sandbox's limits: each bound is checked at its edge (the last value let
// through and the first refused), on the guard and the size measure directly, so that an
// off-by-one or a bound that is not applied fails here and not only in a runaway expression
// that some other limit happens to stop.

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
)

func TestSourceLengthLimitCountsCharacters(t *testing.T) {
	// 4000 characters, 7998 bytes of UTF-8: at the limit, so accepted.
	src := `"` + strings.Repeat("é", MaxSourceLength-2) + `"`
	p, err := Compile(src)
	if err != nil {
		t.Fatalf("Compile of a %d-character source: %v", MaxSourceLength, err)
	}
	got, err := p.Eval(context.Background(), nil)
	if err != nil || got != strings.Repeat("é", MaxSourceLength-2) {
		t.Fatalf("Eval = %.20q…, %v", got, err)
	}
	_, err = Compile(`"` + strings.Repeat("é", MaxSourceLength-1) + `"`)
	if !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "4001 characters, the limit is 4000") {
		t.Fatalf("Compile of %d characters: %v, want the length limit", MaxSourceLength+1, err)
	}
}

func TestErrorMessage(t *testing.T) {
	cases := []struct {
		name string
		err  Error
		want string
	}{
		{"no position", Error{Message: "expression is empty"}, "expression is empty"},
		{"a column without a line is no position", Error{Message: "m", Column: 4}, "m"},
		{"line and column", Error{Message: "m", Line: 1, Column: 4}, "m (1:4)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConvertErrorPosition(t *testing.T) {
	cases := []struct {
		name         string
		in           error
		line, column int
	}{
		{"expr's columns start at 0, ours at 1", &file.Error{Line: 2, Column: 6, Message: "m"}, 2, 7},
		{"no line: no position at all", &file.Error{Line: 0, Column: 6, Message: "m"}, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e *Error
			if !errors.As(convertError(tc.in), &e) || e.Line != tc.line || e.Column != tc.column {
				t.Errorf("convertError = %#v, want line %d column %d", e, tc.line, tc.column)
			}
		})
	}
}

func TestEvalCapsTimeoutAtDefault(t *testing.T) {
	// A caller's deadline far away does not lift the sandbox's own limit.
	p, err := Compile("let a = 1..1000; all(a, all(a, all(a, true)))")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	start := time.Now()
	_, err = p.Eval(ctx, nil)
	if !errors.Is(err, ErrLimitExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("Eval with an hour's deadline: %v after %s, want a limit error well within a second", err, time.Since(start))
	}
}

func newTestGuard(deadline time.Time) *guard {
	return newGuard(context.Background(), deadline, DefaultTimeout)
}

func TestGuardCountsSteps(t *testing.T) {
	g := newTestGuard(time.Now().Add(time.Hour))
	g.steps = MaxSteps - 1
	if _, err := checkValue(g, 1); err != nil {
		t.Fatalf("step %d of %d refused: %v", MaxSteps, MaxSteps, err)
	}
	if g.steps != MaxSteps {
		t.Fatalf("steps = %d after one more step, want %d", g.steps, MaxSteps)
	}
	_, err := checkValue(g, 1)
	if !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "more than 1000000 steps per expression") {
		t.Fatalf("step %d: %v, want the step limit", MaxSteps+1, err)
	}
}

func TestChargeIsExactAtItsLimits(t *testing.T) {
	cases := []struct {
		name          string
		usedSteps     int64
		usedMemory    int64
		steps, bytes  int64
		wantSubstring string // empty: accepted
	}{
		{"all the steps left", 10, 0, MaxSteps - 10, 0, ""},
		{"one step more than left", 10, 0, MaxSteps - 9, 0, "would take 999991 steps, past the limit of 1000000 steps per expression (10 already used)"},
		{"all the memory left", 0, 100, 0, MaxMemory - 100, ""},
		{"one byte more than left", 0, 100, 0, MaxMemory - 99, "would allocate 4194205 bytes; the limit is 4194304 bytes per expression and 100 are already used"},
		{"one byte more than the limit, nothing used", 0, 0, 0, MaxMemory + 1, "op would allocate 4194305 bytes; the limit is 4194304 bytes per expression"},
		{"memory is checked before steps", 0, 0, MaxSteps + 1, MaxMemory + 1, "4194305 bytes; the limit is 4194304 bytes per expression"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGuard(time.Now().Add(time.Hour))
			g.steps, g.memory = tc.usedSteps, tc.usedMemory
			err := g.charge("op", tc.steps, tc.bytes)
			if tc.wantSubstring == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if g.steps != tc.usedSteps+tc.steps || g.memory != tc.usedMemory+tc.bytes {
					t.Fatalf("charged %d steps, %d bytes; want %d, %d", g.steps, g.memory, tc.usedSteps+tc.steps, tc.usedMemory+tc.bytes)
				}
				return
			}
			if !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), tc.wantSubstring) ||
				tc.usedMemory == 0 && tc.bytes > MaxMemory && !strings.HasSuffix(err.Error(), tc.wantSubstring) {
				t.Fatalf("err = %v, want %q", err, tc.wantSubstring)
			}
			if g.steps != tc.usedSteps || g.memory != tc.usedMemory {
				t.Fatalf("a refused charge was counted: %d steps, %d bytes", g.steps, g.memory)
			}
		})
	}
}

func TestGuardReadsTheClockOnEveryCharge(t *testing.T) {
	for _, before := range []int64{0, 1, 63, 64, 5000} {
		g := newTestGuard(time.Now().Add(-time.Second))
		g.steps = before
		_, err := checkValue(g, 1)
		if !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "ran longer than 100ms") {
			t.Fatalf("after %d steps: err = %v, want the time limit", before, err)
		}
	}
	g := newTestGuard(time.Now().Add(time.Hour))
	if _, err := checkValue(g, 1); err != nil {
		t.Fatalf("before the deadline: %v", err)
	}
}

func TestGuardStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := newGuard(ctx, time.Now().Add(time.Hour), DefaultTimeout)
	g.steps = 5
	if _, err := checkValue(g, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestGuardRefusesMissingGuard(t *testing.T) {
	for _, g := range []any{nil, (*guard)(nil), "not a guard"} {
		if _, err := checkValue(g, 1); err == nil || !strings.Contains(err.Error(), "guard missing") {
			t.Errorf("checkValue(%#v, 1) = %v, want an internal error", g, err)
		}
	}
}

func TestResultSizeLimit(t *testing.T) {
	cases := []struct {
		name string
		v    any
		ok   bool
	}{
		{"a string at the limit", strings.Repeat("x", MaxValueSize), true},
		{"a string one byte over", strings.Repeat("x", MaxValueSize+1), false},
		{"an array that crosses the limit at its last element", []any{strings.Repeat("x", MaxValueSize-2), "y"}, false},
		{"an array at the limit", []any{strings.Repeat("x", MaxValueSize-3), "y"}, true},
	}
	p, err := Compile("v")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := p.Eval(context.Background(), map[string]any{"v": tc.v})
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && (!errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "value is larger than 1048576")) {
				t.Fatalf("err = %v, want the value size limit", err)
			}
			if tc.ok && !sameValue(out, tc.v) {
				t.Fatal("the value changed")
			}
		})
	}
}

func sameValue(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		return len(as) == len(bs) && (len(as) == 0 || &as[0] == &bs[0])
	}
	return a == b
}

func TestSize(t *testing.T) {
	const big = 1 << 30
	cases := []struct {
		name  string
		v     any
		limit int
		want  int
	}{
		{"nil", nil, big, 1},
		{"bool", true, big, 1},
		{"int", 7, big, 1},
		{"float", 1.5, big, 1},
		{"string: bytes", "héllo", big, 6},
		{"array: elements plus contents", []any{"ab", 1.0, nil}, big, 3 + 2 + 1 + 1},
		{"object: keys, their bytes and values", map[string]any{"ab": "cde"}, big, 1 + 2 + 3},
		{"nested", map[string]any{"a": []any{"bc", map[string]any{"d": true}}}, big, 1 + 1 + (2 + 2 + (1 + 1 + 1))},
		{"[]int", []int{1, 2, 3}, big, 3},
		{"[]float64", []float64{1, 2}, big, 2},
		{"[]string", []string{"ab", "c"}, big, 2 + 3},
		{"other slices by reflection", []bool{true, false}, big, 2 + 2},
		{"arrays by reflection", [2]string{"ab", "c"}, big, 2 + 3},
		{"maps by reflection", map[any][]any{"k": {"ab"}}, big, 1 + 1 + (1 + 2)},
		{"something else", struct{}{}, big, 1},

		// The measure stops as soon as it reaches its limit, so that a value sharing structure
		// cannot make measuring it expensive; the partial count is at least the limit.
		{"array: stops at the limit", []any{"ab", "cd", "ef"}, 5, 3 + 2},
		{"array: stops exactly at the limit", []any{"ab", "cd"}, 4, 2 + 2},
		{"array: a nested array gets what is left", []any{[]any{"aa", "bb", "cc"}}, 4, 1 + (3)},
		{"object: stops exactly at the limit", map[string]any{"a": "x", "b": "y"}, 4, 2 + 1 + 1},
		{"object: a nested array gets what is left", map[string]any{"k": []any{"aa", "bb", "cc"}}, 5, 1 + 1 + (3 + 2)},
		{"reflected slice: stops at the limit", []bool{true, true, true, true}, 5, 4 + 1},
		{"reflected slice: a nested one gets what is left", [][]bool{{true, true}}, 4, 1 + (2 + 1)},
		{"reflected map: stops at the limit", map[any]int{"a": 1, "b": 2}, 3, 2 + 1 + 1},
		{"reflected map: stops exactly at the limit", map[any]int{"a": 1, "b": 2}, 4, 2 + 1 + 1},
		{"reflected map: a key gets what is left", map[[3]bool]int{{}: 1}, 5, 1 + (3 + 1) + 1},
		{"reflected map: a value gets what is left", map[any][]any{"k": {"aa", "bb", "cc"}}, 5, 1 + 1 + (3 + 2)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := size(tc.v, tc.limit); got != tc.want {
				t.Errorf("size(%#v, %d) = %d, want %d", tc.v, tc.limit, got, tc.want)
			}
		})
	}
}

// TestPatcherGuards checks what the patcher installs: every builtin becomes our charged
// version, the operators that allocate or loop become charged calls, and every loop body,
// literal and method call passes through a guard, so that nothing runs uncharged.
func TestPatcherGuards(t *testing.T) {
	cases := []struct {
		src     string
		guarded []string // the reserved functions called, without their prefix, in any order
	}{
		{"a + b", []string{"op_+"}},
		{"1..3", []string{"op_.."}},
		{"a * b == c and d < e", []string{"op_=="}},
		{"a != b", []string{"op_=="}},
		{"a in b", []string{"op_in"}},
		{"a not in b", []string{"op_in"}},
		{"a matches 'x'", []string{"op_matches"}},
		{"a contains b or a startsWith b or a endsWith b", []string{"op_contains", "op_startsWith", "op_endsWith"}},
		{"len(a)", []string{"builtin_len"}},
		{"[a, b]", []string{"check"}},
		{"{'k': a}", []string{"check"}},
		{"now().Year()", []string{"check", "builtin_now"}},
		{"now().Format(f)", []string{"check", "argument", "builtin_now"}},
		{"all(a, # > 1)", []string{"check", "check"}},
		{"map(a, #)", []string{"check", "element"}},
		{"filter(a, true)", []string{"check", "element"}},
		{"sortBy(a, #)", []string{"check", "key", "sort"}},
		{"groupBy(a, #)", []string{"check", "key"}},
		{"count(a)", []string{"check", "check"}},
		{"sum(a)", []string{"check", "check"}},
	}
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			p, err := Compile(tc.src)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			ast.Walk(new(p.program.Node()), visitor(func(n ast.Node) {
				c, ok := n.(*ast.CallNode)
				if !ok || !isGuardCall(c) {
					return
				}
				if id, ok := c.Callee.(*ast.IdentifierNode); ok {
					got = append(got, strings.TrimPrefix(id.Value, reservedPrefix+"_"))
				}
			}))
			if !sameSet(got, tc.guarded) {
				t.Errorf("guarded %q, want %q", got, tc.guarded)
			}
		})
	}
}

type visitor func(ast.Node)

func (v visitor) Visit(n *ast.Node) { v(*n) }

func sameSet(a, b []string) bool {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}
