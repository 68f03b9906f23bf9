package platform

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

var (
	apiVersionPattern = regexp.MustCompile(`^v[1-9][0-9]*$`)
	// repoPathPattern is host/owner/repo: a dotted host name (with an optional port), then two
	// or more path segments, since GitLab groups nest.
	repoPathPattern = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}(:[0-9]{1,5})?(/[A-Za-z0-9._~-]+){2,}$`)
	// repoSchemes are the URL schemes git clones over.
	repoSchemes = []string{"https", "http", "ssh", "git"}
)

func validateIntegration(in api.IntegrationInput) error {
	var errs []api.FieldError
	errs = append(errs, checkName("name", in.Name)...)
	errs = append(errs, checkCodeRepo("code_repo", in.CodeRepo)...)
	if !apiVersionPattern.MatchString(in.APIVersion) {
		errs = append(errs, FieldError("api_version", "%q is not an API version: use v and a number without leading zeros, such as v2", in.APIVersion))
	}
	return invalid(errs...)
}

// checkCodeRepo accepts a URL git can clone (https, http, ssh or git, with a host and a path)
// or the host/owner/repo shorthand such as github.com/company/crm-sync.
func checkCodeRepo(field, v string) []api.FieldError {
	const how = "use a URL (https://, http://, ssh:// or git://) or host/owner/repo such as github.com/company/crm-sync"
	if strings.ContainsAny(v, " \t\r\n") {
		return []api.FieldError{FieldError(field, "%q contains spaces; %s", v, how)}
	}
	scheme, _, isURL := strings.Cut(v, "://")
	if !isURL {
		if !repoPathPattern.MatchString(v) {
			return []api.FieldError{FieldError(field, "%q is not a repository location: %s", v, how)}
		}
		return nil
	}
	u, err := url.Parse(v)
	switch {
	case err != nil || !slices.Contains(repoSchemes, strings.ToLower(scheme)):
		return []api.FieldError{FieldError(field, "%q is not a repository URL git can clone: %s", v, how)}
	case u.Host == "" || strings.Trim(u.Path, "/") == "":
		return []api.FieldError{FieldError(field, "%q names no host or no repository path: %s", v, how)}
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return []api.FieldError{FieldError(field, "repository URLs must not carry a password: it would be shown to every reader of the integration")}
	}
	return nil
}

// ListIntegrations lists custom integrations; they are platform-wide, so callers without a
// platform role see none.
func (s *Server) ListIntegrations(w http.ResponseWriter, r *http.Request, params api.ListIntegrationsParams) {
	var filters []store.Filter
	if !can(principal(r), Platform, api.Viewer) {
		filters = append(filters, store.In("id", []string{}))
	}
	if params.Name != nil {
		filters = append(filters, store.Eq("name", *params.Name))
	}
	writeList(s, w, r, store.Integrations, filters, page(params.PageSize, params.PageToken))
}

// CreateIntegration needs the editor role on the platform.
func (s *Server) CreateIntegration(w http.ResponseWriter, r *http.Request, params api.CreateIntegrationParams) {
	var in api.IntegrationInput
	if err := errors.Join(decode(r, &in), validateIntegration(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	if !can(principal(r), Platform, api.Editor) {
		s.fail(w, r, forbidden("creating custom integrations needs the editor role on the platform"))
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		now := s.now()
		newID, err := newObjectID(ctx, q, store.Integrations, "int", "integration", params.ID)
		if err != nil {
			return 0, nil, err
		}
		ig := api.Integration{ID: newID, CreatedAt: now}
		applyIntegrationInput(&ig, in, now)
		if err := store.Integrations.Create(ctx, q, &ig); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, ig, s.audit(ctx, q, r, "create", "integration", ig.ID, "", ig.Etag)
	})
}

func applyIntegrationInput(ig *api.Integration, in api.IntegrationInput, now time.Time) {
	ig.Name, ig.CodeRepo, ig.APIVersion = in.Name, in.CodeRepo, in.APIVersion
	ig.Description = deref(in.Description)
	ig.Etag, ig.UpdatedAt = store.NewETag(), now
}

// GetIntegration reads one integration.
func (s *Server) GetIntegration(w http.ResponseWriter, r *http.Request, id api.ID) {
	ig, err := s.readIntegration(r.Context(), s.store.Read(), r, id, api.Viewer)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ig)
}

func (s *Server) readIntegration(ctx context.Context, q *store.Q, r *http.Request, id string, role api.Role) (*api.Integration, error) {
	ig, err := store.Integrations.Get(ctx, q, id)
	if err == nil {
		err = authorize(principal(r), Platform, role, "integration", id)
	}
	if err != nil {
		return nil, notFoundAs(err, "integration", id)
	}
	return ig, nil
}

// ReplaceIntegration replaces every field.
func (s *Server) ReplaceIntegration(w http.ResponseWriter, r *http.Request, id api.ID, params api.ReplaceIntegrationParams) {
	var in api.IntegrationInput
	if err := errors.Join(decode(r, &in), validateIntegration(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateIntegration(w, r, id, params.IdempotencyKey, params.IfMatch, func(*api.Integration) api.IntegrationInput { return in })
}

// PatchIntegration changes the fields present in the body.
func (s *Server) PatchIntegration(w http.ResponseWriter, r *http.Request, id api.ID, params api.PatchIntegrationParams) {
	var patch api.IntegrationPatch
	if err := decode(r, &patch); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateIntegration(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.Integration) api.IntegrationInput {
		in := api.IntegrationInput{Name: cur.Name, CodeRepo: cur.CodeRepo, APIVersion: cur.APIVersion, Description: &cur.Description}
		if patch.Name != nil {
			in.Name = *patch.Name
		}
		if patch.CodeRepo != nil {
			in.CodeRepo = *patch.CodeRepo
		}
		if patch.APIVersion != nil {
			in.APIVersion = *patch.APIVersion
		}
		if patch.Description != nil {
			in.Description = patch.Description
		}
		return in
	})
}

func (s *Server) updateIntegration(w http.ResponseWriter, r *http.Request, id string, key, etag *string, next func(*api.Integration) api.IntegrationInput) {
	s.mutate(w, r, key, func(ctx context.Context, q *store.Q) (int, any, error) {
		ig, err := s.readIntegration(ctx, q, r, id, api.Editor)
		if err != nil {
			return 0, nil, err
		}
		if err := checkETag(etag, ig.Etag); err != nil {
			return 0, nil, err
		}
		in := next(ig)
		if err := validateIntegration(in); err != nil {
			return 0, nil, err
		}
		before := ig.Etag
		applyIntegrationInput(ig, in, s.now())
		if err := store.Integrations.Update(ctx, q, ig, before); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, ig, s.audit(ctx, q, r, "update", "integration", id, before, ig.Etag)
	})
}

// DeleteIntegration deletes an integration.
func (s *Server) DeleteIntegration(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteIntegrationParams) {
	deleteObject(s, w, r, params.IdempotencyKey, params.IfMatch, store.Integrations, "integration", id,
		func(ctx context.Context, q *store.Q) (*api.Integration, error) {
			return s.readIntegration(ctx, q, r, id, api.Editor)
		})
}

// deleteObject is a DELETE handler's body: read loads the object and checks the caller may
// delete it, If-Match must name its etag, and the deletion is audited.
func deleteObject[T any](s *Server, w http.ResponseWriter, r *http.Request, key, ifMatch *string, kind *store.Kind[T], objectType, id string,
	read func(ctx context.Context, q *store.Q) (*T, error)) {
	s.mutate(w, r, key, func(ctx context.Context, q *store.Q) (int, any, error) {
		obj, err := read(ctx, q)
		if err != nil {
			return 0, nil, err
		}
		etag := kind.ETag(obj)
		if err := checkETag(ifMatch, etag); err != nil {
			return 0, nil, err
		}
		if err := kind.Delete(ctx, q, id, etag); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.audit(ctx, q, r, "delete", objectType, id, etag, "")
	})
}
