package platform_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// BenchmarkGetApplication measures the server's own cost of one authenticated single-object
// GET (authentication, authorization, the read and the JSON), in process and without the
// network, so a CPU profile of it shows where the platform spends its time per request.
func BenchmarkGetApplication(b *testing.B) {
	inst := platformtest.Start(b, platformtest.WithoutResponseValidation())
	id := createAppB(b, inst.Client)
	handler := inst.Server.Handler()
	req := httptest.NewRequest(http.MethodGet, "/api/v1/applications/"+id, nil)
	req.Header.Set("Authorization", "Bearer "+inst.OwnerKey)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET: %d %s", rec.Code, rec.Body)
		}
	}
}
