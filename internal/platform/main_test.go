package platform_test

import (
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/gobin"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// TestMain stops the package's throw-away PostgreSQL cluster and removes the binaries the
// process-level tests built when the tests end.
func TestMain(m *testing.M) { pgtest.Main(m, gobin.Cleanup) }
