package platform

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/classification"
)

// validateClassificationPolicy checks the name, the seed table's minimum protection for the
// level, and the field patterns. Whether the application exists and may be written is decided
// in the transaction.
func validateClassificationPolicy(in api.ClassificationPolicyInput) error {
	var errs []api.FieldError
	errs = append(errs, checkName("name", in.Name)...)
	errs = append(errs, fieldErrors(classification.CheckMinimum(in.Level, in.Encryption, in.Access))...)
	errs = append(errs, fieldErrors(classification.ValidatePatterns(in.FieldPatterns))...)
	errs = append(errs, checkDuplicatePatterns("field_patterns", in.FieldPatterns)...)
	return invalid(errs...)
}

func fieldErrors(problems []classification.FieldProblem) []api.FieldError {
	errs := make([]api.FieldError, len(problems))
	for i, p := range problems {
		errs[i] = api.FieldError(p)
	}
	return errs
}

// checkDuplicatePatterns refuses a pattern listed twice; patterns match case-insensitively, so
// they are compared that way.
func checkDuplicatePatterns(field string, patterns []string) []api.FieldError {
	var errs []api.FieldError
	dups := repeats(patterns, strings.ToLower)
	for i := range patterns {
		j, dup := dups[i]
		if !dup {
			continue
		}
		errs = append(errs, FieldError(fmt.Sprintf("%s[%d]", field, i), "%q repeats %s[%d] (patterns are case-insensitive); list each pattern once", patterns[i], field, j))
	}
	return errs
}

// policyTarget is what a grant must cover to act on a policy: its application, or the platform
// for platform-wide policies.
func policyTarget(c *api.ClassificationPolicy) Target { return Target{ApplicationID: c.ApplicationID} }

// ListClassificationPolicies lists the policies the caller may read.
func (s *Server) ListClassificationPolicies(w http.ResponseWriter, r *http.Request, params api.ListClassificationPoliciesParams) {
	var filters []store.Filter
	if all, apps, _ := readable(principal(r)); !all {
		filters = append(filters, store.In("application_id", apps))
	}
	if params.Name != nil {
		filters = append(filters, store.Eq("name", *params.Name))
	}
	if params.Level != nil {
		filters = append(filters, store.Eq("level", string(*params.Level)))
	}
	if params.ApplicationID != nil {
		filters = append(filters, applicationFilter(*params.ApplicationID))
	}
	writeList(s, w, r, store.ClassificationPolicies, filters, page(params.PageSize, params.PageToken))
}

// CreateClassificationPolicy needs the admin role on the policy's application, or on the
// platform for a platform-wide policy.
func (s *Server) CreateClassificationPolicy(w http.ResponseWriter, r *http.Request, params api.CreateClassificationPolicyParams) {
	var in api.ClassificationPolicyInput
	if err := errors.Join(decode(r, &in), validateClassificationPolicy(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		appID := deref(in.ApplicationID)
		if err := s.checkScopeRef(ctx, q, r, appID, api.Admin, "classification policies"); err != nil {
			return 0, nil, err
		}
		now := s.now()
		newID, err := newObjectID(ctx, q, store.ClassificationPolicies, "cls", "classification policy", params.ID)
		if err != nil {
			return 0, nil, err
		}
		c := api.ClassificationPolicy{ID: newID, ApplicationID: appID, CreatedAt: now}
		applyClassificationPolicyInput(&c, in, now)
		if err := store.ClassificationPolicies.Create(ctx, q, &c); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, c, s.audit(ctx, q, r, "create", "classification_policy", c.ID, "", c.Etag)
	})
}

func applyClassificationPolicyInput(c *api.ClassificationPolicy, in api.ClassificationPolicyInput, now time.Time) {
	c.Name, c.Level, c.Encryption, c.Access = in.Name, in.Level, in.Encryption, in.Access
	c.Description = deref(in.Description)
	c.FieldPatterns = append([]string{}, in.FieldPatterns...)
	c.Etag, c.UpdatedAt = store.NewETag(), now
}

