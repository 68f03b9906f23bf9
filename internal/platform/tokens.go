package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/authz"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// defaultTokenTTL is the lifetime of a token issued without ttl_seconds.
const defaultTokenTTL = 3600 * time.Second

// CreateAPIToken issues a short-lived token for the caller, or for another user when the
// caller is a platform admin. Only the token's hash is stored; the token is in this response
// only.
func (s *Server) CreateAPIToken(w http.ResponseWriter, r *http.Request, params api.CreateAPITokenParams) {
	var in api.APITokenInput
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	p := principal(r)
	userID := p.UserID
	if in.UserID != nil && *in.UserID != p.UserID {
		if !platformAdmin(p) {
			s.fail(w, r, forbidden("issuing a token for another user needs the admin role on the platform"))
			return
		}
		userID = *in.UserID
	}
	ceiling := authz.HighestRole(p)
	role := ceiling
	if in.MaxRole != nil {
		if authz.Rank(*in.MaxRole) > authz.Rank(ceiling) {
			s.fail(w, r, forbidden("a token's max_role cannot exceed your own highest role with this key ("+string(ceiling)+")"))
			return
		}
		role = *in.MaxRole
	}
	ttl := defaultTokenTTL
	if in.TTLSeconds != nil {
		ttl = time.Duration(*in.TTLSeconds) * time.Second
	}
	s.mutateOpening(w, r, params.IdempotencyKey, s.openResponseToken, func(ctx context.Context, q *store.Q) (int, any, error) {
		if userID != p.UserID {
			if err := mayActForOwner(ctx, q, p, userID, "issuing a token for"); err != nil {
				return 0, nil, err
			}
		}
		u, err := store.Users.Get(ctx, q, userID)
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil, invalid(FieldError("user_id", "there is no user with id %q", userID))
		}
		if err != nil {
			return 0, nil, err
		}
		if !u.Active {
			return 0, nil, invalid(FieldError("user_id", "user %s is inactive, so a token for them would be refused", userID))
		}
		now := s.now()
		token := GenerateAPIKey()
		key := store.APIKey{ID: store.NewID("tok"), UserID: userID, KeyHash: HashAPIKey(token), MaxRole: role,
			Description: deref(in.Description), ExpiresAt: ptr(now.Add(ttl)), CreatedAt: now}
		if err := q.CreateAPIKey(ctx, key); err != nil {
			return 0, nil, err
		}
		out := api.APIToken{ID: key.ID, Token: s.sealer.seal(token, tokenResponseContext(key.ID)), UserID: userID, Description: in.Description, MaxRole: role,
			ExpiresAt: *key.ExpiresAt, CreatedAt: now}
		return http.StatusCreated, out, s.audit(ctx, q, r, "create", "api_token", key.ID, "", "")
	})
}

// mayActForOwner refuses (403) an admin who is not a platform owner acting on the credentials
// of a platform owner: minting a token for an owner would let the admin act, and be audited, as
// the owner, and revoking theirs would lock them out, as mayManageUser refuses for the user.
func mayActForOwner(ctx context.Context, q *store.Q, p *store.Principal, userID, doing string) error {
	if can(p, Platform, api.Owner) {
		return nil
	}
	owners, err := userAssignments(ctx, q, userID, []store.Filter{store.Eq("role", string(api.Owner)),
		store.Eq("scope_type", string(api.ScopeTypePlatform))})
	if err != nil {
		return err
	}
	if len(owners) > 0 {
		return forbidden(doing + " a platform owner needs the owner role on the platform")
	}
	return nil
}

// The token in a response is sealed by the mutation and opened on the way out: mutate stores
// the response as the idempotency record, so that a retry gets the first answer with its
// token, and that record must not hold a usable credential in the clear.

// tokenResponseContext binds a sealed token to the response that issued it.
func tokenResponseContext(id string) string { return "token-response:" + id }

func (s *Server) openResponseToken(body []byte) ([]byte, error) {
	var tok api.APIToken
	if err := json.Unmarshal(body, &tok); err != nil {
		return nil, err
	}
	token, err := s.sealer.open(tok.Token, tokenResponseContext(tok.ID))
	if err != nil {
		return nil, fmt.Errorf("opening the token in token %s's stored response: %w", tok.ID, err)
	}
	tok.Token = token
	out, err := json.Marshal(tok)
	return append(out, '\n'), err
}

// DeleteAPIToken revokes a token (or any API key) at once. Callers may revoke their own;
// platform admins anyone's. Another user's token is a 404 to everyone else.
func (s *Server) DeleteAPIToken(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteAPITokenParams) {
	p := principal(r)
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		k, err := q.GetAPIKey(ctx, id)
		if err == nil && k.UserID != p.UserID && !platformAdmin(p) {
			return 0, nil, hidden("API token", id)
		}
		if err != nil {
			return 0, nil, notFoundAs(err, "API token", id)
		}
		if k.UserID != p.UserID {
			if err := mayActForOwner(ctx, q, p, k.UserID, "revoking a token of"); err != nil {
				return 0, nil, err
			}
		}
		if err := q.DeleteAPIKey(ctx, id); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.audit(ctx, q, r, "delete", "api_token", id, "", "")
	})
}
