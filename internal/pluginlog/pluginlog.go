// Package pluginlog decides how much a provider plugin logs when nobody asked for its logs.
package pluginlog

import (
	"os"
	"strings"
)

// quieted are the variables the plugin SDKs (terraform-plugin-go, -framework) and the
// provider's own logger read their levels from.
var quieted = []string{"TF_LOG_PROVIDER", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// QuietUnlessRequested turns the plugin's logs off when Terraform would drop them anyway.
//
// Terraform keeps a plugin's logs only when TF_LOG or TF_LOG_PROVIDER (or another TF_LOG*
// variable) asks for them, and passes its environment to the plugin. Without those variables
// the SDKs still default to TRACE, format every line as JSON and send it over the plugin's
// stderr to be thrown away: in a `terraform plan` of 1,000 resources that was a fifth of the
// provider's CPU time. If any TF_LOG* variable is set, nothing changes, so `TF_LOG=trace`
// shows everything as before.
func QuietUnlessRequested() {
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TF_LOG") {
			return
		}
	}
	for _, v := range quieted {
		_ = os.Setenv(v, "OFF")
	}
}
