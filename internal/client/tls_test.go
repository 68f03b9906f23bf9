package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/testcerts"
)

// tlsServer serves appJSON (and a one-item list) over TLS with cert, asking for client
// certificates of clientCAs when given; it counts connections and records protocols.
type tlsServer struct {
	*httptest.Server
	opened atomic.Int64
	mu     sync.Mutex
	protos []string
}

func newTLSServer(t *testing.T, cert tls.Certificate, clientCAs *x509.CertPool) *tlsServer {
	t.Helper()
	s := &tlsServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.protos = append(s.protos, r.Proto)
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/applications") {
			_, _ = io.WriteString(w, `{"items":[`+appJSON+`],"next_page_token":""}`)
			return
		}
		_, _ = io.WriteString(w, appJSON)
	}))
	s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	if clientCAs != nil {
		s.TLS.ClientCAs = clientCAs
		s.TLS.ClientAuth = tls.RequireAndVerifyClientCert
	}
	s.EnableHTTP2 = true
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.opened.Add(1)
		}
	}
	s.Config.ErrorLog = nil
	s.StartTLS()
	t.Cleanup(s.Close)
	return s
}

// Over TLS the client speaks HTTP/2 and multiplexes Terraform's parallel requests over a
// connection or two.
func TestTLSUsesHTTP2(t *testing.T) {
	ca := testcerts.NewCA(t, "test CA")
	srv := newTLSServer(t, ca.Server(t, time.Time{}, time.Time{}).TLS, nil)
	cfg := fastConfig(srv.URL)
	cfg.CACertificate = ca.PEM
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 10, 20
	getConcurrently(t, c, workers, rounds)
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, p := range srv.protos {
		if p != "HTTP/2.0" {
			t.Fatalf("a request over TLS used %s, want HTTP/2.0", p)
		}
	}
	if n := srv.opened.Load(); n > 2 {
		t.Errorf("%d requests over HTTP/2, %d at a time, opened %d connections; want at most 2", len(srv.protos), workers, n)
	}
}

// A certificate the client cannot trust, or a server that wants a client certificate, fails
// Verify at once (one attempt, no retries) with an error that names the setting to change.
func TestVerifyTLSErrors(t *testing.T) {
	ca := testcerts.NewCA(t, "test CA")
	other := testcerts.NewCA(t, "another CA")
	clientCA := testcerts.NewCA(t, "client CA")
	good := ca.Server(t, time.Time{}, time.Time{})
	expired := ca.Server(t, time.Now().Add(-48*time.Hour), time.Now().Add(-time.Hour))
	clientCert := clientCA.Client(t, "terraform")

	cases := []struct {
		name       string
		serverCert tls.Certificate
		clientCAs  *x509.CertPool
		cfg        func(*Config)
		want       string // "" means Verify succeeds
	}{
		{name: "CA by setting", serverCert: good.TLS, cfg: func(c *Config) { c.CACertificate = ca.PEM }},
		{name: "no CA given", serverCert: good.TLS, cfg: func(*Config) {},
			want: "signed by an authority the provider does not trust"},
		{name: "wrong CA", serverCert: good.TLS, cfg: func(c *Config) { c.CACertificate = other.PEM },
			want: "Give the certificate of the CA that signed it in the provider's `ca_certificate` setting (or a file named by LOWCODE_CA_CERT_FILE)"},
		{name: "expired certificate", serverCert: expired.TLS, cfg: func(c *Config) { c.CACertificate = ca.PEM },
			want: "presented a TLS certificate that has expired or is not valid yet"},
		{name: "client certificate required", serverCert: good.TLS, clientCAs: testcerts.Pool(clientCA),
			cfg:  func(c *Config) { c.CACertificate = ca.PEM },
			want: "it asks for a client certificate its CA signed. Set the provider's `client_certificate` and `client_key`"},
		{name: "client certificate given", serverCert: good.TLS, clientCAs: testcerts.Pool(clientCA),
			cfg: func(c *Config) {
				c.CACertificate, c.ClientCertificate, c.ClientKey = ca.PEM, clientCert.CertPEM, clientCert.KeyPEM
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTLSServer(t, tc.serverCert, tc.clientCAs)
			cfg := fastConfig(srv.URL)
			tc.cfg(&cfg)
			c, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			err = c.Verify(context.Background())
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Verify: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("Verify: %v, want an error containing %q", err, tc.want)
			}
			if n := srv.opened.Load(); tc.want != "" && n != 1 {
				t.Errorf("Verify opened %d connections; a TLS failure is final, want 1", n)
			}
		})
	}
}

func TestTLSSettingErrors(t *testing.T) {
	ca := testcerts.NewCA(t, "test CA")
	leaf := ca.Client(t, "terraform")
	other := ca.Client(t, "other")
	cases := []struct {
		name   string
		cfg    func(*Config)
		wantCA bool
		want   string
	}{
		{"CA not PEM", func(c *Config) { c.CACertificate = []byte("not a certificate") }, true, "holds no PEM certificate"},
		{"certificate without key", func(c *Config) { c.ClientCertificate = leaf.CertPEM }, false, "needs both the certificate and its private key"},
		{"key without certificate", func(c *Config) { c.ClientKey = leaf.KeyPEM }, false, "needs both the certificate and its private key"},
		{"key of another certificate", func(c *Config) { c.ClientCertificate, c.ClientKey = leaf.CertPEM, other.KeyPEM }, false,
			"do not make a pair"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := fastConfig("https://127.0.0.1:1")
			tc.cfg(&cfg)
			_, err := New(cfg)
			tlsErr, ok := err.(*TLSSettingError)
			if !ok || tlsErr.CA != tc.wantCA || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want a TLSSettingError (CA %v) containing %q", err, tc.wantCA, tc.want)
			}
		})
	}
}
