package document_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/document"
)

// BenchmarkCheck measures a walk of a document just under 1 MiB: one large string, and
// 20,000 small fields (the slow case: a map entry per 50 bytes).
func BenchmarkCheck(b *testing.B) {
	small := map[string]any{}
	for i := range 20000 {
		small[fmt.Sprintf("field-%05d", i)] = strings.Repeat("x", 30)
	}
	for _, bc := range []struct {
		name string
		doc  map[string]any
	}{
		{"one large string", map[string]any{"blob": strings.Repeat("x", 1<<20-20)}},
		{"20000 small fields", small},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := (document.Limits{}).Check(bc.doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
