package platform

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// BootstrapEmail is the owner user created on an empty platform.
const BootstrapEmail = "owner@lowcode.local"

// GenerateAPIKey returns a new random API key: `lck_` and 32 random bytes.
func GenerateAPIKey() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return "lck_" + base64.RawURLEncoding.EncodeToString(b[:])
}

// bootstrap creates the owner user, its platform owner grant and its API key when the
// database has no user yet. The key is the configured one, or a generated one written to a
// 0600 file whose path is logged.
func (s *Server) bootstrap(ctx context.Context) error {
	return s.store.Tx(ctx, func(q *store.Q) error {
		n, err := q.CountUsers(ctx)
		if err != nil || n > 0 {
			return err
		}
		key := s.cfg.BootstrapAPIKey
		generated := key == ""
		if generated {
			key = GenerateAPIKey()
		} else if err := signing.CheckPassphrase("the bootstrap API key (LOWCODE_BOOTSTRAP_API_KEY)", key); err != nil {
			return fmt.Errorf("%w: it would be the platform owner's key; use at least %d characters with at least %d different "+
				"ones (such as the output of `openssl rand -hex 32`), or leave it unset to have one generated into the bootstrap key file",
				err, signing.MinSecretChars, signing.MinDistinctChars)
		}
		now := s.now()
		user := api.User{ID: store.NewID("usr"), Email: BootstrapEmail, DisplayName: "Platform owner", Active: true,
			Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
		if err := store.Users.Create(ctx, q, &user); err != nil {
			return err
		}
		grant := api.RoleAssignment{ID: store.NewID("ra"), UserID: user.ID, Role: api.Owner,
			Scope: api.Scope{Type: api.ScopeTypePlatform}, Etag: store.NewETag(), CreatedAt: now}
		if err := store.RoleAssignments.Create(ctx, q, &grant); err != nil {
			return err
		}
		if err := q.CreateAPIKey(ctx, store.APIKey{ID: store.NewID("key"), UserID: user.ID, KeyHash: HashAPIKey(key),
			MaxRole: api.Owner, Description: "bootstrap owner key", CreatedAt: now}); err != nil {
			return err
		}
		for _, obj := range []struct{ typ, id, etag string }{{"user", user.ID, user.Etag}, {"role_assignment", grant.ID, grant.Etag}} {
			if err := q.Audit(ctx, api.AuditEvent{ID: store.NewID("aud"), At: now, ActorID: "system", Action: "create",
				ObjectType: obj.typ, ObjectID: obj.id, EtagAfter: ptr(obj.etag)}); err != nil {
				return err
			}
		}
		if !generated {
			s.log.Info("bootstrapped the platform owner with the configured API key", slog.String("user", user.ID))
			return nil
		}
		path := s.cfg.BootstrapKeyFile
		if path == "" {
			path = "lowcode-bootstrap-key"
		}
		if err := writeSecretFile(path, key); err != nil {
			return err
		}
		abs, _ := filepath.Abs(path)
		s.log.Info("bootstrapped the platform owner; the owner's API key is in the key file", slog.String("user", user.ID),
			slog.String("key_file", abs))
		fmt.Fprintf(os.Stderr, "lowcode-platform: first start: the owner's API key was written to %s\n", abs)
		return nil
	})
}

func writeSecretFile(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s already exists but the database has no users: remove the stale file or choose another --bootstrap-key-file", path)
	}
	if err != nil {
		return fmt.Errorf("writing the bootstrap key file: %w", err)
	}
	if _, err := f.WriteString(content + "\n"); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
