package expression

// The charges themselves: exact values on small arguments (so that a charge that drifts is
// noticed), and on large arguments an upper bound of what expr's implementation really
// allocates (measured), so that "charged before" means "no more than charged".

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr/builtin"
)

func TestChargesOnSmallArguments(t *testing.T) {
	cases := []struct {
		name         string
		args         []any
		steps, bytes int64
	}{
		{"repeat", []any{"ab", 3}, 1, 6},
		{"repeat", []any{"ab", -1}, 1, 0},
		{"repeat", []any{strings.Repeat("x", 64), 2}, 3, 128},
		{"upper", []any{"abcd"}, 1, 22},
		{"lower", []any{strings.Repeat("x", 128)}, 3, 128 + 64 + 16},
		{"split", []any{"a,b,c", ","}, 4, 48},
		{"split", []any{"abc", ""}, 5, 64},
		{"split", []any{"a,b,c", ",", 2}, 3, 32},
		{"split", []any{"a,b,c", ",", -1}, 4, 48},
		{"split", []any{"a,b,c", ",", 0}, 1, 0},
		{"replace", []any{"aaa", "a", "b", 0}, 1, 3},
		{"upper", []any{"\x80"}, 1, 5 + 16},
		{"upper", []any{"\x7f"}, 1, 1 + 16},
		{"splitAfter", []any{"a,b,c", ","}, 4, 48},
		{"replace", []any{"aaa", "a", "bb"}, 1, 9},
		{"replace", []any{"aaa", "a", "bb", 1}, 1, 5},
		{"replace", []any{"aaa", "a", "bb", -1}, 1, 9},
		{"replace", []any{"abc", "", "-"}, 1, 7},
		{"replace", []any{strings.Repeat("a", 64), "a", strings.Repeat("b", 2)}, 2 + 3, 64 + 128},
		{"join", []any{[]any{"ab", "c"}, "-"}, 2, 5 + 32},
		{"join", []any{[]string{"ab", "c"}}, 2, 3 + 32},
		{"join", []any{[]string{strings.Repeat("x", 128)}, "-"}, 3, 129 + 16},
		{"toBase64", []any{"hello"}, 1, 5 + 2*8 + 16},
		{"fromBase64", []any{"aGVsbG8="}, 1, 32},
		{"fromJSON", []any{"[1]"}, 8, 3*64 + 64},
		{"toJSON", []any{[]any{1, "a"}}, 3, 12 * 40},
		{"toJSON", []any{map[string]any{"k": nil}}, 2, 12 * (4 + 3 + 4 + 2 + 32 + 5)},
		{"string", []any{[]any{1, "a"}}, 3, 80},
		{"keys", []any{map[string]any{"a": 1, "b": 2}}, 3, 128},
		{"values", []any{map[string]any{"a": 1, "b": 2}}, 3, 160},
		{"toPairs", []any{map[string]any{"a": 1, "b": 2}}, 3, 224},
		{"reverse", []any{[]any{1, 2}}, 3, 32},
		{"concat", []any{[]any{1}, []any{2, 3}}, 4, 288},
		{"flatten", []any{[]any{1, []any{2}}}, 6, 640},
		{"sort", []any{[]any{3, 1, 2}}, 12, 48},
		{"sort", []any{[]string{"bb", "a"}}, 8, 32},
		{"sort", []any{[]any{strings.Repeat("x", 64), "a"}}, 16, 32},
		{"median", []any{[]any{1, 2, 3}}, 7, 144},
		{"max", []any{1, 2}, 3, 0},
		{"date", []any{"2024-01-02"}, 108, 4096},
		{"date", []any{strings.Repeat("x", 64)}, 116, 4096},
		{"timezone", []any{"UTC"}, 101, 4096},
		{"int", []any{"42"}, 1, 0},
		{"uniq", []any{[]any{1, 2}}, 2, 160},
		{"fromPairs", []any{[]any{[]any{"a", 1}}}, 1, 160},
		{"indexOf", []any{"abc", "b"}, 1, 0},
		{"len", []any{"abc"}, 1, 0},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s%v", tc.name, tc.args), func(t *testing.T) {
			steps, bytes := charges[tc.name](tc.args, MaxMemory)
			if steps != tc.steps || bytes != tc.bytes {
				t.Errorf("charge = %d steps, %d bytes; want %d, %d", steps, bytes, tc.steps, tc.bytes)
			}
		})
	}
}

