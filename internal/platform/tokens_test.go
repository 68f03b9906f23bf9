package platform_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
)

// clock is a server clock a test moves forward.
type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }
func (c *clock) option() platformtest.Option {
	return platformtest.WithConfig(func(cfg *platform.Config) { cfg.Now = c.now })
}

func createToken(t *testing.T, c *api.ClientWithResponses, in api.APITokenInput) api.APIToken {
	t.Helper()
	resp := must(c.CreateAPITokenWithResponse(context.Background(), &api.CreateAPITokenParams{}, in))
	if resp.JSON201 == nil {
		t.Fatalf("creating token %s: %d %s", mustJSON(t, in), resp.StatusCode(), resp.Body)
	}
	return *resp.JSON201
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		clk := &clock{}
		inst := platformtest.Start(t, clk.option(), platformtest.WithDatabase(d.URL(t)))
		ctx := context.Background()
		owner := inst.Client
		appID := createApp(t, owner, "order-management")
		ownerID := ownerID(t, inst)

		// Defaults: the caller, their highest role, one hour.
		tok := createToken(t, owner, api.APITokenInput{Description: ptr("ci")})
		if !strings.HasPrefix(tok.ID, "tok_") || !strings.HasPrefix(tok.Token, "lck_") || tok.UserID != ownerID || tok.MaxRole != api.Owner ||
			tok.ExpiresAt.Sub(tok.CreatedAt) != time.Hour || deref(tok.Description) != "ci" {
			t.Errorf("token %s", mustJSON(t, tok))
		}
		// Only the hash is stored.
		if n := countRows(t, inst, "audit_events", tok.ID); n != 1 {
			t.Errorf("%d audit events for the token, want 1", n)
		}
		if strings.Contains(inst.Logs.String(), tok.Token) {
			t.Error("the token is in the server log")
		}
		byToken := inst.ClientFor(tok.Token)
		if resp := must(byToken.GetApplicationWithResponse(ctx, appID)); resp.JSON200 == nil {
			t.Fatalf("the token reads: %d", resp.StatusCode())
		}

		// A retry with the same Idempotency-Key answers the same, working token; the stored
		// first response does not hold it in the clear.
		retry := &api.CreateAPITokenParams{IdempotencyKey: ptr("token-retry")}
		first := must(owner.CreateAPITokenWithResponse(ctx, retry, api.APITokenInput{Description: ptr("retry")}))
		again := must(owner.CreateAPITokenWithResponse(ctx, retry, api.APITokenInput{Description: ptr("retry")}))
		if first.JSON201 == nil || again.JSON201 == nil || again.JSON201.Token != first.JSON201.Token || again.JSON201.ID != first.JSON201.ID ||
			again.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("idempotent token: %s then %s", first.Body, again.Body)
		}
		if resp := must(inst.ClientFor(again.JSON201.Token).ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusOK {
			t.Errorf("replayed token: %d", resp.StatusCode())
		}
		var stored string
		if err := inst.Server.Store().DB().QueryRowContext(ctx, "SELECT body FROM idempotency_keys WHERE key = 'token-retry'").Scan(&stored); err != nil {
			t.Fatalf("reading the idempotency record: %v", err)
		}
		if !strings.Contains(stored, first.JSON201.ID) || strings.Contains(stored, first.JSON201.Token) {
			t.Errorf("the idempotency record holds the token in the clear: %s", stored)
		}

		// A viewer-capped token on the owner only reads.
		ro := inst.ClientFor(createToken(t, owner, api.APITokenInput{MaxRole: ptr(api.Viewer), TTLSeconds: ptr(600)}).Token)
		if resp := must(ro.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{})); resp.JSON200 == nil || len(resp.JSON200.Items) != 1 {
			t.Errorf("read-only token lists: %d %s", resp.StatusCode(), resp.Body)
		}
		wantProblem(t, must(ro.PatchApplicationWithResponse(ctx, appID, &api.PatchApplicationParams{}, api.ApplicationPatch{Version: ptr("9.9.9")})), http.StatusForbidden)
		wantProblem(t, must(ro.CreateUserWithResponse(ctx, &api.CreateUserParams{}, api.UserInput{Email: "x@example.com"})), http.StatusForbidden)
		// …and issues no token above its own cap, defaulting to it.
		wantProblem(t, must(ro.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{MaxRole: ptr(api.Editor)})), http.StatusForbidden)
		if got := createToken(t, ro, api.APITokenInput{}); got.MaxRole != api.Viewer {
			t.Errorf("a viewer key's token defaults to %s, want viewer", got.MaxRole)
		}

		// Users cap at their highest role; another user's token needs platform admin.
		editorID, editorKey := inst.NewUser("editor@example.com", platformtest.Grant{Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: appID})
		editor := inst.ClientFor(editorKey)
		if got := createToken(t, editor, api.APITokenInput{}); got.MaxRole != api.Editor || got.UserID != editorID {
			t.Errorf("editor's token %s", mustJSON(t, got))
		}
		wantProblem(t, must(editor.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{MaxRole: ptr(api.Admin)})), http.StatusForbidden)
		wantProblem(t, must(editor.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{UserID: &ownerID})), http.StatusForbidden)
		_, nobodyKey := inst.NewUser("nobody@example.com")
		if got := createToken(t, inst.ClientFor(nobodyKey), api.APITokenInput{}); got.MaxRole != api.Viewer {
			t.Errorf("a user without grants gets a %s token, want viewer", got.MaxRole)
		}
		forEditor := createToken(t, owner, api.APITokenInput{UserID: &editorID, MaxRole: ptr(api.Viewer)})
		if forEditor.UserID != editorID {
			t.Errorf("token for the editor acts as %s", forEditor.UserID)
		}
		wantProblem(t, must(owner.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{UserID: ptr("usr_missing")})), http.StatusBadRequest, "user_id")
		wantProblem(t, must(owner.CreateAPITokenWithResponse(ctx, &api.CreateAPITokenParams{}, api.APITokenInput{TTLSeconds: ptr(10)})), http.StatusBadRequest)

		// Revoking: one's own, or anyone's as platform admin; others' tokens are hidden.
		editorTok := createToken(t, editor, api.APITokenInput{})
		wantProblem(t, must(editor.DeleteAPITokenWithResponse(ctx, tok.ID, &api.DeleteAPITokenParams{})), http.StatusNotFound)
		wantProblem(t, must(editor.DeleteAPITokenWithResponse(ctx, "tok_missing", &api.DeleteAPITokenParams{})), http.StatusNotFound)
		if resp := must(byToken.GetApplicationWithResponse(ctx, appID)); resp.JSON200 == nil {
			t.Fatalf("a refused revocation revoked the token: %d", resp.StatusCode())
		}
		if del := must(editor.DeleteAPITokenWithResponse(ctx, editorTok.ID, &api.DeleteAPITokenParams{})); del.StatusCode() != http.StatusNoContent {
			t.Errorf("revoking one's own token: %d %s", del.StatusCode(), del.Body)
		}
		if resp := must(inst.ClientFor(editorTok.Token).ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusUnauthorized {
			t.Errorf("revoked token: %d, want 401", resp.StatusCode())
		}
		if del := must(owner.DeleteAPITokenWithResponse(ctx, forEditor.ID, &api.DeleteAPITokenParams{})); del.StatusCode() != http.StatusNoContent {
			t.Errorf("platform admin revokes another's token: %d %s", del.StatusCode(), del.Body)
		}
		wantProblem(t, must(owner.DeleteAPITokenWithResponse(ctx, forEditor.ID, &api.DeleteAPITokenParams{})), http.StatusNotFound)

		// Expiry: refused once the server's clock passes expires_at.
		short := inst.ClientFor(createToken(t, owner, api.APITokenInput{TTLSeconds: ptr(60)}).Token)
		if resp := must(short.ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusOK {
			t.Fatalf("fresh token: %d", resp.StatusCode())
		}
		clk.advance(61 * time.Second)
		if resp := must(short.ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusUnauthorized {
			t.Errorf("expired token: %d, want 401", resp.StatusCode())
		}
		if resp := must(byToken.ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusOK {
			t.Errorf("hour token after a minute: %d", resp.StatusCode())
		}
		clk.advance(time.Hour)
		if resp := must(byToken.ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusUnauthorized {
			t.Errorf("hour token after an hour: %d, want 401", resp.StatusCode())
		}
		// The bootstrap key does not expire.
		if resp := must(owner.ListUsersWithResponse(ctx, &api.ListUsersParams{})); resp.StatusCode() != http.StatusOK {
			t.Errorf("owner key: %d", resp.StatusCode())
		}
	})
}
