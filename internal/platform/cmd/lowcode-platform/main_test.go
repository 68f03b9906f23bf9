package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
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
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := run(tc.args, &out)
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
