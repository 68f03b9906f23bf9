package store_test

import (
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// Every dialect passes the store's conformance suite.
func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		storetest.Run(t, func(t *testing.T) *store.Store { return d.Open(t) })
	})
}

func TestMain(m *testing.M) { pgtest.Main(m) }