func TestOperatorCharges(t *testing.T) {
	cases := []struct {
		name         string
		op           func(g *guard, a, b any) (any, error)
		a, b         any
		want         any
		steps, bytes int64
	}{
		{"string +", opAdd, "ab", "c", "abc", 1, 3},
		{"number +", opAdd, 1, 2, 3, 1, 0},
		{"range", opRange, 1, 10, []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 2, 90},
		{"long string +", opAdd, strings.Repeat("x", 40000), "y", strings.Repeat("x", 40000) + "y", 626, 40001 + 5000 + 8192},
		{"empty range", opRange, 5, 1, []int{}, 1, 0},
		{"one-element range", opRange, 3, 3, []int{3}, 1, 9},
		{"in an array", opIn, "a", []any{"b", "a"}, true, 2, 0},
		{"in an array of numbers", opIn, 3, []any{1, 2}, false, 2, 0},
		{"in a map", opIn, "k", map[string]any{"k": 1}, true, 1, 0},
		{"== of arrays", opEqual, []any{1}, []any{1}, true, 1, 0},
		{"== of long strings", opEqual, strings.Repeat("x", 100), strings.Repeat("x", 100), true, 13, 0},
		{"== of short strings", opEqual, "a", "b", false, 1, 0},
		{"contains", opStrings("contains", strings.Contains), strings.Repeat("x", 128), "y", false, 3, 0},
		{"matches", opMatches, "abc", "b", true, 1 + 2*4/8 + 1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newTestGuard(time.Now().Add(time.Hour))
			got, err := tc.op(g, tc.a, tc.b)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("= %v, want %v", got, tc.want)
			}
			// matches also charges compiling its pattern.
			if tc.name != "matches" && (g.steps != tc.steps || g.memory != tc.bytes) {
				t.Errorf("charged %d steps, %d bytes; want %d, %d", g.steps, g.memory, tc.steps, tc.bytes)
			}
		})
	}
}

func TestMatchesChargesProgramTimesInput(t *testing.T) {
	cp, err := compilePattern("a+b")
	if err != nil {
		t.Fatal(err)
	}
	g := newTestGuard(time.Now().Add(time.Hour))
	input := strings.Repeat("a", 799)
	if _, err := opMatches(g, input, "a+b"); err != nil {
		t.Fatal(err)
	}
	compile := scan(3)*16 + int64(cp.insts)/8
	if want := compile + int64(cp.insts)*800/8 + 1; g.steps != want {
		t.Fatalf("charged %d steps, want %d (program of %d instructions × 800 / 8, plus compiling)", g.steps, want, cp.insts)
	}
	if want := int64(3*64 + cp.insts*128); g.memory != want {
		t.Fatalf("charged %d bytes, want %d", g.memory, want)
	}
}

