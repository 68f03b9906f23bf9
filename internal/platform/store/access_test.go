package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Authenticate runs before every request: it must load the key's user with all their grants,
// and see a revoked grant, a deleted key, an inactive user or an expired key at once.
func TestAuthenticate(t *testing.T) {
	t.Parallel()
	openEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		q := st.Read()
		now := time.Now().UTC()
		user := &api.User{ID: store.NewID("usr"), Email: "ada@example.com", DisplayName: "Ada", Active: true,
			Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
		if err := store.Users.Create(ctx, q, user); err != nil {
			t.Fatal(err)
		}
		app := newApp("orders", api.Production)
		if err := store.Applications.Create(ctx, q, app); err != nil {
			t.Fatal(err)
		}
		key := func(hash string, expires *time.Time) {
			t.Helper()
			if err := q.CreateAPIKey(ctx, store.APIKey{ID: store.NewID("key"), UserID: user.ID, KeyHash: hash,
				MaxRole: api.Editor, ExpiresAt: expires, CreatedAt: now}); err != nil {
				t.Fatal(err)
			}
		}
		key("h-live", nil)
		past := now.Add(-time.Minute)
		key("h-expired", &past)

		// A user without grants still authenticates.
		p, err := q.Authenticate(ctx, "h-live", now)
		if err != nil || p.UserID != user.ID || p.MaxRole != api.Editor || len(p.Grants) != 0 {
			t.Fatalf("no grants: %+v, %v", p, err)
		}

		var grants []*api.RoleAssignment
		for _, g := range []struct {
			role  api.Role
			scope api.Scope
		}{
			{api.Viewer, api.Scope{Type: api.ScopeTypePlatform}},
			{api.Editor, api.Scope{Type: api.ScopeTypeApplication, ID: &app.ID}},
		} {
			ra := &api.RoleAssignment{ID: store.NewID("ra"), UserID: user.ID, Role: g.role, Scope: g.scope, Etag: store.NewETag(), CreatedAt: now}
			if err := store.RoleAssignments.Create(ctx, q, ra); err != nil {
				t.Fatal(err)
			}
			grants = append(grants, ra)
		}
		p, err = q.Authenticate(ctx, "h-live", now)
		if err != nil || len(p.Grants) != 2 {
			t.Fatalf("two grants: %+v, %v", p, err)
		}
		for i, g := range p.Grants {
			if g.ID != grants[0].ID && g.ID != grants[1].ID {
				t.Errorf("grant %d is %s, not one of the user's", i, g.ID)
			}
		}

		// Revoking a grant shows on the next call.
		if err := store.RoleAssignments.Delete(ctx, q, grants[1].ID, ""); err != nil {
			t.Fatal(err)
		}
		if p, err = q.Authenticate(ctx, "h-live", now); err != nil || len(p.Grants) != 1 || p.Grants[0].ID != grants[0].ID {
			t.Fatalf("after a revocation: %+v, %v", p, err)
		}

		for name, hash := range map[string]string{"an expired key": "h-expired", "an unknown key": "h-unknown"} {
			if _, err := q.Authenticate(ctx, hash, now); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", name, err)
			}
		}
		user.Active = false
		prev := user.Etag
		user.Etag = store.NewETag()
		if err := store.Users.Update(ctx, q, user, prev); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Authenticate(ctx, "h-live", now); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("an inactive user: %v, want ErrNotFound", err)
		}
	})
}
