package platformtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
)

// recordingTB captures Errorf so a test can assert that the contract check fires.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestValidateResponsesCatchesContractBreaks(t *testing.T) {
	cases := []struct {
		name, body string
		status     int
		wantBreak  bool
	}{
		{"conforming list", `{"items":[],"next_page_token":""}`, http.StatusOK, false},
		{"missing required field", `{"items":[]}`, http.StatusOK, true},
		{"wrong type", `{"items":[{"id":1}],"next_page_token":""}`, http.StatusOK, true},
		{"conforming problem", `{"type":"x","title":"Unauthorized","status":401}`, http.StatusUnauthorized, false},
		{"status the operation does not declare", `{"type":"x","title":"Not found","status":404}`, http.StatusNotFound, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			h := validateResponses(rec, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				if tc.status >= 400 {
					w.Header().Set("Content-Type", "application/problem+json")
				} else {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			req := httptest.NewRequest(http.MethodGet, "/api/v1/applications", nil)
			h.ServeHTTP(httptest.NewRecorder(), req)
			if got := len(rec.errors) > 0; got != tc.wantBreak {
				t.Fatalf("contract break reported = %v, want %v (%s)", got, tc.wantBreak, strings.Join(rec.errors, "; "))
			}
		})
	}
}

// TestValidateResponsesRefusesUndeclaredStatuses proves that a status an operation does not
// list fails the test even when the operation has a `default` response, and that a declared
// range (5XX) counts as declared.
func TestValidateResponsesRefusesUndeclaredStatuses(t *testing.T) {
	const doc = `openapi: 3.0.3
info: { title: t, version: "1" }
servers: [{ url: /api/v1 }]
paths:
  /things:
    get:
      operationId: listThings
      responses:
        '200': { description: ok }
        '404': { description: missing }
        '5XX': { description: server error }
        default: { description: anything else }
`
	loaded, err := openapi3.NewLoader().LoadFromData([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	rt, err := legacy.NewRouter(loaded)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		status    int
		wantBreak bool
	}{
		{http.StatusOK, false},
		{http.StatusNotFound, false},
		{http.StatusServiceUnavailable, false}, // in 5XX
		{http.StatusConflict, true},            // only `default` would cover it
		{http.StatusTeapot, true},
	}
	for _, tc := range cases {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			rec := &recordingTB{TB: t}
			h := validateResponsesWith(rec, rt, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tc.status)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/api/v1/things", nil))
			if got := len(rec.errors) > 0; got != tc.wantBreak {
				t.Fatalf("contract break reported = %v, want %v (%s)", got, tc.wantBreak, strings.Join(rec.errors, "; "))
			}
			if tc.wantBreak && !strings.Contains(rec.errors[0], "listThings") {
				t.Errorf("the report should name the operation: %s", rec.errors[0])
			}
		})
	}
}

// TestContractDeclaresErrorsByStatus keeps openapi.yaml honest for generated clients: no
// operation falls back on a `default` response, and each declares 401 (every API route
// authenticates) and 429 (every key is rate limited when the server has a limit).
func TestContractDeclaresErrorsByStatus(t *testing.T) {
	doc, err := platform.LoadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.Responses.Default() != nil {
				t.Errorf("%s %s (%s) declares a default response; declare each status it answers instead", method, path, op.OperationID)
			}
			for _, status := range []string{"401", "429", "5XX"} {
				if op.Responses.Value(status) == nil {
					t.Errorf("%s %s (%s) does not declare %s", method, path, op.OperationID, status)
				}
			}
			if op.Summary == "" || op.Description == "" {
				t.Errorf("%s %s (%s) needs a summary and a description", method, path, op.OperationID)
			}
		}
	}
}
