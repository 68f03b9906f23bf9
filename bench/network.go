package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
)

// The latency scenario puts the platform across a network: Terraform talks to an in-repo
// proxy that holds each request for a fixed time before forwarding it, plainly or over TLS
// (HTTP/2), to a platform server that itself serves plain HTTP or TLS.

// benchCerts is a throw-away CA and a server certificate for 127.0.0.1, written to files for
// the server's flags and the provider's LOWCODE_CA_CERT_FILE.
type benchCerts struct {
	caFile, certFile, keyFile string
	caPEM                     []byte
	pool                      *x509.CertPool
	cert                      tls.Certificate
}

func newBenchCerts(dir string) (*benchCerts, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lowcode bench CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(48 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	c := &benchCerts{caFile: filepath.Join(dir, "ca.pem"), certFile: filepath.Join(dir, "cert.pem"), keyFile: filepath.Join(dir, "key.pem"),
		pool: x509.NewCertPool()}
	c.pool.AddCert(ca)
	c.caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	for path, data := range map[string][]byte{c.caFile: c.caPEM,
		c.certFile: certPEM, c.keyFile: keyPEM} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			return nil, err
		}
	}
	if c.cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		return nil, err
	}
	return c, nil
}

// serverArgs are the platform's flags to serve TLS with these certificates.
func (c *benchCerts) serverArgs() []string {
	return []string{"--tls-cert-file", c.certFile, "--tls-key-file", c.keyFile}
}

// httpClient trusts the CA (nil certs: a plain client).
func (c *benchCerts) httpClient() *http.Client {
	tr := &http.Transport{ForceAttemptHTTP2: true, MaxIdleConns: 64, MaxIdleConnsPerHost: 64,
		IdleConnTimeout: 90 * time.Second, TLSHandshakeTimeout: 10 * time.Second}
	if c != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: c.pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: tr, Timeout: 60 * time.Second}
}

// delayProxy holds every request for delay, then forwards it to the platform.
type delayProxy struct {
	url      string
	srv      *http.Server
	requests atomic.Int64 // requests forwarded so far
}

// startDelayProxy serves on a free loopback port, over TLS with certs (nil: plain HTTP),
// forwarding to target through a client that trusts certs.
func startDelayProxy(target string, certs *benchCerts, delay time.Duration) (*delayProxy, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = certs.httpClient().Transport
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &delayProxy{}
	p.srv = &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p.requests.Add(1)
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-r.Context().Done():
					return
				}
			}
			rp.ServeHTTP(w, r)
		}),
	}
	scheme := "http"
	if certs != nil {
		scheme = "https"
		p.srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{certs.cert}, MinVersion: tls.VersionTLS12}
		p.srv.Protocols = new(http.Protocols)
		p.srv.Protocols.SetHTTP1(true)
		p.srv.Protocols.SetHTTP2(true)
		go func() { _ = p.srv.ServeTLS(ln, "", "") }()
	} else {
		go func() { _ = p.srv.Serve(ln) }()
	}
	p.url = scheme + "://" + ln.Addr().String()
	return p, nil
}

func (p *delayProxy) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		_ = p.srv.Close()
	}
}
