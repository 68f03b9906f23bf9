package store_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// openEach runs test against a fresh SQLite store and a fresh PostgreSQL store: one suite for
// both databases.
func openEach(t *testing.T, test func(t *testing.T, st *store.Store)) {
	t.Helper()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			url := "sqlite://" + filepath.Join(t.TempDir(), "store.db")
			if dialect == "postgres" {
				url = pgtest.Start(t)
			}
			st, err := store.Open(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			test(t, st)
		})
	}
}

func newApp(name string, env api.Environment) *api.Application {
	now := time.Now().UTC()
	return &api.Application{ID: store.NewID("app"), Name: name, Environment: env, Version: "1.0.0",
		Labels: api.Labels{}, Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
}

func TestKindCRUD(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		q := st.Read()
		app := newApp("orders", api.Production)
		if err := store.Applications.Create(ctx, q, app); err != nil {
			t.Fatal(err)
		}
		// Uniqueness names the clashing object.
		var ce *store.ConflictError
		err := store.Applications.Create(ctx, q, newApp("orders", api.Production))
		if !errors.As(err, &ce) || ce.ExistingID != app.ID || !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate create: %v, want a conflict naming %s", err, app.ID)
		}
		if err := store.Applications.Create(ctx, q, newApp("orders", api.Staging)); err != nil {
			t.Fatalf("same name in another environment: %v", err)
		}
		got, err := store.Applications.Get(ctx, q, app.ID)
		if err != nil || got.Name != "orders" || got.Etag != app.Etag {
			t.Fatalf("get: %+v %v", got, err)
		}
		// Updates are conditional on the etag the change was based on.
		prev := app.Etag
		app.Version, app.Etag = "1.1.0", store.NewETag()
		if err := store.Applications.Update(ctx, q, app, "stale"); !errors.Is(err, store.ErrPreconditionFailed) {
			t.Fatalf("update with a stale etag: %v, want ErrPreconditionFailed", err)
		}
		if err := store.Applications.Update(ctx, q, app, prev); err != nil {
			t.Fatal(err)
		}
		if err := store.Applications.Delete(ctx, q, app.ID, prev); !errors.Is(err, store.ErrPreconditionFailed) {
			t.Fatalf("delete with an old etag: %v", err)
		}
		if err := store.Applications.Delete(ctx, q, app.ID, app.Etag); err != nil {
			t.Fatal(err)
		}
		if err := store.Applications.Delete(ctx, q, app.ID, ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second delete: %v, want ErrNotFound", err)
		}
		if _, err := store.Applications.Get(ctx, q, app.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("get after delete: %v", err)
		}
		// The name is free for reuse at once.
		if err := store.Applications.Create(ctx, q, newApp("orders", api.Production)); err != nil {
			t.Fatalf("reuse of a deleted name: %v", err)
		}
	})
}

func TestKindListPaginatesWithoutGapsOrRepeats(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		const n = 2500
		want := map[string]api.Environment{}
		err := st.Tx(ctx, func(q *store.Q) error {
			for i := range n {
				env := api.Production
				if i%3 == 0 {
					env = api.Staging
				}
				app := newApp(fmt.Sprintf("app-%04d", i), env)
				want[app.ID] = env
				if err := store.Applications.Create(ctx, q, app); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name    string
			size    int
			filters []store.Filter
			env     api.Environment
		}{
			{"pages of 100", 100, nil, ""},
			{"pages of 1000", 1000, nil, ""},
			{"odd page size", 333, nil, ""},
			{"filtered by environment", 100, []store.Filter{store.Eq("environment", string(api.Staging))}, api.Staging},
		}
		for _, tc := range cases {
			seen := map[string]bool{}
			token, pages, last := "", 0, ""
			for {
				items, next, err := store.Applications.List(ctx, st.Read(), tc.filters, store.Page{Size: tc.size, Token: token})
				if err != nil {
					t.Fatalf("%s: %v", tc.name, err)
				}
				pages++
				if len(items) > tc.size {
					t.Fatalf("%s: page of %d items, asked for %d", tc.name, len(items), tc.size)
				}
				for _, a := range items {
					if seen[a.ID] {
						t.Fatalf("%s: %s returned twice", tc.name, a.ID)
					}
					if a.ID <= last {
						t.Fatalf("%s: %s out of order after %s", tc.name, a.ID, last)
					}
					seen[a.ID], last = true, a.ID
				}
				if next == "" {
					break
				}
				token = next
			}
			expected := 0
			for _, env := range want {
				if tc.env == "" || env == tc.env {
					expected++
				}
			}
			if len(seen) != expected {
				t.Fatalf("%s: saw %d objects in %d pages, want %d", tc.name, len(seen), pages, expected)
			}
		}
		if _, _, err := store.Applications.List(ctx, st.Read(), nil, store.Page{Token: "not-a-token"}); !errors.Is(err, store.ErrBadPageToken) {
			t.Fatalf("bad page token: %v", err)
		}
	})
}

func TestIdempotencyRecords(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		q := st.Read()
		now := time.Now()
		rec := store.IdempotentResponse{Method: "POST", Path: "/api/v1/applications", RequestHash: "h", Status: 201, Body: `{"id":"app_1"}`}
		if err := q.SaveIdempotency(ctx, "usr_1", "k1", rec, now); err != nil {
			t.Fatal(err)
		}
		got, err := q.LookupIdempotency(ctx, "usr_1", "k1", now.Add(-time.Hour))
		if err != nil || got == nil || got.Body != rec.Body || got.Status != 201 {
			t.Fatalf("lookup: %+v %v", got, err)
		}
		// Keys belong to their principal, and expire.
		if other, _ := q.LookupIdempotency(ctx, "usr_2", "k1", now.Add(-time.Hour)); other != nil {
			t.Fatal("another principal's key was found")
		}
		if old, _ := q.LookupIdempotency(ctx, "usr_1", "k1", now.Add(time.Second)); old != nil {
			t.Fatal("an expired key was found")
		}
		if n, err := q.PruneIdempotency(ctx, now.Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("prune: %d %v", n, err)
		}
	})
}

func TestMain(m *testing.M) { pgtest.Main(m) }
