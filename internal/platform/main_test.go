package platform_test

import (
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// TestMain stops the package's throw-away PostgreSQL cluster when the tests end.
func TestMain(m *testing.M) { pgtest.Main(m) }
