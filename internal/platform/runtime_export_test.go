package platform

import "context"

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
