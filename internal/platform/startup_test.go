package platform_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/gobin"
)

// sqliteServer is a server's configuration over a SQLite file in dir, with the key file
// beside it (no configured secret key).
func sqliteServer(dir string) platform.Config {
	return platform.Config{DatabaseURL: "sqlite://" + filepath.Join(dir, "lowcode.db"), BootstrapAPIKey: platform.GenerateAPIKey(),
		BootstrapKeyFile: filepath.Join(dir, "bootstrap-key"), Workers: -1, AllowLoopbackCallbacks: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func bearer(key string) api.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+key)
		return nil
	}
}

// withWebhook starts a server on cfg, creates a webhook (a sealed secret) and stops it.
func withWebhook(t *testing.T, cfg platform.Config) {
	t.Helper()
	srv, err := platform.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	c, err := api.NewClientWithResponses(hs.URL+"/api/v1", api.WithRequestEditorFn(bearer(cfg.BootstrapAPIKey)))
	if err != nil {
		t.Fatal(err)
	}
	r := must(c.CreateWebhookWithResponse(context.Background(), &api.CreateWebhookParams{},
		api.WebhookInput{CallbackURL: "http://127.0.0.1:9/hooks", EventTypes: []string{"order.created"}}))
	if r.JSON201 == nil {
		t.Fatalf("webhook: %d %s", r.StatusCode(), r.Body)
	}
	hs.Close()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
}

// The database, its WAL and shared-memory files, the key file and the bootstrap key file hold
// credentials and unredacted data: only their owner may read them.
func TestStartupFilesArePrivate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := sqliteServer(dir)
	cfg.BootstrapAPIKey = "" // generated and written to the bootstrap key file
	srv, err := platform.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Store().DB().Exec(`CREATE TABLE wal_probe (x INTEGER)`); err != nil { // the WAL holds a write
		t.Fatal(err)
	}
	for _, name := range []string{"lowcode.db", "lowcode.db-wal", "lowcode.db-shm", platform.SecretKeyFile, "bootstrap-key"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is %v, want 0600", name, fi.Mode().Perm())
		}
	}
}

// A key file missing while sealed secrets exist stops the server, saying what to restore,
// instead of generating a key that opens none of them.
func TestStartupRefusesAMissingKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := sqliteServer(dir)
	withWebhook(t, cfg)
	keyFile := filepath.Join(dir, platform.SecretKeyFile)
	if err := os.Remove(keyFile); err != nil {
		t.Fatal(err)
	}
	srv, err := platform.New(context.Background(), cfg)
	if err == nil {
		srv.Close()
		t.Fatal("the server started without the key file its sealed secrets need")
	}
	for _, want := range []string{"the secret key file " + keyFile + " is missing", "1 secrets sealed with it", "restore " + keyFile} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if _, err := os.Stat(keyFile); !os.IsNotExist(err) {
		t.Errorf("a new key file was written over the missing one: %v", err)
	}
	// An empty database needs no old key: a fresh one starts and makes one.
	fresh := sqliteServer(t.TempDir())
	srv, err = platform.New(context.Background(), fresh)
	if err != nil {
		t.Fatalf("a fresh server: %v", err)
	}
	srv.Close()
}

// A database with damaged pages is refused at start with the integrity check's finding, not
// served until requests fail with 500 "malformed".
func TestStartupRefusesACorruptDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := sqliteServer(dir)
	withWebhook(t, cfg)
	path := filepath.Join(dir, "lowcode.db")
	db, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the header page, damage the b-tree pages after it.
	const pageSize = 4096
	if len(db) < 8*pageSize {
		t.Fatalf("the database is only %d bytes", len(db))
	}
	copy(db[2*pageSize:6*pageSize], bytes.Repeat([]byte{0xA5}, 4*pageSize))
	if err := os.WriteFile(path, db, 0o600); err != nil {
		t.Fatal(err)
	}
	srv, err := platform.New(context.Background(), cfg)
	if err == nil {
		srv.Close()
		t.Fatal("the server started on a damaged database")
	}
	if !strings.Contains(err.Error(), "failed its integrity check") || !strings.Contains(err.Error(), "restore it from a backup") {
		t.Errorf("the error does not name the damage: %v", err)
	}
}

// The real server on a database another process holds locked stops within seconds and says
// the database is locked (it used to wait 30 s and say "context deadline exceeded").
func TestStartupNamesALockedDatabase(t *testing.T) {
	t.Parallel()
	bin := gobin.Build(t, gobin.Platform)
	dir := t.TempDir()
	cfg := sqliteServer(dir)
	withWebhook(t, cfg)
	holder, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "lowcode.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--listen", "127.0.0.1:0", "--database", cfg.DatabaseURL,
		"--bootstrap-key-file", cfg.BootstrapKeyFile, "--workers", "0")
	cmd.Env = append(os.Environ(), "LOWCODE_BOOTSTRAP_API_KEY="+cfg.BootstrapAPIKey,
		"LOWCODE_SECRET_KEY="+base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	start := time.Now()
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("the server neither served nor stopped within 20 s:\n%s", out)
	}
	if err == nil || !strings.Contains(string(out), "is locked by another process") || elapsed > 10*time.Second {
		t.Errorf("exit %v after %s:\n%s", err, elapsed.Round(time.Millisecond), out)
	}
}

// Secrets and bootstrap keys weaker than the stated rule are refused with the rule: a webhook
// secret of 24 × "a", a whsec_ key of 15 bytes, and the bootstrap key "ownerkey" (shorter
// secrets the contract refuses already).
func TestSecurityWeakSecretsAreRefused(t *testing.T) {
	t.Parallel()
	inst := platformtest.Start(t)
	ctx := context.Background()
	cases := []struct{ secret, want string }{
		{strings.Repeat("a", 24), "signing secret has only 1 different characters, fewer than 10"},
		{"whsec_ZmlmdGVlbi1ieXRlcyEh", "signing secret's key is 15 bytes, fewer than 16"},
		{"abcabcabcabcabcabcabcabcabc", "signing secret has only 3 different characters, fewer than 10"},
	}
	hook := createWebhook(t, inst.Client, api.WebhookInput{EventTypes: []string{"order.created"}, CallbackURL: "http://127.0.0.1:9/hooks"})
	for _, c := range cases {
		t.Run(c.secret, func(t *testing.T) {
			p := wantProblem(t, must(inst.Client.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{},
				api.WebhookInput{EventTypes: []string{"order.created"}, CallbackURL: "http://127.0.0.1:9/hooks", Secret: &c.secret})),
				http.StatusBadRequest, "secret")
			if msg := fieldMessage(p, "secret"); !strings.Contains(msg, c.want) || !strings.Contains(msg, "at least 10 different") ||
				strings.Contains(msg, c.secret) {
				t.Errorf("create: %q", msg)
			}
			wantProblem(t, must(inst.Client.RotateWebhookSecretWithResponse(ctx, hook.ID, &api.RotateWebhookSecretParams{},
				api.RotateSecretRequest{Secret: &c.secret})), http.StatusBadRequest, "secret")
		})
	}

	cfg := sqliteServer(t.TempDir())
	cfg.BootstrapAPIKey = "ownerkey"
	srv, err := platform.New(ctx, cfg)
	if err == nil {
		srv.Close()
		t.Fatal("the bootstrap key ownerkey was accepted")
	}
	if !strings.Contains(err.Error(), "has 8 characters, fewer than 24") || !strings.Contains(err.Error(), "at least 10 different") {
		t.Errorf("the refusal does not give the rule: %v", err)
	}
}
