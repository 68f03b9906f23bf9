package platform_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
)

// startServer starts a platform server without an HTTP listener, for tests of its settings.
func startServer(t *testing.T, cfg platform.Config) (*platform.Server, error) {
	t.Helper()
	if cfg.BootstrapAPIKey == "" {
		cfg.BootstrapAPIKey = platform.GenerateAPIKey() // else a key file would be written to the working directory
	}
	cfg.Logger = slog.New(slog.DiscardHandler)
	srv, err := platform.New(context.Background(), cfg)
	if err == nil {
		t.Cleanup(func() { _ = srv.Close() })
	}
	return srv, err
}

func TestSecretKeyFileBesideSQLiteDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := platform.Config{DatabaseURL: "sqlite://" + filepath.Join(dir, "platform.db"), BootstrapAPIKey: platform.GenerateAPIKey()}
	srv, err := startServer(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, platform.SecretKeyFile)
	info, err := os.Stat(keyFile)
	if err != nil {
		t.Fatalf("no key file beside the database: %v", err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", info.Mode().Perm())
	}
	text, _ := os.ReadFile(keyFile)
	if key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text))); err != nil || len(key) != 32 {
		t.Fatalf("key file holds %q, want 32 bytes in base64", text)
	}

	// A secret sealed under the file's key opens after a restart, which reads the same file.
	ctx := context.Background()
	secret := "a-secret-that-must-survive-restarts"
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	c, err := api.NewClientWithResponses(hs.URL+"/api/v1", api.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+cfg.BootstrapAPIKey)
		return nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	created := must(c.CreateWebhookWithResponse(ctx, &api.CreateWebhookParams{}, api.WebhookInput{EventTypes: []string{"order.created"},
		CallbackURL: "https://crm.example.com/in", Secret: &secret}))
	if created.JSON201 == nil {
		t.Fatalf("create: %d %s", created.StatusCode(), created.Body)
	}
	id := created.JSON201.ID
	_ = srv.Close()
	again, err := startServer(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := again.WebhookSecretsForTest(ctx, id); err != nil || !slices.Equal(got, []string{secret}) {
		t.Fatalf("after a restart the secrets are %q, %v", got, err)
	}
	if text2, _ := os.ReadFile(keyFile); string(text2) != string(text) {
		t.Fatalf("the restart replaced the key file")
	}

	// A broken key file stops the server rather than sealing under a new key.
	if err := os.WriteFile(keyFile, []byte("not a key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_ = again.Close()
	if _, err := startServer(t, cfg); err == nil || !strings.Contains(err.Error(), keyFile) {
		t.Fatalf("a corrupt key file: %v", err)
	}
}

func TestSecretKeySettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct {
		name string
		cfg  platform.Config
		says string
	}{
		{"short configured key", platform.Config{DatabaseURL: "sqlite://" + filepath.Join(dir, "a.db"), SecretKey: []byte("short")}, "must be 32 bytes"},
		{"in-memory SQLite", platform.Config{DatabaseURL: "sqlite://:memory:"}, "LOWCODE_SECRET_KEY"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := startServer(t, tc.cfg); err == nil || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("New: %v, want an error saying %q", err, tc.says)
			}
		})
	}
	t.Run("postgres without a key", func(t *testing.T) {
		t.Parallel()
		_, err := startServer(t, platform.Config{DatabaseURL: pgtest.Start(t)})
		if err == nil || !strings.Contains(err.Error(), "set LOWCODE_SECRET_KEY") {
			t.Fatalf("New on PostgreSQL without a key: %v", err)
		}
	})
}
