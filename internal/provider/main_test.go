package provider

import (
	"os"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/gobin"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// TestMain removes the binaries the process-level tests built and stops the package's
// throw-away PostgreSQL cluster when the tests end.
func TestMain(m *testing.M) {
	code := m.Run()
	gobin.Cleanup()
	_ = pgtest.Shutdown()
	os.Exit(code)
}
