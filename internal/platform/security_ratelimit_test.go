package platform_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// Failed authentications are limited per client address, checked before the key is looked
// up: after the burst, this address gets 429 with Retry-After, even with a valid key.
func TestSecurityFailedAuthenticationIsRateLimited(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	guesser := inst.ClientFor("lck_not-a-real-key")
	codes := map[int]int{}
	for range 40 {
		codes[must(guesser.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{})).StatusCode()]++
	}
	if codes[http.StatusUnauthorized] == 0 || codes[http.StatusUnauthorized] > 25 || codes[http.StatusTooManyRequests] < 15 {
		t.Fatalf("40 guesses answered %v; want a burst of 401s then 429s", codes)
	}
	r := must(inst.Client.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{}))
	if r.StatusCode() != http.StatusTooManyRequests || r.HTTPResponse.Header.Get("Retry-After") == "" {
		t.Errorf("a valid key from the refused address: %d (Retry-After %q); the limit must come before the lookup",
			r.StatusCode(), r.HTTPResponse.Header.Get("Retry-After"))
	}
}

// The request rate limit is per user: a token minted by the same user shares the user's
// bucket, so minting tokens does not multiply the rate; another user has their own.
func TestSecurityRateLimitIsPerUser(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t, platformtest.WithConfig(func(c *platform.Config) { c.RateLimit, c.RateBurst = 0.01, 4 }))
	ctx := context.Background()
	minted := inst.ClientFor(createToken(t, inst.Client, api.APITokenInput{}).Token) // 1 of the owner's 4
	for i := range 3 {
		if r := must(inst.Client.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{})); r.StatusCode() != http.StatusOK {
			t.Fatalf("request %d within the burst: %d", i+2, r.StatusCode())
		}
	}
	if r := must(minted.ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{})); r.StatusCode() != http.StatusTooManyRequests {
		t.Errorf("the owner's minted token after the owner's burst: %d, want 429", r.StatusCode())
	}
	_, otherKey := inst.NewUser("other@example.com", platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypePlatform})
	if r := must(inst.ClientFor(otherKey).ListApplicationsWithResponse(ctx, &api.ListApplicationsParams{})); r.StatusCode() != http.StatusOK {
		t.Errorf("another user: %d, want 200", r.StatusCode())
	}
}
