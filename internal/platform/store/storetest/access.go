package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// visibleAssignments: a caller who is not a platform admin reads their own assignments and
// those at what they administer (an application with its workflows, a workflow), and no
// others.
func visibleAssignments(t *testing.T, st *store.Store) {
	var caller string
	var own, atApp, atAppWorkflow, atWorkflow []string
	var orders, fulfil, invoice string
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		u, v := newUser("caller@example.com"), newUser("other@example.com")
		a, b := newApp("orders", api.Production), newApp("billing", api.Production)
		a1, b1, b2 := newWorkflow(a.ID, "fulfil"), newWorkflow(b.ID, "invoice"), newWorkflow(b.ID, "remind")
		for _, err := range []error{store.Users.Create(ctx, q, u), store.Users.Create(ctx, q, v),
			store.Applications.Create(ctx, q, a), store.Applications.Create(ctx, q, b),
			store.Workflows.Create(ctx, q, a1), store.Workflows.Create(ctx, q, b1), store.Workflows.Create(ctx, q, b2)} {
			if err != nil {
				return err
			}
		}
		caller, orders, fulfil, invoice = u.ID, a.ID, a1.ID, b1.ID
		grant := func(to *[]string, user string, role api.Role, scope api.ScopeType, id string) {
			g := newGrant(user, role, scope, id)
			if err := store.RoleAssignments.Create(ctx, q, g); err != nil {
				t.Fatal(err)
			}
			if to != nil {
				*to = append(*to, g.ID)
			}
		}
		grant(&own, u.ID, api.Admin, api.ScopeTypeApplication, a.ID)
		grant(&own, u.ID, api.Viewer, api.ScopeTypePlatform, "")
		grant(&atApp, v.ID, api.Viewer, api.ScopeTypeApplication, a.ID)
		grant(&atAppWorkflow, v.ID, api.Editor, api.ScopeTypeWorkflow, a1.ID)
		grant(&atWorkflow, v.ID, api.Viewer, api.ScopeTypeWorkflow, b1.ID)
		grant(nil, v.ID, api.Viewer, api.ScopeTypeApplication, b.ID)
		grant(nil, v.ID, api.Viewer, api.ScopeTypeWorkflow, b2.ID)
		grant(nil, v.ID, api.Viewer, api.ScopeTypePlatform, "")
		return nil
	})
	join := func(lists ...[]string) []string { return slices.Sorted(slices.Values(slices.Concat(lists...))) }
	cases := []struct {
		name      string
		apps, wfs []string
		want      []string
	}{
		{"administering nothing", nil, nil, join(own)},
		{"administering an application", []string{orders}, nil, join(own, atApp, atAppWorkflow)},
		{"administering a workflow", nil, []string{invoice}, join(own, atWorkflow)},
		{"administering both", []string{orders}, []string{invoice}, join(own, atApp, atAppWorkflow, atWorkflow)},
		{"administering the application's workflow only", nil, []string{fulfil}, join(own, atAppWorkflow)},
		{"administering an application without grants", []string{"app_none"}, nil, join(own)},
	}
	for _, tc := range cases {
		got := idsOf(listAll(t, st, store.RoleAssignments, store.VisibleAssignments(caller, tc.apps, tc.wfs)), grantID)
		if !slices.Equal(join(got), tc.want) {
			t.Errorf("%s: sees %v, want %v", tc.name, got, tc.want)
		}
	}
}