// GetClassificationPolicy reads one policy.
func (s *Server) GetClassificationPolicy(w http.ResponseWriter, r *http.Request, id api.ID) {
	c, err := s.readPolicy(r.Context(), s.store.Read(), r, id, api.Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) readPolicy(ctx context.Context, q *store.Q, r *http.Request, id string, role api.Role) (*api.ClassificationPolicy, error) {
	c, err := store.ClassificationPolicies.Get(ctx, q, id)
	if err == nil {
		err = authorize(principal(r), policyTarget(c), role, "classification policy", id)
	}
	if err != nil {
		return nil, notFoundAs(err, "classification policy", id)
	}
	return c, nil
}

// ReplaceClassificationPolicy replaces every field but the application, which cannot change.
func (s *Server) ReplaceClassificationPolicy(w http.ResponseWriter, r *http.Request, id api.ID, params api.ReplaceClassificationPolicyParams) {
	var in api.ClassificationPolicyInput
	if err := errors.Join(decode(r, &in), validateClassificationPolicy(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updatePolicy(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.ClassificationPolicy) (api.ClassificationPolicyInput, error) {
		if deref(in.ApplicationID) != cur.ApplicationID {
			return in, invalid(FieldError("application_id", "cannot be changed: the policy covers %s; "+
				"create a new policy there instead", scopeName(cur.ApplicationID)))
		}
		return in, nil
	})
}

// PatchClassificationPolicy changes the fields present in the body; the result must still meet
// its level's minimum.
func (s *Server) PatchClassificationPolicy(w http.ResponseWriter, r *http.Request, id api.ID, params api.PatchClassificationPolicyParams) {
	var patch api.ClassificationPolicyPatch
	if err := decode(r, &patch); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updatePolicy(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.ClassificationPolicy) (api.ClassificationPolicyInput, error) {
		in := api.ClassificationPolicyInput{Name: cur.Name, Description: &cur.Description, Level: cur.Level,
			Encryption: cur.Encryption, Access: cur.Access, FieldPatterns: cur.FieldPatterns, ApplicationID: &cur.ApplicationID}
		if patch.Name != nil {
			in.Name = *patch.Name
		}
		if patch.Description != nil {
			in.Description = patch.Description
		}
		if patch.Level != nil {
			in.Level = *patch.Level
		}
		if patch.Encryption != nil {
			in.Encryption = *patch.Encryption
		}
		if patch.Access != nil {
			in.Access = *patch.Access
		}
		if patch.FieldPatterns != nil {
			in.FieldPatterns = *patch.FieldPatterns
		}
		return in, nil
	})
}

func (s *Server) updatePolicy(w http.ResponseWriter, r *http.Request, id string, key, etag *string,
	next func(*api.ClassificationPolicy) (api.ClassificationPolicyInput, error)) {
	s.mutate(w, r, key, func(ctx context.Context, q *store.Q) (int, any, error) {
		c, err := s.readPolicy(ctx, q, r, id, api.Admin)
		if err != nil {
			return 0, nil, err
		}
		if err := checkETag(etag, c.Etag); err != nil {
			return 0, nil, err
		}
		in, err := next(c)
		if err == nil {
			err = validateClassificationPolicy(in)
		}
		if err != nil {
			return 0, nil, err
		}
		before := c.Etag
		applyClassificationPolicyInput(c, in, s.now())
		if err := store.ClassificationPolicies.Update(ctx, q, c, before); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, c, s.audit(ctx, q, r, "update", "classification_policy", id, before, c.Etag)
	})
}

// DeleteClassificationPolicy deletes a policy. Data-scope grants naming it stop covering
// anything, since no policy has their id any more.
func (s *Server) DeleteClassificationPolicy(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteClassificationPolicyParams) {
	deleteObject(s, w, r, params.IdempotencyKey, params.IfMatch, store.ClassificationPolicies, "classification_policy", id,
		func(ctx context.Context, q *store.Q) (*api.ClassificationPolicy, error) {
			return s.readPolicy(ctx, q, r, id, api.Admin)
		})
}

// ClassifyRecord classifies a record against the policies the caller may list: the
// platform-wide ones (for platform readers) and, with application_id, that application's. Any
// authenticated caller may classify; naming an application needs the viewer role on it. Nothing is stored, so without an Idempotency-Key it
// runs outside a write transaction.
func (s *Server) ClassifyRecord(w http.ResponseWriter, r *http.Request, params api.ClassifyRecordParams) {
	var in api.ClassifyRequest
	if err := decode(r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	classify := func(ctx context.Context, q *store.Q) (int, any, error) {
		appID := deref(in.ApplicationID)
		if appID != "" {
			if err := s.checkScopeRef(ctx, q, r, appID, api.Viewer, "classifications"); err != nil {
				return 0, nil, err
			}
		}
		policies, err := s.policiesFor(ctx, q, appID)
		if err != nil {
			return 0, nil, err
		}
		// Only the policies the caller may list: platform-wide ones need the viewer role on the
		// platform (their ids and patterns are not everyone's to see).
		if !can(principal(r), Platform, api.Viewer) {
			policies = slices.DeleteFunc(policies, func(p api.ClassificationPolicy) bool { return p.ApplicationID == "" })
		}
		data := in.Data
		if data == nil {
			data = map[string]any{}
		}
		return http.StatusOK, api.ClassifyResponse(classification.Classify(data, policies)), nil
	}
	if params.IdempotencyKey != nil {
		s.mutate(w, r, params.IdempotencyKey, classify)
		return
	}
	status, resp, err := classify(r.Context(), s.store.Read())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, status, resp)
}

// policiesFor returns every platform-wide policy and, when appID is set, that application's
// policies: those that govern the application's data.
func (s *Server) policiesFor(ctx context.Context, q *store.Q, appID string) ([]api.ClassificationPolicy, error) {
	scope := store.PlatformWide()
	if appID != "" {
		scope = store.PlatformWideOr(appID)
	}
	return listAll(ctx, q, store.ClassificationPolicies, []store.Filter{scope})
}
