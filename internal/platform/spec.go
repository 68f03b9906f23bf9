package platform

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// specValidator checks requests against openapi.yaml: types, enums, lengths, required fields
// and unknown fields (additionalProperties: false) are all the contract's to decide, so the
// handlers see only well-formed input.
type specValidator struct {
	router routers.Router
}

// LoadSpec parses the embedded contract.
func LoadSpec() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.Spec)
	if err != nil {
		return nil, fmt.Errorf("loading openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi.yaml is invalid: %w", err)
	}
	return doc, nil
}

func newSpecValidator() (*specValidator, error) {
	doc, err := LoadSpec()
	if err != nil {
		return nil, err
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &specValidator{router: router}, nil
}

func (v *specValidator) validate(r *http.Request, body []byte) error {
	route, params, err := v.router.FindRoute(r)
	if errors.Is(err, routers.ErrPathNotFound) || errors.Is(err, routers.ErrMethodNotAllowed) {
		// Unknown paths and methods fall through to the router's own 404/405.
		return nil
	}
	if err != nil {
		return err
	}
	if len(body) > 0 {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return &Problem{Status: http.StatusUnsupportedMediaType, Type: "unsupported-media-type", Title: "Unsupported media type",
				Detail: fmt.Sprintf("the body was sent as %q; send it as JSON with the header `Content-Type: application/json`",
					r.Header.Get("Content-Type"))}
		}
	}
	in := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options: &openapi3filter.Options{
			MultiError:         true,
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
		},
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return contractProblem(err)
	}
	return nil
}

// contractProblem turns kin-openapi's errors into field-level errors a user can act on.
func contractProblem(err error) error {
	var fields []api.FieldError
	var collect func(error)
	collect = func(err error) {
		// RequestError unwraps to a MultiError, so it must be recognised first.
		var reqErr *openapi3filter.RequestError
		if errors.As(err, &reqErr) {
			field := "body"
			if reqErr.Parameter != nil {
				field = reqErr.Parameter.Name
			}
			var inner openapi3.MultiError
			switch {
			case errors.As(reqErr.Err, &inner):
				for _, e := range inner {
					fields = append(fields, schemaFieldError(field, reqErr.Parameter != nil, e))
				}
			case reqErr.Err == nil:
				fields = append(fields, FieldError(field, "%s", reqErr.Reason))
			default:
				fields = append(fields, schemaFieldError(field, reqErr.Parameter != nil, reqErr.Err))
			}
			return
		}
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			for _, e := range multi {
				collect(e)
			}
			return
		}
		fields = append(fields, FieldError("body", "%s", err.Error()))
	}
	collect(err)
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].Field < fields[j].Field })
	return invalid(fields...)
}

func schemaFieldError(field string, isParam bool, err error) api.FieldError {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		if !isParam {
			pointer := se.JSONPointer()
			if name, ok := unknownProperty(se); ok {
				pointer = append(pointer, name)
			}
			field = jsonPath(pointer)
			if field == "" {
				field = "body"
			}
		}
		return FieldError(field, "%s", schemaMessage(se))
	}
	var pe *openapi3filter.ParseError
	if errors.As(err, &pe) {
		return FieldError(field, "is not valid JSON or not the right type: %s", pe.Error())
	}
	return FieldError(field, "%s", err.Error())
}

// schemaMessage words kin-openapi's reasons for a user who never read the schema.
func schemaMessage(se *openapi3.SchemaError) string {
	if _, ok := unknownProperty(se); ok {
		return "unknown field; check the spelling against the API reference"
	}
	switch se.SchemaField {
	case "enum":
		if se.Schema != nil && len(se.Schema.Enum) > 0 {
			allowed := make([]string, len(se.Schema.Enum))
			for i, e := range se.Schema.Enum {
				allowed[i] = fmt.Sprint(e)
			}
			return fmt.Sprintf("%v is not one of the allowed values: %s", se.Value, strings.Join(allowed, ", "))
		}
	case "pattern":
		// The schema's description says the rule in words (such as Name's).
		if se.Schema != nil && se.Schema.Description != "" {
			return fmt.Sprintf("%q is not valid: %s", fmt.Sprint(se.Value), se.Schema.Description)
		}
	}
	return se.Reason
}

// unknownProperty recognises kin-openapi's additionalProperties: false error and names the
// property.
func unknownProperty(se *openapi3.SchemaError) (string, bool) {
	rest, ok := strings.CutPrefix(se.Reason, "property ")
	if !ok || !strings.HasSuffix(rest, " is unsupported") {
		return "", false
	}
	name, err := strconv.Unquote(strings.TrimSuffix(rest, " is unsupported"))
	return name, err == nil
}

// jsonPath renders ["steps","1","name"] as steps[1].name.
func jsonPath(pointer []string) string {
	var b strings.Builder
	for _, p := range pointer {
		if _, err := strconv.Atoi(p); err == nil {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

func serveSpec(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(api.Spec)
}