// authenticate runs before every request: it must load the key's user with all their
// grants, and see a revoked grant, an inactive user or an expired key at once.
func authenticate(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	now := time.Now().UTC()
	user := newUser("ada@example.com")
	must(t, store.Users.Create(ctx, q, user))
	app := newApp("orders", api.Production)
	must(t, store.Applications.Create(ctx, q, app))
	key := func(hash string, expires *time.Time) {
		t.Helper()
		must(t, q.CreateAPIKey(ctx, store.APIKey{ID: store.NewID("key"), UserID: user.ID, KeyHash: hash,
			MaxRole: api.Editor, ExpiresAt: expires, CreatedAt: now}))
	}
	key("h-live", nil)
	past := now.Add(-time.Minute)
	key("h-expired", &past)
	if err := q.CreateAPIKey(ctx, store.APIKey{ID: store.NewID("key"), UserID: "usr_missing", KeyHash: "h-orphan",
		MaxRole: api.Viewer, CreatedAt: now}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a key of a missing user: %v, want ErrNotFound", err)
	}

	p, err := q.Authenticate(ctx, "h-live", now)
	if err != nil || p.UserID != user.ID || p.MaxRole != api.Editor || len(p.Grants) != 0 {
		t.Fatalf("no grants: %+v, %v", p, err)
	}
	viewer := newGrant(user.ID, api.Viewer, api.ScopeTypePlatform, "")
	editor := newGrant(user.ID, api.Editor, api.ScopeTypeApplication, app.ID)
	must(t, store.RoleAssignments.Create(ctx, q, viewer))
	must(t, store.RoleAssignments.Create(ctx, q, editor))
	p, err = q.Authenticate(ctx, "h-live", now)
	if err != nil || len(p.Grants) != 2 || !slices.Equal(join2(p.Grants[0].ID, p.Grants[1].ID), join2(viewer.ID, editor.ID)) {
		t.Fatalf("two grants: %+v, %v", p, err)
	}
	must(t, store.RoleAssignments.Delete(ctx, q, editor.ID, ""))
	if p, err = q.Authenticate(ctx, "h-live", now); err != nil || len(p.Grants) != 1 || p.Grants[0].ID != viewer.ID {
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
	must(t, store.Users.Update(ctx, q, user, prev))
	if _, err := q.Authenticate(ctx, "h-live", now); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an inactive user: %v, want ErrNotFound", err)
	}
}

func join2(a, b string) []string { return slices.Sorted(slices.Values([]string{a, b})) }

// idempotency: a stored response is found by its credential and key until it expires, and not
// by another credential.
func idempotency(t *testing.T, st *store.Store) {
	ctx := context.Background()
	q := st.Read()
	now := time.Now()
	rec := store.IdempotentResponse{Method: "POST", Path: "/api/v1/applications", RequestHash: "h", Status: 201, Body: `{"id":"app_1"}`}
	must(t, q.SaveIdempotency(ctx, "key_1", "k1", rec, now))
	got, err := q.LookupIdempotency(ctx, "key_1", "k1", now.Add(-time.Hour))
	if err != nil || got == nil || *got != rec {
		t.Fatalf("lookup: %+v %v", got, err)
	}
	if other, err := q.LookupIdempotency(ctx, "key_2", "k1", now.Add(-time.Hour)); other != nil || err != nil {
		t.Fatalf("another credential's key was found: %+v %v", other, err)
	}
	if old, err := q.LookupIdempotency(ctx, "key_1", "k1", now.Add(time.Second)); old != nil || err != nil {
		t.Fatalf("an expired key was found: %+v %v", old, err)
	}
	// Saving again under the same key replaces the record.
	rec.Body = `{"id":"app_2"}`
	must(t, q.SaveIdempotency(ctx, "key_1", "k1", rec, now))
	if got, _ := q.LookupIdempotency(ctx, "key_1", "k1", now.Add(-time.Hour)); got == nil || got.Body != rec.Body {
		t.Fatalf("after saving again: %+v", got)
	}
	if n, err := q.PruneIdempotency(ctx, now.Add(time.Second)); err != nil || n != 1 {
		t.Fatalf("prune: %d %v", n, err)
	}
	if got, _ := q.LookupIdempotency(ctx, "key_1", "k1", now.Add(-time.Hour)); got != nil {
		t.Fatalf("a pruned key was found: %+v", got)
	}
}

