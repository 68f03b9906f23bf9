package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// clientSubsystem is the tflog subsystem of the HTTP client (TF_LOG_PROVIDER_CLIENT).
const clientSubsystem = "client"

// clientLogger adapts tflog to client.Logger, so the client stays free of Terraform packages.
type clientLogger struct {
	apiKey string
}

func newClientLogger(apiKey string) clientLogger { return clientLogger{apiKey: apiKey} }

func (l clientLogger) ctx(ctx context.Context) context.Context {
	ctx = tflog.NewSubsystem(ctx, clientSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, clientSubsystem, "api_key", "token", "secret", "Authorization")
	if l.apiKey != "" {
		ctx = tflog.SubsystemMaskAllFieldValuesStrings(ctx, clientSubsystem, l.apiKey)
	}
	return ctx
}

func (l clientLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemDebug(l.ctx(ctx), clientSubsystem, msg, fields)
}

func (l clientLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.SubsystemWarn(l.ctx(ctx), clientSubsystem, msg, fields)
}
