package platformtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
		{"conforming problem", `{"type":"x","title":"Not found","status":404}`, http.StatusNotFound, false},
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
