package expression

// Unit tests of the budget's arithmetic and of each guard: the values they charge, at their
// edges, so that a charge that drifts (or a guard that stops charging) fails here.

import (
	"context"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSaturatingArithmetic(t *testing.T) {
	cases := []struct {
		name      string
		got, want int64
	}{
		{"add", add(1, 2), 3},
		{"add at the cap", add(huge-2, 1), huge - 1},
		{"add past the cap", add(huge-1, 5), huge},
		{"mul", mul(3, 4), 12},
		{"mul by zero", mul(0, 5), 0},
		{"mul of a negative", mul(-1, 5), 0},
		{"mul by a negative", mul(5, -1), 0},
		{"mul at the cap", mul(huge/2, 2), huge / 2 * 2},
		{"mul past the cap", mul(huge/2+1, 2), huge},
		{"mul of huge numbers", mul(math.MaxInt64, math.MaxInt64), huge},
		{"scan of nothing", scan(0), 1},
		{"scan of 63 bytes", scan(63), 1},
		{"scan of 64 bytes", scan(64), 2},
		{"log2 of 0", log2(0), 1},
		{"log2 of 1", log2(1), 1},
		{"log2 of 2", log2(2), 2},
		{"log2 of 3", log2(3), 2},
		{"log2 of 4", log2(4), 3},
		{"log2 of 1024", log2(1024), 11},
		{"alloc of a small object", alloc(8), 9},
		{"alloc at the large-object edge", alloc(32 << 10), 32<<10 + 4<<10},
		{"alloc of a large object", alloc(32<<10 + 8), 32<<10 + 8 + 4<<10 + 1 + 8192},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestBudgetTake(t *testing.T) {
	steps, memory := (*Budget)(nil).take()
	if steps != (limit{left: MaxSteps, value: MaxSteps, scope: perExpression}) || memory != (limit{left: MaxMemory, value: MaxMemory, scope: perExpression}) {
		t.Fatalf("nil budget: %+v %+v", steps, memory)
	}
	// Exactly one evaluation's worth left: the evaluation's own limit binds.
	b := &Budget{maxSteps: MaxSteps + 10, maxMemory: MaxMemory + 10, steps: 10, memory: 10}
	steps, memory = b.take()
	if steps.scope != perExpression || memory.scope != perExpression || steps.left != MaxSteps || memory.left != MaxMemory {
		t.Fatalf("at the edge: %+v %+v", steps, memory)
	}
	// One less: the step's budget binds, and says what was used.
	b = &Budget{maxSteps: MaxSteps + 10, maxMemory: MaxMemory + 10, steps: 11, memory: 11}
	steps, memory = b.take()
	if steps != (limit{left: MaxSteps - 1, value: MaxSteps + 10, usedBefore: 11, scope: perStep}) ||
		memory != (limit{left: MaxMemory - 1, value: MaxMemory + 10, usedBefore: 11, scope: perStep}) {
		t.Fatalf("past the edge: %+v %+v", steps, memory)
	}
	b.record(5, 7)
	if s, m := b.Used(); s != 16 || m != 18 {
		t.Fatalf("Used = %d, %d after recording 5, 7", s, m)
	}
	(*Budget)(nil).record(1, 1) // no budget: nothing to record, no panic
}

func TestChargeAllocNamesWhatWasAskedFor(t *testing.T) {
	g := newTestGuard(time.Now().Add(time.Hour))
	g.memory = MaxMemory - 100
	err := g.chargeAlloc("op", 1, 101)
	if err == nil || !strings.Contains(err.Error(), "op would allocate 101 bytes") {
		t.Fatalf("err = %v", err)
	}
	if err := g.chargeAlloc("op", 1, 100); err == nil || !strings.Contains(err.Error(), "op would allocate 112 bytes") {
		t.Fatalf("rounded past the limit: %v", err)
	}
	if err := g.chargeAlloc("op", 1, 80); err != nil || g.memory != MaxMemory-10 {
		t.Fatalf("within: %v, memory %d", err, g.memory)
	}
}

func TestTextSize(t *testing.T) {
	const big = huge
	cases := []struct {
		name     string
		v        any
		limit    int64
		n, steps int64
	}{
		{"nil", nil, big, 5, 1},
		{"bool", true, big, 5, 1},
		{"number", 1.5, big, 25, 1},
		{"int", 7, big, 25, 1},
		{"duration", time.Second, big, 25, 1},
		{"time", time.Time{}, big, 64, 1},
		{"string", "ab", big, 4, 1},
		{"long string: steps per 64 bytes", strings.Repeat("a", 128), big, 130, 3},
		{"array", []any{1, "a"}, big, 4 + 4 + 25 + 4 + 3, 3},
		{"nested array: deeper indent", []any{[]any{nil}}, big, 4 + 4 + (6 + 6 + 5), 3},
		{"object", map[string]any{"k": nil}, big, 4 + 3 + 4 + 2 + 32 + 5, 2},
		{"reflected slice", []int{1, 2}, big, 4 + 2*(4+25), 3},
		{"reflected map", map[string]int{"a": 1}, big, 4 + (4 + 2 + 32) + 3 + 25, 3},
		{"something else", struct{}{}, big, 64, 1},
		{"array: stops past the limit", []any{"aaaa", "bbbb", "cccc"}, 10, 4 + 4 + 6, 2},
		{"object: stops past the limit", map[string]any{"a": "xxxxxxxx"}, 10, 4 + 3 + 4 + 2 + 32, 2},
		{"reflected slice: stops past the limit", []int{1, 2, 3}, 10, 4 + 4 + 25, 2},
		{"reflected map: stops past the limit", map[string]int{"a": 1, "b": 2}, 10, 4 + 38, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, steps := textSize(tc.v, tc.limit)
			if n != tc.n || steps != tc.steps {
				t.Errorf("textSize = %d, %d steps; want %d, %d", n, steps, tc.n, tc.steps)
			}
		})
	}
}

func TestJSONStringSize(t *testing.T) {
	cases := []struct {
		s    string
		want int64
	}{
		{"", 2}, {"a", 3}, {"~", 3}, {"<", 8}, {">", 8}, {"&", 8}, {"\n", 8}, {"\x1f", 8}, {" ", 3},
		{`"`, 4}, {`\`, 4}, {"é", 4}, {"\xff", 8}, {"\u2028", 8}, {"\u2029", 8}, {"€", 5},
	}
	for _, tc := range cases {
		if got := jsonStringSize(tc.s); got != tc.want {
			t.Errorf("jsonStringSize(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestUniqueItems(t *testing.T) {
	g := newTestGuard(time.Now().Add(time.Hour))
	negZero := math.Copysign(0, -1)
	got, err := uniqueItems(g, []any{[]any{0.0, negZero, math.NaN(), math.NaN(), 1, 1.0, int64(1), float32(2), 2.0, "a", "a", nil, nil, true, true, false, []any{1}, []any{1}, []any{2}}})
	if err != nil {
		t.Fatal(err)
	}
	items, ok := got.([]any)
	if !ok || len(items) != 11 {
		t.Fatalf("uniq = %#v, want 11 items", got)
	}
	if items[0] != 0.0 || items[3] != 1 || items[4] != float32(2) || items[5] != "a" || items[6] != nil || items[7] != true || items[8] != false {
		t.Errorf("uniq = %#v: the first of equal items, in order", items)
	}
	if f, ok := items[1].(float64); !ok || f == f {
		t.Errorf("uniq = %#v: NaN equals nothing, so each NaN is kept", items)
	}
	if _, err := uniqueItems(g, []any{1, 2}); err == nil || !strings.Contains(err.Error(), "expected 1, got 2") {
		t.Errorf("two arguments: %v", err)
	}
	if _, err := uniqueItems(g, []any{"abc"}); err == nil || !strings.Contains(err.Error(), "cannot uniq string") {
		t.Errorf("a string: %v", err)
	}
	// Comparing arrays is charged: with no steps left, uniq stops.
	g = newTestGuard(time.Now().Add(time.Hour))
	g.steps = MaxSteps - 1
	if _, err := uniqueItems(g, []any{[]any{[]any{1, 2}, []any{1, 2}}}); !errors.Is(err, ErrLimitExceeded) || !strings.Contains(err.Error(), "uniq would take 4 steps") {
		t.Errorf("comparison past the budget: %v", err)
	}
}

func TestGuardFunctionsCharge(t *testing.T) {
	cases := []struct {
		name         string
		fn           func(args ...any) (any, error)
		v            any
		steps, bytes int64
	}{
		{"a value", checkValue, 1, 1, 0},
		{"an array literal: its slots", checkValue, []any{1, 2}, 1, 2 * slot},
		{"an object literal: its entries", checkValue, map[string]any{"a": 1}, 1, mapEntry},
		{"an element of map or filter", checkElement, 1, 1, slot},
		{"a short key", checkKey, "a", 36, mapEntry},
		{"a long key", checkKey, strings.Repeat("x", 128), 36 * 3, mapEntry},
		{"a method's argument", checkArgument, strings.Repeat("x", 64), 2, 256},
		{"a method's non-string argument", checkArgument, 5, 1, 0},
		{"sortBy's array", checkSortCollection, []any{1, 2, 3}, 1, alloc(3 * 2 * slot)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGuard(time.Now().Add(time.Hour))
			out, err := tc.fn(g, tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if g.steps != tc.steps || g.memory != tc.bytes {
				t.Errorf("charged %d steps, %d bytes; want %d, %d", g.steps, g.memory, tc.steps, tc.bytes)
			}
			if !reflect.DeepEqual(out, tc.v) {
				t.Error("the guard changed the value")
			}
			if _, err := tc.fn(g); !errors.Is(err, errInternalGuard) {
				t.Errorf("without a value: %v", err)
			}
			if _, err := tc.fn("not a guard", tc.v); !errors.Is(err, errInternalGuard) {
				t.Errorf("without a guard: %v", err)
			}
			full := newTestGuard(time.Now().Add(time.Hour))
			full.steps = MaxSteps
			if _, err := tc.fn(full, tc.v); !errors.Is(err, ErrLimitExceeded) {
				t.Errorf("with no steps left: %v", err)
			}
		})
	}
}

func TestOperatorsRefuseUnchargedInput(t *testing.T) {
	g := newTestGuard(time.Now().Add(time.Hour))
	cases := []struct {
		name string
		run  func() (any, error)
		want string
	}{
		{"contains of numbers", func() (any, error) { return opStrings("contains", strings.Contains)(g, 1, 2) }, "contains needs two strings, not int and int"},
		{"matches of a number", func() (any, error) { return opMatches(g, 1, "a") }, "matches needs a string, not int"},
		{"matches with a number pattern", func() (any, error) { return opMatches(g, "a", 1) }, "matches needs a string pattern, not int"},
		{"an invalid pattern", func() (any, error) { return opMatches(g, "a", "(") }, "missing closing )"},
	}
	for _, tc := range cases {
		if _, err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	for _, op := range []func(g *guard, a, b any) (any, error){opStrings("contains", strings.Contains), opMatches} {
		if got, err := op(g, nil, "a"); err != nil || got != false {
			t.Errorf("nil operand: %v, %v; want false", got, err)
		}
		if got, err := op(g, "a", nil); err != nil || got != false {
			t.Errorf("nil operand: %v, %v; want false", got, err)
		}
	}
	if got, err := opMatches(g, []byte("abc"), "b"); err != nil || got != true {
		t.Errorf("matches on bytes: %v, %v", got, err)
	}
}

func TestOperatorChargesOnLargeOperands(t *testing.T) {
	long := strings.Repeat("x", 640)
	cases := []struct {
		name  string
		op    func(g *guard, a, b any) (any, error)
		a, b  any
		steps int64
	}{
		{"in: each element compared with the needle's size", opIn, []any{1, 2}, []any{[]any{1, 2}, 3, 4}, 3 * 4},
		{"in an empty array", opIn, 1, []any{}, 1},
		{"in a reflected map", opIn, long, map[string]int{"a": 1}, 11},
		{"== of a long and a short string", opEqual, long, "x", 1},
		{"== of two long strings", opEqual, long, long, 640/8 + 1},
		{"== of a 64-byte string", opEqual, strings.Repeat("x", 64), strings.Repeat("x", 64), 1},
		{"== of a 65-byte string", opEqual, strings.Repeat("x", 65), strings.Repeat("x", 65), 65/8 + 1},
		{"== of an array and nil", opEqual, nil, []any{1, 2, 3}, 1},
		{"startsWith", opStrings("startsWith", strings.HasPrefix), long, long, scan(1280)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGuard(time.Now().Add(time.Hour))
			if _, err := tc.op(g, tc.a, tc.b); err != nil {
				t.Fatal(err)
			}
			if g.steps != tc.steps {
				t.Errorf("charged %d steps, want %d", g.steps, tc.steps)
			}
		})
	}
}

func TestLengthAndArguments(t *testing.T) {
	cases := []struct {
		v    any
		want int
	}{
		{[]any{1, 2}, 2}, {[]int{1}, 1}, {[]string{"a", "b", "c"}, 3}, {[]float64{1, 2}, 2},
		{map[string]any{"a": 1}, 1}, {map[int]int{1: 1, 2: 2}, 2}, {[2]bool{}, 2}, {"abc", 0}, {nil, 0}, {5, 0},
	}
	for _, tc := range cases {
		if got := length(tc.v); got != tc.want {
			t.Errorf("length(%#v) = %d, want %d", tc.v, got, tc.want)
		}
	}
	if arg([]any{1}, 1) != nil || arg([]any{1}, 0) != 1 {
		t.Error("arg")
	}
	if toNumber("x") != 0 || toNumber(2.5) != 2.5 || toNumber(int8(3)) != int8(3) {
		t.Error("toNumber")
	}
}

func TestPatternChargesAndCache(t *testing.T) {
	p, err := Compile(`s matches pattern`)
	if err != nil {
		t.Fatal(err)
	}
	g := newGuard(context.Background(), time.Now().Add(time.Hour), DefaultTimeout)
	g.prog = p
	if _, err := g.pattern("a+"); err != nil {
		t.Fatal(err)
	}
	first := g.steps
	if _, err := g.pattern("a+"); err != nil {
		t.Fatal(err)
	}
	if g.steps-first != 1 {
		t.Errorf("a cached pattern charged %d steps, want 1", g.steps-first)
	}
	if _, err := g.pattern(strings.Repeat("a", MaxPatternLength)); err != nil {
		t.Errorf("a pattern at the limit: %v", err)
	}
	if _, err := g.pattern(strings.Repeat("a", MaxPatternLength+1)); !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("a pattern past the limit: %v", err)
	}
	full := newTestGuard(time.Now().Add(time.Hour))
	full.steps = MaxSteps
	if _, err := full.pattern("b+"); !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("compiling with no steps left: %v", err)
	}
	full.prog = p
	if _, err := full.pattern("a+"); !errors.Is(err, ErrLimitExceeded) {
		t.Errorf("a cached pattern with no steps left: %v", err)
	}
}
