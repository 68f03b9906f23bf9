package document_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/document"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/expression"
)

func deep(n int) string { return strings.Repeat(`{"a":`, n-1) + `{}` + strings.Repeat(`}`, n-1) }

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCheck(t *testing.T) {
	t.Parallel()
	limits := document.Limits{MaxBytes: 100, MaxDepth: 5}
	cases := []struct {
		name      string
		doc       any
		wantDepth bool
		wantBytes bool
	}{
		{"small", decode(t, `{"a":[1,2,{"b":"c"}],"d":null,"e":true}`), false, false},
		{"exactly 100 bytes", map[string]any{"s": strings.Repeat("x", 92)}, false, false},
		{"101 bytes", map[string]any{"s": strings.Repeat("x", 93)}, false, true},
		{"escapes count", map[string]any{"s": strings.Repeat("<", 16)}, false, true},
		{"5 levels", decode(t, deep(5)), false, false},
		{"6 levels", decode(t, deep(6)), true, false},
		{"arrays nest too", decode(t, `[[[[[[]]]]]]`), true, false},
		{"typed values", struct{ S string }{strings.Repeat("x", 200)}, false, true},
		{"nil map", map[string]any(nil), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := limits.Check(tc.doc)
			var le *document.LimitError
			switch {
			case !tc.wantDepth && !tc.wantBytes && err != nil:
				t.Errorf("Check: %v, want nil", err)
			case (tc.wantDepth || tc.wantBytes) && (!errors.As(err, &le) || le.Depth != tc.wantDepth):
				t.Errorf("Check: %v, want a limit error (depth %v)", err, tc.wantDepth)
			}
		})
	}
}

// TestSizeMatchesEncoding: Size counts exactly the bytes json.Marshal writes, for random
// documents with every kind of value and string escape.
func TestSizeMatchesEncoding(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "é", "\"", "\\", "\n", "\x01", "<", "&", "\u2028", "\xff", "\t", "\b", "日"}
	str := func() string {
		var b strings.Builder
		for range r.IntN(10) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	var gen func(depth int) any
	gen = func(depth int) any {
		switch k := r.IntN(8); {
		case k == 0 || depth > 4:
			return str()
		case k == 1:
			return []float64{0, 1, -1.5, 1e-7, 1e21, 123456789, 3.14159, 1e-300, 2e20}[r.IntN(9)]
		case k == 2:
			return r.IntN(2) == 0
		case k == 3:
			return nil
		case k < 6:
			m := map[string]any{}
			for range r.IntN(4) {
				m[str()] = gen(depth + 1)
			}
			return m
		default:
			a := []any{}
			for range r.IntN(4) {
				a = append(a, gen(depth+1))
			}
			return a
		}
	}
	for range 2000 {
		v := gen(0)
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		n, err := document.Size(v, 1<<20)
		if err != nil || n != int64(len(b)) {
			t.Fatalf("Size(%s) = %d, %v; json.Marshal writes %d bytes", b, n, err, len(b))
		}
	}
}

// TestCheckStopsEarly: a document over the byte limit is refused without walking the rest of
// it (here the rest cannot be encoded at all: walking it would be an error, not a limit).
func TestCheckStopsEarly(t *testing.T) {
	t.Parallel()
	doc := []any{strings.Repeat("x", 2000), make(chan int)}
	err := document.Limits{MaxBytes: 1024}.Check(doc)
	var le *document.LimitError
	if !errors.As(err, &le) || le.Depth || le.Limit != 1024 {
		t.Errorf("Check: %v, want the byte limit", err)
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
		pruned         bool
	}{
		{"shallow unchanged", `{"a":[1,"x",true,null,2.5],"c":{},"e":"\u003c"}`, `{"a":[1,"x",true,null,2.5],"c":{},"e":"\u003c"}`, false},
		{"object too deep", `{"a":{"b":{"c":{}}},"d":1}`, `{"a":{"b":"!"},"d":1}`, true},
		{"array too deep", `[[[1]],2]`, `[["!"],2]`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, pruned, err := document.Prune([]byte(tc.in), 2, "!")
			if err != nil || string(got) != tc.want || pruned != tc.pruned {
				t.Errorf("Prune(%s) = %s, %v, %v; want %s, %v", tc.in, got, pruned, err, tc.want, tc.pruned)
			}
		})
	}
	// Deeper than encoding/json decodes: the result decodes.
	got, pruned, err := document.Prune([]byte(`{"output":`+deep(20000)+`}`), 64, "too deep")
	if err != nil || !pruned {
		t.Fatalf("Prune of 20,000 levels: %v, %v", pruned, err)
	}
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Errorf("the pruned document does not decode: %v", err)
	}
}

// TestSetGrowth: the growth SetGrowth predicts is what setting the value changes the
// document's size by, for new keys, nested new objects, replaced nulls and replaced values.
func TestSetGrowth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc, path string
		v               any
	}{
		{"new key in empty", `{}`, "a", "x"},
		{"new key", `{"b":1}`, "a", "xyz"},
		{"new nested", `{"b":1}`, "a.b.c", 1.5},
		{"new nested in empty", `{}`, "a.b", []any{1.0, "<"}},
		{"into existing object", `{"a":{"b":true}}`, "a.c", nil},
		{"into empty object", `{"a":{}}`, "a.c", false},
		{"replace null", `{"a":null,"z":1}`, "a.b.c", "v"},
		{"replace value", `{"a":{"b":"long value here"}}`, "a.b", "s"},
		{"replace object", `{"a":{"b":{"c":[1,2,3]}}}`, "a", map[string]any{"k": "v"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, _ := decode(t, tc.doc).(map[string]any)
			before, _ := json.Marshal(doc)
			growth, err := document.Limits{}.SetGrowth(doc, strings.Split(tc.path, "."), tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if err := expression.SetPath(doc, tc.path, tc.v); err != nil {
				t.Fatal(err)
			}
			after, _ := json.Marshal(doc)
			if want := int64(len(after) - len(before)); growth != want {
				t.Errorf("SetGrowth = %d; %s became %s (%d)", growth, before, after, want)
			}
		})
	}
	// A value that would land deeper than the limit is refused, and so is a path of more
	// objects than the limit.
	if _, err := (document.Limits{MaxDepth: 3}).SetGrowth(map[string]any{}, []string{"a", "b", "c", "d"}, 1.0); err == nil {
		t.Errorf("SetGrowth of a 4-segment path under a depth limit of 3: no error")
	}
	_, err := document.Limits{MaxDepth: 3}.SetGrowth(map[string]any{}, []string{"a", "b"}, map[string]any{"c": map[string]any{}})
	var le *document.LimitError
	if !errors.As(err, &le) || !le.Depth {
		t.Errorf("SetGrowth of a value landing 4 levels deep under a limit of 3: %v", err)
	}
}
