package expression

import (
	"fmt"
	"reflect"
	"regexp"
	"regexp/syntax"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/vm/runtime"
)

// Every builtin of expr is either a loop over an array with a predicate (all, map, filter,
// reduce, sortBy, ...), which stays expr's own loop and is charged per iteration by the
// patcher (see loopBuiltins), or is replaced by a function of ours (see charges): it measures
// its arguments, charges the work and the allocation the builtin will do against the
// evaluation's budget, and only then calls expr's own implementation, so results are those of
// expr. A builtin expr adds in a later version is in neither table and is refused at compile
// time ("is not available"), and TestEveryBuiltinIsBounded fails until it is charged here.

// A charge estimates, from a builtin's arguments and before it runs, the steps it will take
// and the bytes it will allocate. It is an upper bound for the arguments the builtin accepts;
// for arguments it refuses (a number where it wants a string) it may say anything small.
// room is the bytes the evaluation may still allocate: measuring an argument stops there,
// so that measuring (a value that shares structure, say) costs no more than the budget.
type chargeFunc func(args []any, room int64) (steps, bytes int64)

// Slots of []any and map entries, in bytes.
const (
	slot      = 16
	mapEntry  = 64
	textUnits = 24 // a number or a small value written as text
)

// loopBuiltins are the builtins that take a predicate. expr compiles them into loops of its
// virtual machine; the patcher charges each iteration (a step, plus the element slot the
// result gains for map, filter, groupBy and sortBy, plus the key's comparisons for sortBy and
// hashing for groupBy).
var loopBuiltins = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "count": true,
	"sum": true, "groupBy": true, "sortBy": true, "reduce": true,
}

// disabledBuiltins cannot be bounded and are refused at compile time, with the reason.
// (None today: every builtin of expr 1.17 is charged.)
var disabledBuiltins = map[string]string{}

