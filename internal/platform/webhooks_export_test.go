package platform

import (
	"context"
)

// WebhookSecretsForTest exposes the secrets deliveries of a webhook are signed with now.
func (s *Server) WebhookSecretsForTest(ctx context.Context, id string) ([]string, error) {
	return s.webhookSecrets(ctx, s.store.Read(), id)
}
