// Package client is the provider's only door to the platform's HTTP API. It wraps the client
// generated from internal/api/openapi.yaml with what every call needs: bearer auth, a
// User-Agent, bounded retries with backoff that honour Retry-After, an Idempotency-Key per
// logical call so that retries are safe, If-Match from the caller's etag, pagination behind
// iterators and errors that read well and match sentinels with errors.Is.
//
// It must not import any Terraform package: the provider adapts it (for example its Logger to
// tflog), not the other way round.
package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-cleanhttp"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// Defaults for the zero values of Config.
const (
	DefaultMaxRetries       = 4
	DefaultVerifyMaxRetries = 1
	DefaultRequestTimeout   = 30 * time.Second
	DefaultRetryWaitMin     = 250 * time.Millisecond
	DefaultRetryWaitMax     = 10 * time.Second

	// apiBasePath is where the platform serves its API below the endpoint.
	apiBasePath = "/api/v1"
)

// Config configures a Client. Only Endpoint is required.
type Config struct {
	// Endpoint is the platform's base URL, such as http://127.0.0.1:8080. The client adds
	// /api/v1 to it.
	Endpoint string
	// APIKey is sent as a bearer token on every request. It is never logged.
	APIKey string
	// MaxRetries bounds the retries of one call after its first attempt: 0 means
	// DefaultMaxRetries, a negative value disables retries.
	MaxRetries int
	// VerifyMaxRetries is the smaller retry budget of Verify, so that a wrong endpoint fails
	// the provider's configuration quickly: 0 means DefaultVerifyMaxRetries, negative none.
	VerifyMaxRetries int
	// RequestTimeout bounds each attempt (not the whole call, which the context bounds).
	RequestTimeout time.Duration
	// RetryWaitMin and RetryWaitMax bound the exponential backoff between attempts. A
	// Retry-After from the server takes precedence over both.
	RetryWaitMin time.Duration
	RetryWaitMax time.Duration
	// UserAgent is sent on every request; see the UserAgent function. Empty means a default
	// naming this provider.
	UserAgent string
	// Logger receives one entry per attempt. Nil discards them.
	Logger Logger
	// CACertificate is PEM: certificate authorities trusted for the platform's certificate, on
	// top of the system's roots. Empty trusts the system's roots only. Verification is never
	// skipped.
	CACertificate []byte
	// ReadAhead answers reads by id from large list pages once many objects of one type are
	// read (see readahead.go): for a client that lives for one command, such as the
	// provider's. Off by default.
	ReadAhead bool
	// ClientCertificate and ClientKey are PEM: a certificate and its key offered when the
	// platform asks for one (mutual TLS). Both or neither.
	ClientCertificate, ClientKey []byte
}

// Logger is where the client reports its requests. The provider plugs in tflog (with a
// "client" subsystem); fields never hold the API key, the Authorization header, bodies,
// webhook secrets or token values, only method, path, status, attempt, duration and ids.
// The context is the caller's, so tflog finds its logger in it:
//
//	type clientLogger struct{}
//
//	func (clientLogger) Debug(ctx context.Context, msg string, f map[string]any) {
//		tflog.SubsystemDebug(ctx, "client", msg, f)
//	}
type Logger interface {
	Debug(ctx context.Context, msg string, fields map[string]any)
	Warn(ctx context.Context, msg string, fields map[string]any)
}

// Client is a typed client of the platform API, safe for concurrent use.
type Client struct {
	endpoint string // the API base URL, with /api/v1
	api      api.ClientInterface
	// verify shares the connection pool and settings of api with a smaller retry budget.
	verify api.ClientInterface
	// readAhead is nil when Config.ReadAhead is off.
	readAhead *readAhead
}

// maxIdleConns is how many connections to the platform stay open between requests: more than
// Terraform's default parallelism of 10.
const maxIdleConns = 32