var charges = map[string]chargeFunc{
	"len":  one,
	"type": one,
	"abs":  one, "ceil": one, "floor": one, "round": one,
	"int":   readsFirstString(0),
	"float": readsFirstString(0),
	"string": func(a []any, room int64) (int64, int64) {
		n, steps := textSize(arg(a, 0), room/2)
		return steps, 2 * n
	},
	"trim":       readsStrings,
	"trimPrefix": readsStrings,
	"trimSuffix": readsStrings,
	"upper":      caseMapping,
	"lower":      caseMapping,
	"split":      splitting,
	"splitAfter": splitting,
	"replace":    replacing,
	"repeat": func(a []any, room int64) (int64, int64) {
		s, n := str(arg(a, 0)), int64(runtime.ToInt(toNumber(arg(a, 1))))
		bytes := mul(int64(len(s)), n)
		return add(bytes/64, 1), bytes
	},
	"join": func(a []any, room int64) (int64, int64) {
		glue := str(arg(a, 1))
		parts, total := 0, int64(0)
		switch x := arg(a, 0).(type) {
		case []string:
			for _, s := range x {
				total += int64(len(s))
			}
			parts = len(x)
		case []any:
			for _, e := range x {
				total += int64(len(str(e)))
			}
			parts = len(x)
		}
		bytes := add(total, mul(int64(parts), int64(len(glue))))
		// expr's join of []any builds a []string first.
		return add(bytes/64, int64(parts)), add(bytes, int64(parts)*slot)
	},
	"indexOf":     readsStrings,
	"lastIndexOf": readsStrings,
	"hasPrefix":   readsStrings,
	"hasSuffix":   readsStrings,
	"max":         aggregate(0),
	"min":         aggregate(0),
	"mean":        aggregate(0),
	"median":      aggregate(24),
	"toJSON": func(a []any, room int64) (int64, int64) {
		// json.MarshalIndent marshals into a growing buffer, copies it, indents into another
		// growing buffer, and the result is copied into a string: twelve times the output
		// bounds what it allocates (measured: under ten).
		n, steps := textSize(arg(a, 0), room/12)
		return add(steps, n/64), mul(n, 12)
	},
	"fromJSON": func(a []any, room int64) (int64, int64) {
		// Decoded JSON takes more room than its text: a 2-byte "0," becomes a boxed number
		// and a slot in a growing array, a 3-byte "{}," an empty object; 64 bytes per byte of
		// input bounds it (measured: under 48).
		n := int64(len(str(arg(a, 0))))
		return scan(int(n)) * 8, add(mul(n, 64), 64)
	},
	"toBase64": func(a []any, room int64) (int64, int64) {
		n := int64(len(str(arg(a, 0))))
		return scan(int(n)), n + 2*((n+2)/3*4) + 16
	},
	"fromBase64": func(a []any, room int64) (int64, int64) {
		n := int64(len(str(arg(a, 0))))
		return scan(int(n)), 2*n + 16
	},
	"now": one,
	// Parsing a duration or a date reads its text; date tries up to seven layouts and may
	// load a time zone from the system's database.
	"duration": readsStrings,
	"date": func(a []any, room int64) (int64, int64) {
		steps, _ := readsStrings(a, room)
		return 100 + 8*steps, 4096
	},
	"timezone": func(a []any, _ int64) (int64, int64) { return 100 + scan(len(str(arg(a, 0)))), 4096 },
	"first":    one,
	"last":     one,
	"get":      readsStrings, // a map lookup hashes its key
	"take":     one,          // a slice of the array, not a copy
	// keys, values and toPairs list the map's keys (reflect values) first, and box each.
	"keys":    elements(64),
	"values":  elements(80),
	"toPairs": elements(112),
	"fromPairs": func(a []any, room int64) (int64, int64) {
		n := length(arg(a, 0))
		units := int64(size(arg(a, 0), int(room)+1))
		return add(int64(n), units/64), mul(int64(n), 160)
	},
	"reverse": elements(slot),
	"uniq": func(a []any, room int64) (int64, int64) {
		// uniqueItems is linear for numbers, strings, booleans and nil; other values are
		// compared with those kept so far, charged as they go.
		n := int64(length(arg(a, 0)))
		units := int64(size(arg(a, 0), int(room)+1))
		return add(n, units/64), mul(n, slot+mapEntry)
	},
	"concat": func(a []any, room int64) (int64, int64) {
		n := int64(0)
		for _, x := range a {
			n += int64(length(x))
		}
		// append doubles its array, and each element is boxed again.
		return add(n, 1), mul(n, 96)
	},
	"flatten": func(a []any, room int64) (int64, int64) {
		units := int64(size(arg(a, 0), int(room)+1))
		return add(units, 1), mul(units, 128)
	},
	"sort": func(a []any, room int64) (int64, int64) {
		n := length(arg(a, 0))
		longest := 0
		if s, ok := arg(a, 0).([]string); ok {
			for _, e := range s {
				longest = max(longest, len(e))
			}
		}
		if s, ok := arg(a, 0).([]any); ok {
			for _, e := range s {
				longest = max(longest, len(str(e)))
			}
		}
		return mul(mul(int64(n), log2(n)*2), scan(longest)), mul(int64(n), slot)
	},
	"bitand": one, "bitor": one, "bitxor": one, "bitnand": one,
	"bitshl": one, "bitshr": one, "bitushr": one, "bitnot": one,
}

// replacements are our own implementations where expr's own is not bounded by its
// arguments' size: uniq compares every element with every kept one (quadratic).
var replacements = map[string]func(g *guard, args []any) (any, error){
	"uniq": uniqueItems,
}

// one is the charge of builtins that do constant work.
func one([]any, int64) (int64, int64) { return 1, 0 }

// readsStrings is the cost of builtins that read their string arguments without allocating
// more than a small result.
func readsStrings(a []any, _ int64) (int64, int64) {
	n := 0
	for _, x := range a {
		n += len(str(x))
	}
	return scan(n), 0
}

func readsFirstString(bytes int64) chargeFunc {
	return func(a []any, room int64) (int64, int64) { return scan(len(str(arg(a, 0)))), bytes }
}

// caseMapping: upper and lower copy an ASCII string; other text goes through a growing
// builder, and a few letters grow by half in UTF-8: five times the input bounds it.
func caseMapping(a []any, _ int64) (int64, int64) {
	s := str(arg(a, 0))
	n := int64(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return scan(int(n)), 5*n + 16
		}
	}
	return scan(int(n)), n + n/2 + 16
}

// splitting: the parts are substrings, the result an array of them.
func splitting(a []any, _ int64) (int64, int64) {
	s, sep := str(arg(a, 0)), str(arg(a, 1))
	parts := int64(utf8.RuneCountInString(s)) + 1
	if sep != "" {
		parts = int64(strings.Count(s, sep)) + 1
	}
	if len(a) == 3 {
		// mutation: equivalent CONDITIONALS_BOUNDARY: at n == parts, parts stays what it is.
		if n := int64(runtime.ToInt(toNumber(a[2]))); n >= 0 && n < parts {
			parts = n
		}
	}
	return add(scan(len(s)), parts), mul(parts, slot)
}

