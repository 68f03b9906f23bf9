package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// TestKindListBoundsPageBytes: a page ends early, with a token for the next, before the stored
// documents it holds pass store.MaxPageBytes; every object is still listed once.
func TestKindListBoundsPageBytes(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		big := strings.Repeat("x", 3<<20)
		err := st.Tx(ctx, func(q *store.Q) error {
			for i := range 5 {
				app := newApp(fmt.Sprintf("big-%d", i), api.Production)
				app.Description = big
				if err := store.Applications.Create(ctx, q, app); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var sizes []int
		seen := map[string]bool{}
		token := ""
		for {
			items, next, err := store.Applications.List(ctx, st.Read(), nil, store.Page{Size: 1000, Token: token})
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(items))
			for _, a := range items {
				seen[a.ID] = true
			}
			if token = next; token == "" {
				break
			}
		}
		// 3 MiB each: two fit in 8 MiB, the third would not.
		if fmt.Sprint(sizes) != "[2 2 1]" || len(seen) != 5 {
			t.Errorf("pages of %v items, %d distinct, want [2 2 1] and 5", sizes, len(seen))
		}
	})
}