// TestChargesBoundWhatBuiltinsAllocate runs expr's own builtins on large arguments and
// measures what they allocate: never more than their charge.
func TestChargesBoundWhatBuiltinsAllocate(t *testing.T) {
	text := strings.Repeat("héllo <wörld> & ", 4096) // 72 KiB with escapes and UTF-8
	doc := map[string]any{}
	if err := json.Unmarshal([]byte(`{"a": [1, 2.5, "x", null, true, {"b": [[], {}]}], "c": "<&>"}`), &doc); err != nil {
		t.Fatal(err)
	}
	nested := make([]any, 2000)
	for i := range nested {
		nested[i] = doc
	}
	numbers := make([]any, 20000)
	for i := range numbers {
		numbers[i] = float64(i%977) + 0.5
	}
	cases := []struct {
		name string
		args []any
	}{
		{"repeat", []any{"abc", 100000}},
		{"upper", []any{text}},
		{"lower", []any{strings.Repeat("ȿ", 50000)}},
		{"upper", []any{strings.Repeat("ȿ", 50000)}},
		{"split", []any{text, " "}},
		{"split", []any{text, ""}},
		{"splitAfter", []any{text, "l"}},
		{"replace", []any{text, "l", "LLL"}},
		{"replace", []any{text, "", "-"}},
		{"join", []any{strings.Split(text, " "), ", "}},
		{"join", []any{numbersAsStrings(20000), "+"}},
		{"toJSON", []any{nested}},
		{"toJSON", []any{text}},
		{"toJSON", []any{numbers}},
		{"string", []any{nested}},
		{"string", []any{numbers}},
		{"fromJSON", []any{"[" + strings.Repeat("0,", 50000) + "0]"}},
		{"fromJSON", []any{"[" + strings.Repeat("[],", 30000) + "[]]"}},
		{"fromJSON", []any{"[" + strings.Repeat("{},", 30000) + "{}]"}},
		{"fromJSON", []any{`{` + strings.Repeat(`"k":{},`, 1) + `"x": "` + text + `"}`}},
		{"toBase64", []any{text}},
		{"fromBase64", []any{strings.Repeat("aGVsbG8h", 10000)}},
		{"keys", []any{bigMap(10000)}},
		{"values", []any{bigMap(10000)}},
		{"toPairs", []any{bigMap(10000)}},
		{"fromPairs", []any{pairs(10000)}},
		{"reverse", []any{numbers}},
		{"concat", []any{numbers, numbers, numbers}},
		{"flatten", []any{[]any{numbers, []any{numbers, []any{numbers}}}}},
		{"sort", []any{numbers}},
		{"median", []any{numbers}},
		{"uniq", []any{numbers}},
		{"trim", []any{text}},
	}
	byName := map[string]*builtin.Function{}
	for _, f := range builtin.Builtins {
		byName[f.Name] = f
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, charged := charges[tc.name](tc.args, 1<<40)
			charged = alloc(charged)
			orig := byName[tc.name]
			run := chargedBuiltin(orig, func([]any, int64) (int64, int64) { return 0, 0 })
			g := newTestGuard(time.Now().Add(time.Hour))
			args := append([]any{g}, tc.args...)
			allocated := allocatedBy(func() {
				if _, err := run(args...); err != nil {
					t.Fatal(err)
				}
			})
			// 512 bytes: the boxes of the result and the call's own bookkeeping.
			if allocated > charged+512 {
				t.Errorf("%s allocated %d bytes, charged %d", tc.name, allocated, charged)
			}
		})
	}
}

func allocatedBy(f func()) int64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return int64(after.TotalAlloc - before.TotalAlloc)
}

func numbersAsStrings(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprint(i)
	}
	return out
}

func bigMap(n int) map[string]any {
	m := make(map[string]any, n)
	for i := range n {
		m[fmt.Sprint("key-", i)] = float64(i)
	}
	return m
}

func pairs(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = []any{fmt.Sprint("key-", i), float64(i)}
	}
	return out
}

// TestEvalReportsUsageToTheBudget checks that what one evaluation charged is what the
// step's budget records.
func TestEvalReportsUsageToTheBudget(t *testing.T) {
	p, err := Compile(`repeat("ab", 10)`)
	if err != nil {
		t.Fatal(err)
	}
	b := NewStepBudget()
	if _, err := p.EvalIn(context.Background(), b, nil); err != nil {
		t.Fatal(err)
	}
	if steps, mem := b.Used(); steps != 1 || mem != 22 {
		t.Fatalf("budget used %d steps, %d bytes; want 1, 22 (20 rounded as Go allocates)", steps, mem)
	}
}