// replacing computes the size of the result before it is built.
func replacing(a []any, _ int64) (int64, int64) {
	s, old, repl := str(arg(a, 0)), str(arg(a, 1)), str(arg(a, 2))
	count := int64(utf8.RuneCountInString(s)) + 1
	if old != "" {
		count = int64(strings.Count(s, old))
	}
	if len(a) == 4 {
		// mutation: equivalent CONDITIONALS_BOUNDARY: at n == count, count stays what it is.
		if n := int64(runtime.ToInt(toNumber(a[3]))); n >= 0 && n < count {
			count = n
		}
	}
	out := add(int64(len(s)), mul(count, int64(len(repl))))
	return add(scan(len(s)), out/64), out
}

// aggregate: max, min, mean and median walk their arguments (arrays nested in arrays);
// median copies the numbers.
func aggregate(bytesPerUnit int64) chargeFunc {
	return func(a []any, room int64) (int64, int64) {
		units := int64(0)
		for _, x := range a {
			// Measured past both budgets, so that a cut-off measure cannot pass either.
			units = add(units, int64(size(x, int(max(room, MaxSteps))+1)))
		}
		return add(units, 1), mul(units, bytesPerUnit)
	}
}

// elements: keys, values, toPairs and reverse build an array as long as their argument.
func elements(bytesPer int64) chargeFunc {
	return func(a []any, room int64) (int64, int64) {
		n := int64(length(arg(a, 0)))
		return add(n, 1), mul(n, bytesPer)
	}
}

