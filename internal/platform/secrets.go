package platform

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// SecretKeyFile is the name of the key file a SQLite server keeps beside its database when no
// secret key is configured.
const SecretKeyFile = "lowcode-secret.key"

// secretKeySize is AES-256's key size.
const secretKeySize = 32

// sealedPrefix versions the sealed format, so that a later key or algorithm change can tell old
// values apart.
const sealedPrefix = "v1:"

// sealer seals secrets the server must read back (webhook signing secrets, which delivery needs
// in the clear to compute HMACs) with AES-256-GCM under the server's secret key.
type sealer struct {
	aead cipher.AEAD
}

func newSealer(key []byte) (*sealer, error) {
	if len(key) != secretKeySize {
		return nil, fmt.Errorf("the secret key (LOWCODE_SECRET_KEY) must be %d bytes, got %d (generate one with: openssl rand -base64 32)", secretKeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead}, nil
}

// seal encrypts plaintext with a random nonce. context (such as the owning object's id) is
// authenticated but not stored: a sealed value copied to another object does not open there.
func (s *sealer) seal(plaintext, context string) string {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plaintext)+s.aead.Overhead())
	_, _ = rand.Read(nonce)
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(context))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out)
}

// open decrypts a value seal made with the same context.
func (s *sealer) open(sealed, context string) (string, error) {
	encoded, ok := strings.CutPrefix(sealed, sealedPrefix)
	if !ok {
		return "", errors.New("sealed secret has an unknown format")
	}
	raw, err := base64.RawStdEncoding.DecodeString(encoded)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errors.New("sealed secret is corrupt")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return "", errors.New("sealed secret does not open with the server's secret key: was the key changed or the key file replaced?")
	}
	return string(plain), nil
}

// sealerFor returns the sealer under the server's secret key (see resolveSecretKey).
func sealerFor(ctx context.Context, cfg Config, st *store.Store) (*sealer, error) {
	if err := keyFileNeeded(ctx, cfg, st); err != nil {
		return nil, err
	}
	key, err := resolveSecretKey(cfg, st.Dialect())
	if err != nil {
		return nil, err
	}
	return newSealer(key)
}

// keyFileNeeded refuses to start when the key file a SQLite server keeps is missing but the
// database holds secrets sealed with it: a new key would be generated, and none of them could
// be opened again (every signed delivery and secret header would fail).
func keyFileNeeded(ctx context.Context, cfg Config, st *store.Store) error {
	if len(cfg.SecretKey) > 0 || st.Dialect() != store.SQLite {
		return nil
	}
	dbPath, err := store.SQLitePath(cfg.DatabaseURL)
	if err != nil {
		return nil //nolint:nilerr // not this check's error: resolveSecretKey reports a bad database URL
	}
	path := filepath.Join(filepath.Dir(dbPath), SecretKeyFile)
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		return nil
	}
	n, err := st.Read().CountSealedSecrets(ctx)
	if err != nil || n == 0 {
		return err
	}
	return fmt.Errorf("the secret key file %s is missing, but the database %s holds %d secrets sealed with it (webhook "+
		"signing secrets, http steps' secret headers) that no other key opens: restore %s from your backup (or set "+
		"LOWCODE_SECRET_KEY to the key it held) and start again; the server does not generate a new key over them",
		path, dbPath, n, path)
}

// resolveSecretKey returns the key that seals secrets: the configured one; else, for SQLite, the
// key file beside the database, created on first start; PostgreSQL replicas must share one key,
// so there it must be configured.
func resolveSecretKey(cfg Config, dialect store.Dialect) ([]byte, error) {
	if len(cfg.SecretKey) > 0 {
		return cfg.SecretKey, nil // newSealer checks its size
	}
	if dialect == store.Postgres {
		return nil, errors.New("set LOWCODE_SECRET_KEY (32 bytes in base64, such as the output of: openssl rand -base64 32) " +
			"to seal webhook secrets: with PostgreSQL every replica must use the same key, so none is generated")
	}
	dbPath, err := store.SQLitePath(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("cannot keep a secret key file beside the database (%w): set LOWCODE_SECRET_KEY", err)
	}
	return loadOrCreateKeyFile(filepath.Join(filepath.Dir(dbPath), SecretKeyFile))
}

// loadOrCreateKeyFile reads a base64 key file, creating it (0600) with a random key when it
// does not exist. The key is written to a temporary file and linked into place, so that two
// servers starting together agree on one key and neither reads a half-written file.
func loadOrCreateKeyFile(path string) ([]byte, error) {
	var key [secretKeySize]byte
	_, _ = rand.Read(key[:])
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := linkNewKeyFile(path, key[:]); err == nil {
			return key[:], nil
		} else if !errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("creating the secret key file %s: %w", path, err)
		}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the secret key file %s: %w", path, err)
	}
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text)))
	if err != nil || len(decoded) != secretKeySize {
		return nil, fmt.Errorf("the secret key file %s does not hold %d bytes in base64; restore it from a backup "+
			"(webhook secrets sealed with it cannot be opened without it)", path, secretKeySize)
	}
	return decoded, nil
}

func linkNewKeyFile(path string, key []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+SecretKeyFile+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	// CreateTemp already made the file 0600; Link fails with ErrExist if another server won.
	return os.Link(tmp.Name(), path)
}