// accessHistory: grant and revocation events are kept with their role and scope, newest
// first, after the assignment is gone; platform owners are counted among active users only.
func accessHistory(t *testing.T, st *store.Store) {
	ctx := context.Background()
	ada, bob := newUser("ada@example.com"), newUser("bob@example.com")
	app := newApp("orders", api.Production)
	tx(t, st, func(ctx context.Context, q *store.Q) error {
		return errors.Join(store.Users.Create(ctx, q, ada), store.Users.Create(ctx, q, bob), store.Applications.Create(ctx, q, app))
	})
	at := time.UnixMilli(time.Now().UnixMilli()).UTC()
	var events []string
	record := func(action string, role api.Role, scope api.Scope) {
		t.Helper()
		e := api.AuditEvent{ID: store.NewID("aud"), At: at, ActorID: bob.ID, Action: action, ObjectType: "role_assignment",
			ObjectID: store.NewID("ra")}
		events = append([]string{e.ID}, events...)
		tx(t, st, func(ctx context.Context, q *store.Q) error {
			return q.AuditAccess(ctx, store.AccessChange{Event: e, UserID: ada.ID, Role: role, Scope: scope})
		})
	}
	record("create", api.Editor, api.Scope{Type: api.ScopeTypeApplication, ID: &app.ID})
	record("delete", api.Editor, api.Scope{Type: api.ScopeTypeApplication, ID: &app.ID})
	record("create", api.Owner, api.Scope{Type: api.ScopeTypePlatform})
	got, err := st.Read().AccessHistory(ctx, ada.ID, 10)
	if err != nil || len(got) != 3 {
		t.Fatalf("history: %+v %v", got, err)
	}
	for i, c := range got {
		if c.Event.ID != events[i] || c.UserID != ada.ID {
			t.Errorf("entry %d is %s, want %s (newest first)", i, c.Event.ID, events[i])
		}
	}
	if got[0].Role != api.Owner || got[0].Scope.Type != api.ScopeTypePlatform || got[0].Scope.ID != nil {
		t.Errorf("platform entry: %+v", got[0])
	}
	if got[1].Role != api.Editor || got[1].Scope.ID == nil || *got[1].Scope.ID != app.ID || got[1].Event.Action != "delete" {
		t.Errorf("application entry: %+v", got[1])
	}
	if limited, _ := st.Read().AccessHistory(ctx, ada.ID, 1); len(limited) != 1 {
		t.Errorf("a limit of 1 gave %d entries", len(limited))
	}
	if none, _ := st.Read().AccessHistory(ctx, bob.ID, 10); len(none) != 0 {
		t.Errorf("bob's history holds ada's: %+v", none)
	}

	tx(t, st, func(ctx context.Context, q *store.Q) error {
		return errors.Join(store.RoleAssignments.Create(ctx, q, newGrant(ada.ID, api.Owner, api.ScopeTypePlatform, "")),
			store.RoleAssignments.Create(ctx, q, newGrant(bob.ID, api.Owner, api.ScopeTypePlatform, "")),
			store.RoleAssignments.Create(ctx, q, newGrant(bob.ID, api.Owner, api.ScopeTypeApplication, app.ID)))
	})
	owners := func() int {
		t.Helper()
		var n int
		tx(t, st, func(ctx context.Context, q *store.Q) error {
			if err := q.LockPlatformOwners(ctx); err != nil {
				return err
			}
			var err error
			n, err = q.CountPlatformOwners(ctx)
			return err
		})
		return n
	}
	if n := owners(); n != 2 {
		t.Errorf("%d platform owners, want 2", n)
	}
	prev := bob.Etag
	bob.Active, bob.Etag = false, store.NewETag()
	must(t, store.Users.Update(ctx, st.Read(), bob, prev))
	if n := owners(); n != 1 {
		t.Errorf("%d platform owners with one inactive, want 1", n)
	}
}
