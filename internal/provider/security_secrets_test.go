package provider

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/faultproxy"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// leakCheck collects named texts (files, outputs, logs, database rows) and reports any that
// contains a secret.
type leakCheck struct {
	t       *testing.T
	secrets map[string]string // name → value
	places  int
}

func (l *leakCheck) search(where, text string) {
	l.t.Helper()
	l.places++
	for name, v := range l.secrets {
		if v != "" && strings.Contains(text, v) {
			i := strings.Index(text, v)
			l.t.Errorf("%s leaks the %s: …%s…", where, name, text[max(0, i-120):min(len(text), i+len(v)+40)])
		}
	}
}

// searchFile searches a file; a zip (a saved plan) is searched entry by entry, decompressed.
func (l *leakCheck) searchFile(where, path string) {
	l.t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		l.t.Fatalf("reading %s: %v", where, err)
	}
	if len(raw) == 0 {
		l.t.Fatalf("%s is empty: nothing was searched", where)
	}
	l.search(where, string(raw))
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return // not a zip
	}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			l.t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		_ = rc.Close()
		l.search(where+" entry "+f.Name, string(b))
	}
}

// dumpSQLite renders every row of every table as text.
func dumpSQLite(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	_ = rows.Close()
	out := map[string]string{}
	for _, table := range tables {
		r, err := db.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := r.Columns()
		var b strings.Builder
		for r.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = string(bs)
				}
				fmt.Fprintf(&b, "%v\t", v)
			}
			b.WriteString("\n")
		}
		_ = r.Close()
		out[table] = b.String()
	}
	return out
}

