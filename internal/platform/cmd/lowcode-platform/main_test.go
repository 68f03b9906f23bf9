package main

import (
	"context"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
)

func TestRun(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()

	cases := []struct {
		name     string
		args     []string
		wantErr  string // "" means success
		wantHelp bool
	}{
		{name: "help", args: []string{"--help"}, wantHelp: true},
		{name: "serve help", args: []string{"serve", "--help"}, wantHelp: true},
		{name: "unknown command", args: []string{"start"}, wantErr: `unknown command "start"`},
		{name: "bad flag", args: []string{"serve", "--no-such-flag"}, wantErr: "bad flags (see --help)"},
		{name: "stray argument", args: []string{"serve", "extra"}, wantErr: `unexpected argument "extra"`},
		{name: "port in use", args: []string{"serve", "--listen", busy.Addr().String()},
			wantErr: "the port is already in use"},
		{name: "unreachable database", args: []string{"serve", "--listen", "127.0.0.1:0",
			"--database", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, wantErr: "cannot reach the database"},
		{name: "unsupported database", args: []string{"serve", "--listen", "127.0.0.1:0", "--database", "mysql://x"},
			wantErr: "unsupported database URL"},
		{name: "bad log level", args: []string{"serve", "--log-level", "loud", "--database", "sqlite://" + filepath.Join(dir, "x.db")},
			wantErr: `--log-level "loud"`},
		{name: "bad retry schedule", args: []string{"serve", "--delivery-retry-schedule", "1s,soon"},
			wantErr: `"soon" is not a positive duration; give waits such as 5s,30s,2m,10m,1h`},
		{name: "negative retry wait", args: []string{"serve", "--delivery-retry-schedule", "-1s"},
			wantErr: `"-1s" is not a positive duration`},
		{name: "lease too short", args: []string{"serve", "--lease-duration", "100ms"},
			wantErr: "--lease-duration 100ms: use at least 1s"},
		{name: "document limit too small", args: []string{"serve", "--max-document-bytes", "100"},
			wantErr: "--max-document-bytes 100: use at least 1024 bytes"},
		{name: "document depth too small", args: []string{"serve", "--max-document-depth", "0"},
			wantErr: "--max-document-depth 0: use at least 8 levels"},
		{name: "no executions per event", args: []string{"serve", "--max-executions-per-event", "0"},
			wantErr: "--max-executions-per-event 0: use at least 1 execution"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := run(context.Background(), tc.args, &out)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if tc.wantHelp && (!strings.Contains(out.String(), "-database") || !strings.Contains(out.String(), "LOWCODE_DATABASE_URL")) {
				t.Fatalf("help does not explain the settings:\n%s", out.String())
			}
			if err != nil && strings.Contains(err.Error(), "goroutine") {
				t.Fatalf("error is a stack trace, not one line: %v", err)
			}
		})
	}
}

func TestParseRetrySchedule(t *testing.T) {
	got, err := parseRetrySchedule(" 20ms, 1s,2m ")
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{20 * time.Millisecond, time.Second, 2 * time.Minute}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	def, err := parseRetrySchedule(defaultRetrySchedule)
	if err != nil || !slices.Equal(def, platform.DefaultDeliveryRetrySchedule) {
		t.Fatalf("the flag's default reads as %v (%v), the platform's is %v", def, err, platform.DefaultDeliveryRetrySchedule)
	}
}
