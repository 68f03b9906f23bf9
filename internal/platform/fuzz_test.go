package platform_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// FuzzRequestBodies sends arbitrary bodies to every endpoint that takes one: no input may make
// the server answer 5xx or panic, and every refusal is a problem+json document with a status.
func FuzzRequestBodies(f *testing.F) {
	targets := []struct{ method, path string }{
		{"POST", "/api/v1/applications"},
		{"POST", "/api/v1/workflows"},
		{"POST", "/api/v1/webhooks"},
		{"POST", "/api/v1/users"},
		{"POST", "/api/v1/role-assignments"},
		{"POST", "/api/v1/classification-policies"},
		{"POST", "/api/v1/classify"},
		{"POST", "/api/v1/integrations"},
		{"POST", "/api/v1/events"},
		{"POST", "/api/v1/api-tokens"},
		{"PATCH", "/api/v1/applications/app_missing"},
		{"PUT", "/api/v1/workflows/wf_missing/monitoring-target"},
	}
	seeds := []string{
		`{"name":"order-management","environment":"production","version":"2.3.0"}`,
		`{"application_id":"app_x","name":"w","version":"1.0.0","trigger":{"type":"event","event_type":"order.created"},` +
			`"steps":[{"name":"s","type":"validate","validate":{"expression":"amount <= 10000","message":"m"}}]}`,
		`{"event_types":["order.created"],"callback_url":"http://127.0.0.1:1/x"}`,
		`{"email":"a@b.c"}`, `{"user_id":"usr_x","role":"owner","scope":{"type":"platform"}}`,
		`{"name":"p","level":"restricted","encryption":"none","access":"all","field_patterns":["**.ssn"]}`,
		`{"data":{"customer":{"ssn":"1"}}}`, `{"type":"order.created","data":{"amount":1}}`,
		`{"min_success_rate":99}`, `{`, `[]`, `null`, `"x"`, `{"name":1e400}`, "\x00\xff", `{"a":` + strings.Repeat("[", 5000),
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	inst := platformtest.Start(f, platformtest.WithoutResponseValidation())
	httpClient := inst.HTTP.Client()
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		target := targets[int(which)%len(targets)]
		req, err := http.NewRequest(target.method, inst.URL+target.path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+inst.OwnerKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", target.method, target.path, err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s with body %q answered %d: %s", target.method, target.path, body, resp.StatusCode, out)
		}
		if resp.StatusCode >= 400 {
			var problem struct {
				Status int    `json:"status"`
				Title  string `json:"title"`
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%s %s refused with Content-Type %q, want application/problem+json", target.method, target.path, ct)
			}
			if err := json.Unmarshal(out, &problem); err != nil || problem.Status != resp.StatusCode || problem.Title == "" {
				t.Fatalf("%s %s refused with a malformed problem (%v): %s", target.method, target.path, err, out)
			}
		}
	})
}
