package platform

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

func validateApplication(in api.ApplicationInput) error {
	var errs []api.FieldError
	errs = append(errs, checkName("name", in.Name)...)
	errs = append(errs, checkSemver("version", in.Version)...)
	errs = append(errs, checkLabels("labels", in.Labels)...)
	return invalid(errs...)
}

func applicationTarget(id string) Target { return Target{ApplicationID: id} }

// ListApplications lists the applications the caller may read.
func (s *Server) ListApplications(w http.ResponseWriter, r *http.Request, params api.ListApplicationsParams) {
	var filters []store.Filter
	if all, apps, _ := readable(principal(r)); !all {
		filters = append(filters, store.In("id", apps))
	}
	if params.Name != nil {
		filters = append(filters, store.Eq("name", *params.Name))
	}
	if params.Environment != nil {
		filters = append(filters, store.Eq("environment", string(*params.Environment)))
	}
	writeList(s, w, r, store.Applications, filters, page(params.PageSize, params.PageToken))
}

// CreateApplication needs the editor role on the platform.
func (s *Server) CreateApplication(w http.ResponseWriter, r *http.Request, params api.CreateApplicationParams) {
	var in api.ApplicationInput
	if err := errors.Join(decode(r, &in), validateApplication(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	if !can(principal(r), Platform, api.Editor) {
		s.fail(w, r, forbidden("creating applications needs the editor role on the platform"))
		return
	}
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		now := s.now()
		newID, err := newObjectID(ctx, q, store.Applications, "app", "application", params.ID)
		if err != nil {
			return 0, nil, err
		}
		app := api.Application{ID: newID, CreatedAt: now}
		applyApplicationInput(&app, in, now)
		if err := store.Applications.Create(ctx, q, &app); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, app, s.audit(ctx, q, r, "create", "application", app.ID, "", app.Etag)
	})
}

func applyApplicationInput(app *api.Application, in api.ApplicationInput, now time.Time) {
	app.Name, app.Environment, app.Version = in.Name, in.Environment, in.Version
	app.Description = deref(in.Description)
	app.Labels = deref(in.Labels)
	if app.Labels == nil {
		app.Labels = api.Labels{}
	}
	app.Etag, app.UpdatedAt = store.NewETag(), now
}

// GetApplication reads one application.
func (s *Server) GetApplication(w http.ResponseWriter, r *http.Request, id api.ID) {
	app, err := store.Applications.Get(r.Context(), s.store.Read(), id)
	if err == nil {
		err = authorize(principal(r), applicationTarget(id), api.Viewer, "application", id)
	}
	if err != nil {
		s.fail(w, r, notFoundAs(err, "application", id))
		return
	}
	writeJSON(w, http.StatusOK, app)
}

// ReplaceApplication replaces every field.
func (s *Server) ReplaceApplication(w http.ResponseWriter, r *http.Request, id api.ID, params api.ReplaceApplicationParams) {
	var in api.ApplicationInput
	if err := errors.Join(decode(r, &in), validateApplication(in)); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateApplication(w, r, id, params.IdempotencyKey, params.IfMatch, func(*api.Application) api.ApplicationInput { return in })
}

// PatchApplication changes the fields present in the body.
func (s *Server) PatchApplication(w http.ResponseWriter, r *http.Request, id api.ID, params api.PatchApplicationParams) {
	var patch api.ApplicationPatch
	if err := decode(r, &patch); err != nil {
		s.fail(w, r, err)
		return
	}
	s.updateApplication(w, r, id, params.IdempotencyKey, params.IfMatch, func(cur *api.Application) api.ApplicationInput {
		in := api.ApplicationInput{Name: cur.Name, Environment: cur.Environment, Version: cur.Version,
			Description: &cur.Description, Labels: &cur.Labels}
		if patch.Name != nil {
			in.Name = *patch.Name
		}
		if patch.Environment != nil {
			in.Environment = *patch.Environment
		}
		if patch.Version != nil {
			in.Version = *patch.Version
		}
		if patch.Description != nil {
			in.Description = patch.Description
		}
		if patch.Labels != nil {
			in.Labels = patch.Labels
		}
		return in
	})
}

func (s *Server) updateApplication(w http.ResponseWriter, r *http.Request, id string, key, etag *string, next func(*api.Application) api.ApplicationInput) {
	s.mutate(w, r, key, func(ctx context.Context, q *store.Q) (int, any, error) {
		app, err := store.Applications.Get(ctx, q, id)
		if err == nil {
			err = authorize(principal(r), applicationTarget(id), api.Editor, "application", id)
		}
		if err != nil {
			return 0, nil, notFoundAs(err, "application", id)
		}
		if err := checkETag(etag, app.Etag); err != nil {
			return 0, nil, err
		}
		in := next(app)
		if err := validateApplication(in); err != nil {
			return 0, nil, err
		}
		before := app.Etag
		applyApplicationInput(app, in, s.now())
		if err := store.Applications.Update(ctx, q, app, before); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, app, s.audit(ctx, q, r, "update", "application", id, before, app.Etag)
	})
}

// DeleteApplication refuses while workflows, webhooks or classification policies belong to it.
func (s *Server) DeleteApplication(w http.ResponseWriter, r *http.Request, id api.ID, params api.DeleteApplicationParams) {
	s.mutate(w, r, params.IdempotencyKey, func(ctx context.Context, q *store.Q) (int, any, error) {
		app, err := store.Applications.Get(ctx, q, id)
		if err == nil {
			err = authorize(principal(r), applicationTarget(id), api.Editor, "application", id)
		}
		if err != nil {
			return 0, nil, notFoundAs(err, "application", id)
		}
		if err := checkETag(params.IfMatch, app.Etag); err != nil {
			return 0, nil, err
		}
		if err := applicationInUse(ctx, q, id); err != nil {
			return 0, nil, err
		}
		if err := store.Applications.Delete(ctx, q, id, app.Etag); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, s.audit(ctx, q, r, "delete", "application", id, app.Etag, "")
	})
}

// applicationInUse refuses to delete an application that workflows, webhooks or
// classification policies still belong to, naming one of them.
func applicationInUse(ctx context.Context, q *store.Q, id string) error {
	byApp := []store.Filter{store.Eq("application_id", id)}
	one := store.Page{Size: 1}
	wfs, _, err := store.Workflows.List(ctx, q, byApp, one)
	if err != nil {
		return err
	}
	if len(wfs) > 0 {
		return conflict("application "+id+" still has workflows (such as "+wfs[0].ID+"); delete them first", wfs[0].ID)
	}
	hooks, _, err := store.Webhooks.List(ctx, q, byApp, one)
	if err != nil {
		return err
	}
	if len(hooks) > 0 {
		return conflict("application "+id+" still has webhooks (such as "+hooks[0].ID+"); delete them first", hooks[0].ID)
	}
	policies, _, err := store.ClassificationPolicies.List(ctx, q, byApp, one)
	if err != nil {
		return err
	}
	if len(policies) > 0 {
		return conflict("application "+id+" still has classification policies (such as "+policies[0].ID+"); delete them first", policies[0].ID)
	}
	return nil
}

// notFoundAs names the object in the 404 for a store ErrNotFound.
func notFoundAs(err error, kind, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(kind, id)
	}
	return err
}
