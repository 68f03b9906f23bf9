package platform

import (
	"context"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/runtime"
)

// ClaimExecutionForTest and ClaimDeliveryForTest claim as the runtime's pools do, skipping the
// applications in full, and return the id of what they claimed ("" for nothing) without
// running it.
func (s *Server) ClaimExecutionForTest(ctx context.Context, full []string) (string, error) {
	job, err := executionQueue{s}.Claim(ctx, full)
	if job == nil {
		return "", err
	}
	return job.ID, err
}

// ClaimDeliveryForTest: see ClaimExecutionForTest.
func (s *Server) ClaimDeliveryForTest(ctx context.Context, full []string) (string, error) {
	job, err := deliveryQueue{s}.Claim(ctx, full)
	if job == nil {
		return "", err
	}
	return job.ID, err
}

// ClaimDeliveriesForTest claims as the Deliverer's pool does for itself and its idle workers:
// up to n deliveries in one transaction, none of an application once it holds max (held
// counts what each holds already). It returns the application of each delivery claimed.
func (s *Server) ClaimDeliveriesForTest(ctx context.Context, n, max int, held map[string]int) ([]string, error) {
	jobs, err := deliveryQueue{s}.ClaimBatch(ctx, runtime.NewSlots(n, max, held))
	groups := make([]string, len(jobs))
	for i, j := range jobs {
		groups[i] = j.Group
	}
	return groups, err
}