// TestAccSecurity_secretsNeverLeak applies, with the real Terraform CLI and TF_LOG=trace, a
// configuration holding the three kinds of secret the provider handles: its API key (from
// LOWCODE_API_KEY), a webhook signing secret given as the write-only secret_wo (from an
// ephemeral variable) and an API token issued by the lowcode_api_token ephemeral resource
// (used as a second provider configuration's key). None of them may appear in the state, the
// saved plan file (every entry of the zip) or its `terraform show -json`, Terraform's trace
// log, the CLI's output, the platform's log, its audit log, or any row of its database; the
// database must hold the API key only as its SHA-256 and the webhook secret only sealed
// (AES-256-GCM under the server's key, bound to the webhook's id).
func TestAccSecurity_secretsNeverLeak(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Terraform CLI")
	}
	p := newAccPlatform(t)
	ctx := context.Background()

	var mu sync.Mutex
	var tokens []string
	proxy := faultproxy.Start(t, p.URL, faultproxy.Config{OnResponse: func(r *http.Request, status int, body []byte, _ bool) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/api-tokens" || status != http.StatusCreated {
			return
		}
		var tok struct{ Token string }
		if json.Unmarshal(body, &tok) == nil && tok.Token != "" {
			mu.Lock()
			tokens = append(tokens, tok.Token)
			mu.Unlock()
		}
	}})

	secretBytes := make([]byte, 32)
	_, _ = rand.Read(secretBytes)
	hookSecret := "whsec_" + base64.StdEncoding.EncodeToString(secretBytes)

	tf := tfcli.New(t)
	logPath := filepath.Join(t.TempDir(), "terraform-trace.log")
	tf.Env = []string{"LOWCODE_API_KEY=" + p.OwnerKey, "TF_VAR_hook_secret=" + hookSecret, "TF_LOG=trace", "TF_LOG_PATH=" + logPath}
	tf.Write(fmt.Sprintf(`
variable "hook_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

provider "lowcode" {
  endpoint = %[1]q
}

resource "lowcode_application" "app" {
  name        = "secrets"
  environment = "production"
  version     = "1.0.0"
}

resource "lowcode_webhook" "hook" {
  application_id    = lowcode_application.app.id
  event_types       = ["order.created"]
  callback_url      = "https://hooks.example.com/secrets"
  secret_wo         = var.hook_secret
  secret_wo_version = 1
}

ephemeral "lowcode_api_token" "read_only" {
  description = "secrets test"
  max_role    = "viewer"
  ttl_seconds = 600
}

provider "lowcode" {
  alias    = "read_only"
  endpoint = %[1]q
  api_key  = ephemeral.lowcode_api_token.read_only.token
}

data "lowcode_applications" "seen" {
  provider   = lowcode.read_only
  depends_on = [lowcode_application.app]
}

output "applications_seen" {
  value = length(data.lowcode_applications.seen.applications)
}
`, proxy.URL))

	var outputs []tfcli.Result
	outputs = append(outputs, tf.Must("plan", "-out=tfplan", "-no-color"))
	showPlan := tf.Must("show", "-json", "tfplan")
	outputs = append(outputs, showPlan, tf.Must("apply", "-no-color", "tfplan"))
	showState := tf.Must("show", "-json")
	outputs = append(outputs, showState)
	tf.RequireEmptyPlan()

	mu.Lock()
	issued := append([]string(nil), tokens...)
	mu.Unlock()
	if len(issued) == 0 {
		t.Fatal("no API token was issued, so the ephemeral resource was not exercised")
	}
	if !strings.Contains(showPlan.Stdout, `"resource_changes"`) || !strings.Contains(showState.Stdout, `"lowcode_webhook"`) {
		t.Fatalf("terraform show printed no plan or state:\n%s\n%s", showPlan.Stdout, showState.Stdout)
	}

	l := &leakCheck{t: t, secrets: map[string]string{"API key": p.OwnerKey, "webhook secret": hookSecret,
		"webhook secret's key material": strings.TrimPrefix(hookSecret, "whsec_")}}
	for i, tok := range issued {
		l.secrets[fmt.Sprintf("ephemeral API token #%d", i+1)] = tok
	}
	l.searchFile("the state file", filepath.Join(tf.Path, "terraform.tfstate"))
	l.searchFile("the saved plan", filepath.Join(tf.Path, "tfplan"))
	l.searchFile("the TF_LOG=trace log", logPath)
	for _, o := range outputs {
		l.search(fmt.Sprintf("the output of terraform %v", o.Args), o.Stdout+o.Stderr)
	}
	l.search("the platform's log", p.Logs.String())
	var audit bytes.Buffer
	n := 0
	for e, err := range p.API.ListAuditEvents(ctx, client.AuditEventFilter{}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		b, _ := json.Marshal(e)
		audit.Write(b)
	}
	if n == 0 {
		t.Fatal("the audit log is empty")
	}
	l.search("the audit log", audit.String())
	db := p.Server.Store().DB()
	for table, rows := range dumpSQLite(t, db) {
		l.search("database table "+table, rows)
	}
	t.Logf("searched %d places for %d secrets; the trace log is %d bytes", l.places, len(l.secrets), fileSize(t, logPath))

	// At rest: the API key as its SHA-256, the webhook secret sealed with AES-256-GCM.
	sum := sha256.Sum256([]byte(p.OwnerKey))
	var keys int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE key_hash = ?`, hex.EncodeToString(sum[:])).Scan(&keys); err != nil || keys != 1 {
		t.Errorf("api_keys rows holding the SHA-256 of the owner key: %d (%v), want 1", keys, err)
	}
	var hookID, sealed string
	if err := db.QueryRowContext(ctx, `SELECT id, secret_sealed FROM webhooks`).Scan(&hookID, &sealed); err != nil {
		t.Fatal(err)
	}
	if got := openSealed(t, sealed, hookID); got != hookSecret {
		t.Errorf("the sealed webhook secret opens to %q, want the configured secret", got)
	}
	if other := openSealed(t, sealed, "whk_other"); other != "" {
		t.Errorf("the sealed secret opened under another webhook's id")
	}
}

// openSealed opens a webhook secret sealed by the platform ("v1:" + base64(nonce‖AES-256-GCM
// ciphertext), the webhook id as additional data) with platformtest's fixed secret key; it
// returns "" if it does not open.
func openSealed(t *testing.T, sealed, context string) string {
	t.Helper()
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	if !strings.HasPrefix(sealed, "v1:") || err != nil {
		t.Fatalf("sealed secret %q is not v1:base64", sealed)
	}
	block, _ := aes.NewCipher(bytes.Repeat([]byte{7}, 32))
	aead, _ := cipher.NewGCM(block)
	n := aead.NonceSize()
	plain, err := aead.Open(nil, raw[:n], raw[n:], []byte(context))
	if err != nil {
		return ""
	}
	return string(plain)
}

func fileSize(t *testing.T, path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