func arg(a []any, i int) any {
	if i < len(a) {
		return a[i]
	}
	return nil
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// toNumber keeps runtime.ToInt from panicking on what is not a number; the builtin itself
// then reports the wrong argument.
func toNumber(v any) any {
	switch v.(type) {
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return v
	}
	return 0
}

// length is the number of elements of an array or map, 0 for anything else.
func length(v any) int {
	switch x := v.(type) {
	case []any:
		return len(x)
	case []int:
		return len(x)
	case []string:
		return len(x)
	case []float64:
		return len(x)
	case map[string]any:
		return len(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return rv.Len()
	}
	return 0
}

// builtinOptions registers our implementation of every charged builtin under an internal
// name, with expr's own type checks (so compile errors read as before), taking the guard as
// its first argument; the patcher turns each builtin call into a call of it.
func builtinOptions() []func(*conf.Config) {
	guardType := reflect.TypeOf((*guard)(nil))
	var opts []func(*conf.Config)
	for _, orig := range builtin.Builtins {
		charge, ok := charges[orig.Name]
		if !ok {
			continue
		}
		f := &builtin.Function{Name: orig.Name, Func: chargedBuiltin(orig, charge)}
		if orig.Validate != nil {
			validate := orig.Validate
			f.Validate = func(args []reflect.Type) (reflect.Type, error) {
				if len(args) == 0 {
					return nil, fmt.Errorf("internal error: %s called without its guard", orig.Name)
				}
				return validate(args[1:])
			}
		}
		for _, t := range orig.Types {
			in := []reflect.Type{guardType}
			for i := range t.NumIn() {
				in = append(in, t.In(i))
			}
			out := make([]reflect.Type, t.NumOut())
			for i := range out {
				out[i] = t.Out(i)
			}
			f.Types = append(f.Types, reflect.FuncOf(in, out, t.IsVariadic()))
		}
		if orig.Name == "get" {
			// expr checks get's arguments with code of its own; the same rule here.
			f.Validate = func(args []reflect.Type) (reflect.Type, error) {
				if len(args) != 3 {
					return nil, fmt.Errorf("invalid number of arguments (expected 2, got %d)", len(args)-1)
				}
				return reflect.TypeOf((*any)(nil)).Elem(), nil
			}
		}
		name := builtinPrefix + orig.Name
		opts = append(opts, func(c *conf.Config) { c.Functions[name] = f })
	}
	return opts
}

// chargedBuiltin charges a builtin's cost, then runs expr's implementation of it (or ours).
func chargedBuiltin(orig *builtin.Function, charge chargeFunc) func(args ...any) (any, error) {
	own := replacements[orig.Name]
	return func(args ...any) (any, error) {
		g, err := guardOf(args)
		if err != nil {
			return nil, err
		}
		args = args[1:]
		steps, bytes := charge(args, max(0, g.memLimit.left-g.memory))
		if err := g.chargeAlloc(orig.Name, steps, bytes); err != nil {
			return nil, err
		}
		if own != nil {
			return own(g, args)
		}
		switch {
		case orig.Fast != nil:
			if len(args) != 1 {
				return nil, fmt.Errorf("invalid number of arguments for %s (expected 1, got %d)", orig.Name, len(args))
			}
			return orig.Fast(args[0]), nil
		case orig.Safe != nil:
			v, _, err := orig.Safe(args...)
			return v, err
		}
		return orig.Func(args...)
	}
}

func guardOf(args []any) (*guard, error) {
	if len(args) == 0 {
		return nil, errInternalGuard
	}
	g, ok := args[0].(*guard)
	if !ok || g == nil {
		return nil, errInternalGuard
	}
	return g, nil
}

var errInternalGuard = fmt.Errorf("internal error: expression guard missing")

// uniqueItems is expr's uniq (the first of equal items, in order, equal as == says) in linear
// time for scalars: numbers, strings, booleans and nil are looked up by value; anything else is
// compared with the other non-scalars kept, each comparison charged.
func uniqueItems(g *guard, args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("invalid number of arguments (expected 1, got %d)", len(args))
	}
	v := reflect.ValueOf(args[0])
	if v.Kind() != reflect.Array && v.Kind() != reflect.Slice {
		return nil, fmt.Errorf("cannot uniq %s", v.Kind())
	}
	type key struct {
		kind byte
		s    string
		f    float64
		b    bool
	}
	seen := map[key]bool{}
	var others []any
	ret := []any{}
	for i := range v.Len() {
		item := v.Index(i).Interface()
		var k key
		scalar := true
		switch x := item.(type) {
		case nil:
			k = key{kind: 'n'}
		case bool:
			k = key{kind: 'b', b: x}
		case string:
			k = key{kind: 's', s: x}
		case float64:
			k = key{kind: 'f', f: x}
		case float32:
			k = key{kind: 'f', f: float64(x)}
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
			k = key{kind: 'f', f: runtime.ToFloat64(x)}
		default:
			scalar = false
		}
		if scalar {
			// Map keys compare floats with ==, as expr does: -0 is 0, and a NaN is never
			// found, so each NaN is kept.
			if seen[k] {
				continue
			}
			seen[k] = true
			ret = append(ret, item)
			continue
		}
		dup := false
		for _, o := range others {
			if err := g.charge("uniq", int64(min(size(o, MaxMemory+1), size(item, MaxMemory+1))), 0); err != nil {
				return nil, err
			}
			if runtime.Equal(item, o) {
				dup = true
				break
			}
		}
		if !dup {
			others = append(others, item)
			ret = append(ret, item)
		}
	}
	return ret, nil
}

// Operators that loop or allocate, replaced by the patcher with these charged functions.

// opAdd is "+": string concatenation allocates the sum of the lengths.
func opAdd(g *guard, a, b any) (any, error) {
	if x, ok := a.(string); ok {
		if y, ok := b.(string); ok {
			n := int64(len(x)) + int64(len(y))
			if err := g.chargeAlloc("+ (string concatenation)", scan(int(n)), n); err != nil {
				return nil, err
			}
			return x + y, nil
		}
	}
	if err := g.charge("+", 1, 0); err != nil {
		return nil, err
	}
	return runtime.Add(a, b), nil
}

// opRange is "..": an array of every integer between its ends.
func opRange(g *guard, a, b any) (any, error) {
	lo, hi := runtime.ToInt(a), runtime.ToInt(b)
	n := int64(0)
	if hi >= lo {
		n = add(int64(hi)-int64(lo), 1)
	}
	if err := g.chargeAlloc(fmt.Sprintf("the range %d..%d", lo, hi), add(n/8, 1), mul(n, 8)); err != nil {
		return nil, err
	}
	return runtime.MakeRange(lo, hi), nil
}

// opIn is "in": a scan of an array (each element compared), or a map lookup.
func opIn(g *guard, needle, collection any) (any, error) {
	steps := scan(len(str(needle)))
	if n := length(collection); n > 0 {
		if _, isMap := collection.(map[string]any); !isMap && reflect.ValueOf(collection).Kind() != reflect.Map {
			steps = mul(int64(n), max(1, int64(size(needle, MaxMemory+1))))
		}
	}
	if err := g.charge("in", steps, 0); err != nil {
		return nil, err
	}
	return runtime.In(needle, collection), nil
}

// opEqual is "==" (and, negated, "!="): arrays and objects are compared element by element.
func opEqual(g *guard, a, b any) (any, error) {
	steps := int64(1)
	if length(a) > 0 || length(b) > 0 || len(str(a)) > 64 {
		steps = int64(min(size(a, MaxMemory+1), size(b, MaxMemory+1)))/8 + 1
	}
	if err := g.charge("==", steps, 0); err != nil {
		return nil, err
	}
	return runtime.Equal(a, b), nil
}

// opStrings are contains, startsWith and endsWith: reads of their operands.
func opStrings(name string, f func(a, b string) bool) func(g *guard, a, b any) (any, error) {
	return func(g *guard, a, b any) (any, error) {
		if runtime.IsNil(a) || runtime.IsNil(b) {
			return false, nil
		}
		if err := g.charge(name, scan(len(str(a))+len(str(b))), 0); err != nil {
			return nil, err
		}
		x, okA := a.(string)
		y, okB := b.(string)
		if !okA || !okB {
			return nil, fmt.Errorf("%s needs two strings, not %T and %T", name, a, b)
		}
		return f(x, y), nil
	}
}

// MaxPatternLength bounds a pattern of "matches", in bytes.
const MaxPatternLength = 1000

// compiledPattern is a pattern with the size of its program, which bounds the cost of a
// match: Go's regexp (RE2) runs in time proportional to program size times input length.
type compiledPattern struct {
	re    *regexp.Regexp
	insts int
}

// maxCachedPatterns bounds the patterns a Program remembers.
const maxCachedPatterns = 64

// opMatches is "matches": the pattern's length is limited, its compilation charged, and the
// match charged as program size times input length before it runs.
func opMatches(g *guard, a, b any) (any, error) {
	if runtime.IsNil(a) || runtime.IsNil(b) {
		return false, nil
	}
	pattern, ok := b.(string)
	if !ok {
		return nil, fmt.Errorf("matches needs a string pattern, not %T", b)
	}
	cp, err := g.pattern(pattern)
	if err != nil {
		return nil, err
	}
	s, isString := a.(string)
	bs, isBytes := a.([]byte)
	if !isString && !isBytes {
		return nil, fmt.Errorf("matches needs a string, not %T", a)
	}
	input := len(s) + len(bs)
	steps := mul(int64(cp.insts), int64(input)+1)/8 + 1
	if err := g.charge(fmt.Sprintf("matching a pattern of %d instructions against %d bytes", cp.insts, input), steps, 0); err != nil {
		return nil, err
	}
	if isString {
		return cp.re.MatchString(s), nil
	}
	return cp.re.Match(bs), nil
}

// pattern compiles a pattern (or finds it compiled earlier by the same Program), after
// checking its length and charging its compilation.
func (g *guard) pattern(pattern string) (*compiledPattern, error) {
	if len(pattern) > MaxPatternLength {
		return nil, &limitError{msg: fmt.Sprintf("the pattern of matches is %d bytes long; the limit is %d bytes", len(pattern), MaxPatternLength)}
	}
	if g.prog != nil {
		if cached, ok := g.prog.patterns.Load(pattern); ok {
			if cp, ok := cached.(*compiledPattern); ok {
				if err := g.charge("matches", 1, 0); err != nil {
					return nil, err
				}
				return cp, nil
			}
		}
	}
	if err := g.charge("compiling the pattern of matches", scan(len(pattern))*16, int64(len(pattern))*64); err != nil {
		return nil, err
	}
	cp, err := compilePattern(pattern)
	if err != nil {
		return nil, err
	}
	// The program's size is known only once compiled; charge what compiling built.
	if err := g.charge("compiling the pattern of matches", int64(cp.insts)/8, int64(cp.insts)*128); err != nil {
		return nil, err
	}
	if g.prog != nil && g.prog.patternCount.Add(1) <= maxCachedPatterns {
		g.prog.patterns.Store(pattern, cp)
	}
	return cp, nil
}

func compilePattern(pattern string) (*compiledPattern, error) {
	parsed, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, err
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	return &compiledPattern{re: re, insts: len(prog.Inst)}, nil
}

// Guards the patcher puts around values.

// checkValue counts a step for a predicate's iteration, a call or a literal; a literal array
// or object (at most MaxNodes elements, already built) is charged its slots.
func checkValue(args ...any) (any, error) {
	g, err := guardOf(args)
	if err != nil || len(args) != 2 {
		return nil, errInternalGuard
	}
	v := args[1]
	bytes := int64(0)
	switch x := v.(type) {
	case []any:
		bytes = int64(len(x)) * slot
	case map[string]any:
		bytes = int64(len(x)) * mapEntry
	}
	if err := g.charge("a literal", 1, bytes); err != nil {
		return nil, err
	}
	return v, nil
}

// checkElement is a step of map or filter: the result gains a slot.
func checkElement(args ...any) (any, error) {
	g, err := guardOf(args)
	if err != nil || len(args) != 2 {
		return nil, errInternalGuard
	}
	if err := g.charge("an iteration", 1, slot); err != nil {
		return nil, err
	}
	return args[1], nil
}

// checkKey is a step of sortBy or groupBy: the key is hashed (groupBy) or compared about
// 2·log2(n) times (sortBy; n is at most what the memory limit allows, 2^18 elements), and
// the result gains an entry.
func checkKey(args ...any) (any, error) {
	g, err := guardOf(args)
	if err != nil || len(args) != 2 {
		return nil, errInternalGuard
	}
	key := args[1]
	steps := mul(36, int64(size(key, MaxMemory+1))/64+1)
	if err := g.charge("a sort or group key", steps, mapEntry); err != nil {
		return nil, err
	}
	return key, nil
}

// checkSortCollection is the array sortBy sorts: before its loop, sortBy makes two arrays as
// long as it (the elements and their keys).
func checkSortCollection(args ...any) (any, error) {
	g, err := guardOf(args)
	if err != nil || len(args) != 2 {
		return nil, errInternalGuard
	}
	n := int64(length(args[1]))
	if err := g.chargeAlloc("sortBy", 1, mul(n, 2*slot)); err != nil {
		return nil, err
	}
	return args[1], nil
}

// checkArgument is an argument of a method call on a value (now().Format(layout)): the
// method may read it and write a few times its size.
func checkArgument(args ...any) (any, error) {
	g, err := guardOf(args)
	if err != nil || len(args) != 2 {
		return nil, errInternalGuard
	}
	n := int64(len(str(args[1])))
	if err := g.charge("a method's argument", scan(int(n)), 4*n); err != nil {
		return nil, err
	}
	return args[1], nil
}

// textSize bounds the length of v written as indented JSON or with fmt's %v (toJSON,
// string), stopping once past limit; it also returns the work of measuring, in steps.
func textSize(v any, limit int64) (n, steps int64) {
	var walk func(v any, depth int64)
	walk = func(v any, depth int64) {
		steps++
		if n > limit {
			return
		}
		indent := 2*depth + 2
		switch x := v.(type) {
		case nil, bool:
			n += 5
		case string:
			n += jsonStringSize(x)
			steps += int64(len(x)) / 64
		case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64, time.Duration:
			n += textUnits + 1
		case time.Time:
			n += 64
		case []any:
			n += 2 + indent
			for _, e := range x {
				if n > limit {
					return
				}
				n += 2 + indent
				walk(e, depth+1)
			}
		case map[string]any:
			n += 2 + indent
			for k, e := range x {
				if n > limit {
					return
				}
				n += jsonStringSize(k) + 4 + indent + 32 // 32: json sorts the keys
				walk(e, depth+1)
			}
		default:
			rv := reflect.ValueOf(v)
			switch rv.Kind() {
			case reflect.Slice, reflect.Array:
				n += 2 + indent
				for i := 0; i < rv.Len() && n <= limit; i++ {
					n += 2 + indent
					walk(rv.Index(i).Interface(), depth+1)
				}
			case reflect.Map:
				n += 2 + indent
				it := rv.MapRange()
				for it.Next() && n <= limit {
					n += 4 + indent + 32
					walk(it.Key().Interface(), depth+1)
					walk(it.Value().Interface(), depth+1)
				}
			default:
				n += 64
			}
		}
	}
	walk(v, 0)
	return n, steps
}

// jsonStringSize is the length of s as a JSON string: json escapes <, > and & and control
// characters as \u00XX, writes invalid UTF-8 as \ufffd, and quotes.
func jsonStringSize(s string) int64 {
	n := int64(2)
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '<' || c == '>' || c == '&' {
				n += 6
			} else if c == '"' || c == '\\' {
				n += 2
			} else {
				n++
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || r == '\u2028' || r == '\u2029' {
			n += 6
		} else {
			n += int64(w)
		}
		i += w
	}
	return n
}

// sortedNames lists a map's keys in order, for messages and tests.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
