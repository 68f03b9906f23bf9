package platform_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// A body sent without the JSON content type (curl -d, say) gets a 415 that says which header
// to send, and creates nothing.
func TestBodyMustBeSentAsJSON(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	const body = `{"name":"order-management","environment":"production","version":"2.3.0"}`
	cases := []struct {
		contentType string
		wantStatus  int
	}{
		{"application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"", http.StatusUnsupportedMediaType},
		{"text/plain", http.StatusUnsupportedMediaType},
		{"application/json; charset=utf-8", http.StatusCreated},
	}
	for _, tc := range cases {
		t.Run(tc.contentType, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, inst.URL+"/api/v1/applications", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+inst.OwnerKey)
			if tc.contentType != "" {
				req.Header.Set("Content-Type", tc.contentType)
			}
			resp, err := inst.HTTP.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			out, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.wantStatus, out)
			}
			if tc.wantStatus != http.StatusUnsupportedMediaType {
				return
			}
			var p struct{ Detail string }
			if err := json.Unmarshal(out, &p); err != nil || !strings.Contains(p.Detail, "send it as JSON with the header `Content-Type: application/json`") {
				t.Errorf("problem %s does not say what to send", out)
			}
		})
	}
	apps := must(inst.Client.ListApplicationsWithResponse(t.Context(), nil))
	if n := len(apps.JSON200.Items); n != 1 {
		t.Errorf("%d applications exist, want 1 (only the JSON request creates one)", n)
	}
}
