package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client/retrypolicy"
)

// tlsConfig builds the transport's TLS settings: the system's roots plus cfg.CACertificate,
// and cfg's client certificate, which Go offers only when the server asks for one. It never
// skips verification.
func tlsConfig(cfg Config) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(cfg.CACertificate) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(cfg.CACertificate) {
			return nil, &TLSSettingError{CA: true, msg: "the CA certificate holds no PEM certificate (a block starting -----BEGIN CERTIFICATE-----); give the certificate of the CA that signed the platform's certificate"}
		}
		tc.RootCAs = pool
	}
	switch hasCert, hasKey := len(cfg.ClientCertificate) > 0, len(cfg.ClientKey) > 0; {
	case hasCert && hasKey:
		cert, err := tls.X509KeyPair(cfg.ClientCertificate, cfg.ClientKey)
		if err != nil {
			return nil, &TLSSettingError{msg: fmt.Sprintf("the client certificate and key do not make a pair (%v); give a PEM certificate and the PEM private key that matches it", err)}
		}
		tc.Certificates = []tls.Certificate{cert}
	case hasCert != hasKey:
		return nil, &TLSSettingError{msg: "a client certificate needs both the certificate and its private key; give both, or neither"}
	}
	return tc, nil
}

// TLSSettingError is a CA certificate (CA) or a client certificate and key (!CA) that New
// cannot use.
type TLSSettingError struct {
	CA  bool
	msg string
}

func (e *TLSSettingError) Error() string { return e.msg }

// tlsAdvice explains a failed TLS connection, naming what to change; ok is false for other
// errors.
func tlsAdvice(err error, endpoint string) (msg string, ok bool) {
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknown):
		return fmt.Sprintf("the platform at %s presented a TLS certificate signed by an authority the provider does not trust (%v). "+
			"Give the certificate of the CA that signed it in the provider's `ca_certificate` setting (or a file named by LOWCODE_CA_CERT_FILE)",
			endpoint, unknown), true
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return fmt.Sprintf("the platform at %s presented a TLS certificate that has expired or is not valid yet (%v). "+
			"Renew the server's certificate (its --tls-cert-file) or check this machine's clock", endpoint, invalid), true
	case errors.As(err, &host):
		return fmt.Sprintf("the platform's TLS certificate is not valid for the host in %s (%v). "+
			"Use a host name the certificate names in the provider's `endpoint`, or reissue the certificate", endpoint, host), true
	case errors.As(err, &verify):
		return fmt.Sprintf("cannot verify the TLS certificate of the platform at %s (%v). "+
			"Check the provider's `ca_certificate` (or LOWCODE_CA_CERT_FILE) and the server's certificate", endpoint, verify), true
	case clientCertRefused(err):
		return fmt.Sprintf("the platform at %s refused the TLS connection (%v): it asks for a client certificate its CA signed. "+
			"Set the provider's `client_certificate` and `client_key` (or LOWCODE_CLIENT_CERT_FILE and LOWCODE_CLIENT_KEY_FILE)",
			endpoint, err), true
	case errors.Is(err, http.ErrSchemeMismatch):
		return fmt.Sprintf("the server at %s speaks plain HTTP, not HTTPS. Use an http:// endpoint, or start the platform with --tls-cert-file and --tls-key-file", endpoint), true
	}
	return "", false
}

// refusalAlerts are the TLS alerts a server sends when it refuses the client's certificate or
// its absence. Go does not export the type of a received alert, only its text.
var refusalAlerts = []string{
	"remote error: tls: certificate required",
	"remote error: tls: bad certificate",
	"remote error: tls: unknown certificate authority",
	"remote error: tls: expired certificate",
}

func clientCertRefused(err error) bool {
	msg := err.Error()
	return slices.ContainsFunc(refusalAlerts, func(a string) bool { return strings.Contains(msg, a) })
}

// tlsFailure says whether err is a TLS failure that another attempt cannot cure.
func tlsFailure(err error) bool {
	var alert tls.AlertError
	var verify *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var host x509.HostnameError
	var rhe tls.RecordHeaderError
	return clientCertRefused(err) || errors.As(err, &verify) || errors.As(err, &alert) || errors.As(err, &unknown) ||
		errors.As(err, &invalid) || errors.As(err, &host) || errors.As(err, &rhe)
}

// checkRetry is retrypolicy.Check, except that a TLS failure is final: a certificate does not
// get better by asking again, and retrying would only delay the error.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err != nil && ctx.Err() == nil && tlsFailure(err) {
		return false, nil
	}
	return retrypolicy.Check(ctx, resp, err)
}