// New validates cfg, fills in its defaults and returns a Client. It makes no request; see
// Verify.
func New(cfg Config) (*Client, error) {
	base, err := apiBaseURL(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	cfg = withDefaults(cfg)

	// One HTTP client, so one connection pool, under both retry budgets. Its timeout applies
	// to each attempt because retryablehttp calls it once per attempt.
	transport := cleanhttp.DefaultPooledTransport()
	if transport.TLSClientConfig, err = tlsConfig(cfg); err != nil {
		return nil, err
	}
	// With TLS settings of its own, a transport speaks HTTP/2 only when told to try.
	transport.ForceAttemptHTTP2 = true
	// A client talks to one platform, with as many requests at once as Terraform's parallelism
	// (10 by default): keep that many connections open between requests. The pooled default,
	// GOMAXPROCS+1 idle connections, closes and reopens most of them on a small machine.
	transport.MaxIdleConnsPerHost = maxIdleConns
	transport.MaxIdleConns = maxIdleConns
	inner := &http.Client{Timeout: cfg.RequestTimeout, Transport: &attemptLogger{next: transport, log: cfg.Logger}}

	var ra *readAhead
	if cfg.ReadAhead {
		ra = &readAhead{kinds: map[string]*kindCache{}, log: cfg.Logger}
	}
	headers := api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		if ra != nil && !isRead(req) {
			ra.disable()
		}
		req.Header.Set("User-Agent", cfg.UserAgent)
		if cfg.APIKey != "" {
			req.Header.Set("Authorization", "Bearer "+cfg.APIKey)
		}
		return nil
	})
	newAPI := func(maxRetries int) (api.ClientInterface, error) {
		return api.NewClient(base, headers, api.WithHTTPClient(newRetryingDoer(inner, cfg, maxRetries)))
	}
	c := &Client{endpoint: base, readAhead: ra}
	if c.api, err = newAPI(cfg.MaxRetries); err != nil {
		return nil, err
	}
	if c.verify, err = newAPI(cfg.VerifyMaxRetries); err != nil {
		return nil, err
	}
	return c, nil
}

// Endpoint is the API base URL the client calls, ending in /api/v1.
func (c *Client) Endpoint() string { return c.endpoint }

// UserAgent builds the User-Agent the provider sends, such as
// "terraform-provider-lowcode/0.1.0 (+https://registry.terraform.io/providers/lowcode-platform/lowcode) Terraform/1.11.4".
// Empty versions are left out or read "dev".
func UserAgent(providerVersion, terraformVersion string) string {
	if providerVersion == "" {
		providerVersion = "dev"
	}
	ua := "terraform-provider-lowcode/" + providerVersion +
		" (+https://registry.terraform.io/providers/lowcode-platform/lowcode)"
	if terraformVersion != "" {
		ua += " Terraform/" + terraformVersion
	}
	return ua
}

// apiBaseURL checks the configured endpoint and returns the API base URL under it.
func apiBaseURL(endpoint string) (string, error) {
	invalid := func(why string) error {
		return fmt.Errorf("invalid endpoint %q: %s; expected an absolute http or https URL such as http://127.0.0.1:8080", endpoint, why)
	}
	if strings.TrimSpace(endpoint) == "" {
		return "", errors.New("the endpoint is empty; set it to the platform's base URL, such as http://127.0.0.1:8080")
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return "", invalid(err.Error())
	case u.Scheme != "http" && u.Scheme != "https":
		return "", invalid("the scheme must be http or https")
	case u.Host == "":
		return "", invalid("it has no host")
	case u.User != nil:
		// Credentials in the URL would end up in error messages and logs.
		return "", invalid("it must not contain credentials; use the API key instead")
	case u.RawQuery != "" || u.Fragment != "":
		return "", invalid("it must not have a query or fragment")
	}
	// Accept an endpoint that already names the API path, a common slip, rather than
	// calling /api/v1/api/v1 and reporting a puzzling 404.
	path := strings.TrimSuffix(strings.TrimRight(u.Path, "/"), apiBasePath)
	u.Path = path + apiBasePath
	return u.String(), nil
}

func withDefaults(cfg Config) Config {
	retries := func(n, def int) int {
		switch {
		case n == 0:
			return def
		case n < 0:
			return 0
		}
		return n
	}
	cfg.MaxRetries = retries(cfg.MaxRetries, DefaultMaxRetries)
	cfg.VerifyMaxRetries = retries(cfg.VerifyMaxRetries, DefaultVerifyMaxRetries)
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.RetryWaitMin <= 0 {
		cfg.RetryWaitMin = DefaultRetryWaitMin
	}
	if cfg.RetryWaitMax <= 0 {
		cfg.RetryWaitMax = DefaultRetryWaitMax
	}
	cfg.RetryWaitMax = max(cfg.RetryWaitMax, cfg.RetryWaitMin)
	if cfg.UserAgent == "" {
		cfg.UserAgent = UserAgent("", "")
	}
	if cfg.Logger == nil {
		cfg.Logger = nopLogger{}
	}
	return cfg
}

// newKey returns a fresh Idempotency-Key. Each typed method calls it once, before the
// generated client builds the request, so every retry of that call resends the same key and
// the server replays the first result instead of acting twice.
func newKey() *string {
	k := uuid.NewString()
	return &k
}

// ifMatch turns the caller's etag into the If-Match parameter; empty means unconditional.
func ifMatch(etag string) *string { return opt(etag) }

// opt returns a pointer to v, or nil for the zero value, for optional parameters.
func opt[T comparable](v T) *T {
	var zero T
	if v == zero {
		return nil
	}
	return &v
}

type nopLogger struct{}

func (nopLogger) Debug(context.Context, string, map[string]any) {}
func (nopLogger) Warn(context.Context, string, map[string]any)  {}
