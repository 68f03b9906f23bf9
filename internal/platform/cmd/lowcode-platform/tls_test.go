package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/testcerts"
)

func TestTLSSettings(t *testing.T) {
	ca := testcerts.NewCA(t, "test CA")
	leaf := ca.Server(t, time.Time{}, time.Time{})
	expired := ca.Server(t, time.Now().Add(-48*time.Hour), time.Now().Add(-24*time.Hour))
	cert := testcerts.WriteFile(t, "cert.pem", leaf.CertPEM)
	key := testcerts.WriteFile(t, "key.pem", leaf.KeyPEM)
	caFile := testcerts.WriteFile(t, "ca.pem", ca.PEM)
	db := "sqlite://" + filepath.Join(t.TempDir(), "x.db")

	cases := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "cert without key", args: []string{"--tls-cert-file", cert},
			wantErr: "TLS needs both --tls-cert-file (LOWCODE_TLS_CERT_FILE) and --tls-key-file (LOWCODE_TLS_KEY_FILE)"},
		{name: "key without cert", args: []string{"--tls-key-file", key},
			wantErr: "TLS needs both --tls-cert-file"},
		{name: "client CA without cert", args: []string{"--tls-client-ca-file", caFile},
			wantErr: "--tls-client-ca-file (LOWCODE_TLS_CLIENT_CA_FILE) needs --tls-cert-file and --tls-key-file"},
		{name: "missing cert file", args: []string{"--tls-cert-file", cert + ".missing", "--tls-key-file", key},
			wantErr: "give a PEM certificate and the PEM private key that matches it"},
		{name: "key of another certificate", args: []string{"--tls-cert-file", cert,
			"--tls-key-file", testcerts.WriteFile(t, "other.pem", ca.Server(t, time.Time{}, time.Time{}).KeyPEM)},
			wantErr: "private key does not match public key"},
		{name: "expired certificate", args: []string{"--tls-cert-file", testcerts.WriteFile(t, "old.pem", expired.CertPEM),
			"--tls-key-file", testcerts.WriteFile(t, "oldkey.pem", expired.KeyPEM)}, wantErr: "expired on"},
		{name: "client CA not PEM", args: []string{"--tls-cert-file", cert, "--tls-key-file", key,
			"--tls-client-ca-file", key}, wantErr: "holds no PEM certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0", "--database", db}, tc.args...)
			err := run(context.Background(), args, &strings.Builder{})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestServeTLS starts the command with a certificate and a client CA: it speaks HTTP/2 over
// TLS, refuses a client without a certificate and serves one with a certificate of the CA.
func TestServeTLS(t *testing.T) {
	ca := testcerts.NewCA(t, "test CA")
	leaf := ca.Server(t, time.Time{}, time.Time{})
	clientCA := testcerts.NewCA(t, "client CA")
	addr := freeAddr(t)
	t.Setenv("LOWCODE_BOOTSTRAP_API_KEY", "lcp_tls_test_owner_key_0123456789abcdef")
	t.Setenv("LOWCODE_TLS_CERT_FILE", testcerts.WriteFile(t, "cert.pem", leaf.CertPEM))
	t.Setenv("LOWCODE_TLS_KEY_FILE", testcerts.WriteFile(t, "key.pem", leaf.KeyPEM))
	t.Setenv("LOWCODE_TLS_CLIENT_CA_FILE", testcerts.WriteFile(t, "clientca.pem", clientCA.PEM))
	dir := t.TempDir()

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", addr, "--workers", "0", "--log-level", "warn",
			"--database", "sqlite://" + filepath.Join(dir, "x.db"), "--bootstrap-key-file", filepath.Join(dir, "key")}, &strings.Builder{})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})

	get := func(certs ...tls.Certificate) (*http.Response, error) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: testcerts.Pool(ca), Certificates: certs}, ForceAttemptHTTP2: true}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequest(http.MethodGet, "https://"+addr+"/api/v1/applications", nil)
		req.Header.Set("Authorization", "Bearer lcp_tls_test_owner_key_0123456789abcdef")
		resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return resp, err
	}
	// Wait for the server to listen and open its database.
	deadline := time.Now().Add(30 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if _, err = get(clientCA.Client(t, "terraform").TLS); err == nil {
			break
		}
		var opErr *net.OpError
		if !errors.As(err, &opErr) || opErr.Op != "dial" {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	resp, err := get(clientCA.Client(t, "terraform").TLS)
	if err != nil {
		t.Fatalf("a client with a certificate of the client CA: %v", err)
	}
	if resp.StatusCode != http.StatusOK || resp.Proto != "HTTP/2.0" {
		t.Fatalf("got %s over %s, want 200 over HTTP/2.0", resp.Status, resp.Proto)
	}
	// The refusal is checked on the TLS connection itself, not through an HTTP client: TLS 1.3
	// refuses after the client's side of the handshake, so the client learns it when it next
	// reads (the alert, or a reset if the alert was lost), and an HTTP client that was still
	// writing its request reports a broken pipe or, over HTTP/2, only that the connection
	// "could not be established".
	handshake := func(certs ...tls.Certificate) error {
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 10 * time.Second}, "tcp", addr,
			&tls.Config{RootCAs: testcerts.Pool(ca), Certificates: certs, NextProtos: []string{"h2"}})
		if err != nil {
			return err
		}
		defer conn.Close()
		if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
			return err
		}
		_, err = conn.Read(make([]byte, 1))
		return err
	}
	refused := func(err error) bool {
		return err != nil && (strings.Contains(err.Error(), "certificate required") || errors.Is(err, syscall.ECONNRESET))
	}
	if err := handshake(); !refused(err) {
		t.Fatalf("a client without a certificate: %v, want the handshake refused (certificate required)", err)
	}
	// Go's client offers no certificate the server's CA list does not name.
	if err := handshake(testcerts.NewCA(t, "stranger").Client(t, "terraform").TLS); !refused(err) {
		t.Fatalf("a client with a certificate of another CA: %v, want the handshake refused", err)
	}
	// With the client CA's certificate the same connection is served (the server speaks first
	// on HTTP/2, with its settings frame).
	if err := handshake(clientCA.Client(t, "terraform").TLS); err != nil {
		t.Fatalf("a client with a certificate of the client CA: %v", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr())
}
