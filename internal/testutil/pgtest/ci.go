package pgtest

import (
	"os"
	"strconv"
	"strings"
)

// isCI reports whether the CI environment variable is set to a true value
// (CI=true, as set by GitHub Actions and most CI systems, or CI=1).
func isCI() bool {
	v, err := strconv.ParseBool(strings.TrimSpace(os.Getenv("CI")))
	return err == nil && v
}
