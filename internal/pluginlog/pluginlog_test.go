package pluginlog

import (
	"os"
	"strings"
	"testing"
)

// clearLogEnv unsets every TF_LOG* variable for the test.
func clearLogEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "TF_LOG") {
			t.Setenv(name, "") // restores it afterwards
			_ = os.Unsetenv(name)
		}
	}
}

func TestQuietWhenNobodyAsked(t *testing.T) {
	clearLogEnv(t)
	for _, v := range quieted {
		t.Setenv(v, "")
		_ = os.Unsetenv(v)
	}
	QuietUnlessRequested()
	for _, v := range quieted {
		if got := os.Getenv(v); got != "OFF" {
			t.Errorf("%s = %q, want OFF", v, got)
		}
	}
}

func TestUntouchedWhenLogsAreRequested(t *testing.T) {
	for _, asked := range []string{"TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PATH", "TF_LOG_SDK_FRAMEWORK"} {
		t.Run(asked, func(t *testing.T) {
			clearLogEnv(t)
			t.Setenv(asked, "TRACE")
			QuietUnlessRequested()
			for _, v := range quieted {
				if v == asked {
					continue
				}
				if got, set := os.LookupEnv(v); set {
					t.Errorf("with %s set, %s was set to %q", asked, v, got)
				}
			}
			if os.Getenv(asked) != "TRACE" {
				t.Errorf("%s changed to %q", asked, os.Getenv(asked))
			}
		})
	}
}
