package client

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestUnconfigured(t *testing.T) {
	c := Unconfigured("endpoint is not known until apply")
	_, err := c.GetApplication(context.Background(), "app_1")
	if !errors.Is(err, ErrUnconfigured) || !strings.Contains(err.Error(), "endpoint is not known until apply") {
		t.Fatalf("GetApplication on an unconfigured client: %v", err)
	}
	for _, err := range c.ListApplications(context.Background(), ApplicationFilter{}) {
		if !errors.Is(err, ErrUnconfigured) {
			t.Fatalf("ListApplications on an unconfigured client: %v", err)
		}
	}
}
