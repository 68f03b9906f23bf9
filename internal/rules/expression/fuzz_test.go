package expression

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzExpression feeds arbitrary source to the compiler and evaluator: neither may panic,
// hang past the evaluation bound, or report anything but a compile error, a runtime error or a
// value.
func FuzzExpression(f *testing.F) {
	for _, seed := range []string{
		"amount <= 10000", `customer.email + "!"`, "items | filter(.qty > 1) | map(.qty)",
		`{"order_id": order_id, "total": amount * 1.2}`, "1..1000000 | sum()", `repeat("x", 1000000)`,
		"let a = [1,2,3]; a + a + a", "a.b.c.d", "((((1))))", "", "][", `"\u0000"`, "toJSON(1..100)",
	} {
		f.Add(seed, int64(15000))
	}
	f.Fuzz(func(t *testing.T, src string, amount int64) {
		prog, err := Compile(src)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) && !errors.Is(err, ErrLimitExceeded) {
				t.Fatalf("Compile(%q) returned an untyped error %T: %v", src, err, err)
			}
			return
		}
		doc := map[string]any{"amount": amount, "order_id": "ord-1", "customer": map[string]any{"email": "a@b.c"},
			"items": []any{map[string]any{"qty": 2}, map[string]any{"qty": 1}}}
		start := time.Now()
		_, _ = prog.Eval(context.Background(), doc)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Eval(%q) took %s, past its bound", src, d)
		}
	})
}
