// Package platformtest starts real platform servers for tests: an in-process
// httptest server over a fresh SQLite file (or a given PostgreSQL database), with every API
// response checked against openapi.yaml so the contract and the server cannot drift apart.
package platformtest

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store/storetest"
)

// Instance is a running platform server.
type Instance struct {
	// URL is the base URL (no /api/v1), as the provider's endpoint setting takes it.
	URL string
	// MetricsURL is the base URL of the server's own /metrics listener (as --metrics-listen
	// serves it); the API's listener does not serve /metrics.
	MetricsURL string
	OwnerKey   string
	Server     *platform.Server
	HTTP       *httptest.Server
	// Client acts as the bootstrap owner.
	Client *api.ClientWithResponses
	// Logs holds everything the server logged, for tests that look for leaked secrets.
	Logs *SyncBuffer

	t          testing.TB
	httpClient *http.Client
}

// Option changes how an instance starts.
type Option func(*options)

type options struct {
	databaseURL string
	configure   func(*platform.Config)
	noValidate  bool
	tls         *tls.Config
	clientCert  *tls.Certificate
}

// WithTLS serves HTTPS (HTTP/2 and HTTP/1.1) with the given certificate. With clientCAs, every
// client must present a certificate one of them signed; clientCert is what the instance's own
// Client presents then.
func WithTLS(cert tls.Certificate, clientCAs *x509.CertPool, clientCert *tls.Certificate) Option {
	return func(o *options) {
		o.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		if clientCAs != nil {
			o.tls.ClientCAs = clientCAs
			o.tls.ClientAuth = tls.RequireAndVerifyClientCert
		}
		o.clientCert = clientCert
	}
}

// WithDatabase uses the given database URL (for example a pgtest PostgreSQL database) instead
// of a fresh SQLite file.
func WithDatabase(url string) Option { return func(o *options) { o.databaseURL = url } }

// WithConfig adjusts the server's configuration before it starts.
func WithConfig(f func(*platform.Config)) Option { return func(o *options) { o.configure = f } }

// WithoutResponseValidation turns the contract check off, for load tests where its cost would
// distort the figures.
func WithoutResponseValidation() Option { return func(o *options) { o.noValidate = true } }

// EachDialect runs test once per database the store supports (storetest.Each: parallel
// subtests named after the dialect), each against a fresh platform started with opts on a
// fresh database of that dialect. It is how a platform test says "on every dialect"; a test
// that needs the database's URL itself (several servers on one database) uses storetest.Each.
func EachDialect(t *testing.T, opts []Option, test func(t *testing.T, inst *Instance)) {
	t.Helper()
	storetest.Each(t, func(t *testing.T, d storetest.Dialect) {
		test(t, Start(t, append(append([]Option{}, opts...), WithDatabase(d.URL(t)))...))
	})
}

// Start starts a platform server that lives until the test ends.
func Start(t testing.TB, opts ...Option) *Instance {
	t.Helper()
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	dir := t.TempDir()
	if o.databaseURL == "" {
		o.databaseURL = "sqlite://" + filepath.Join(dir, "platform.db")
	}
	logs := &SyncBuffer{}
	cfg := platform.Config{
		DatabaseURL:            o.databaseURL,
		BootstrapAPIKey:        platform.GenerateAPIKey(),
		BootstrapKeyFile:       filepath.Join(dir, "bootstrap-key"),
		SecretKey:              bytes.Repeat([]byte{7}, 32),
		AllowLoopbackCallbacks: true,
		Logger:                 slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	srv, err := platform.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("starting the platform server: %v", err)
	}
	handler := srv.Handler()
	if !o.noValidate {
		handler = validateResponses(t, handler)
	}
	hs := httptest.NewUnstartedServer(handler)
	if o.tls != nil {
		hs.TLS = o.tls
		hs.EnableHTTP2 = true
		hs.StartTLS()
	} else {
		hs.Start()
	}
	httpClient := hs.Client()
	if o.clientCert != nil {
		tr, ok := httpClient.Transport.(*http.Transport)
		if !ok {
			t.Fatalf("httptest client transport is %T, want *http.Transport", httpClient.Transport)
		}
		tr.TLSClientConfig.Certificates = []tls.Certificate{*o.clientCert}
	}
	ms := httptest.NewServer(srv.MetricsHandler())
	t.Cleanup(func() {
		hs.Close()
		ms.Close()
		_ = srv.Close()
	})
	inst := &Instance{URL: hs.URL, MetricsURL: ms.URL, OwnerKey: cfg.BootstrapAPIKey, Server: srv, HTTP: hs, Logs: logs, t: t,
		httpClient: httpClient}
	inst.Client = inst.ClientFor(cfg.BootstrapAPIKey)
	return inst
}

// ClientFor returns a generated API client that authenticates with key.
func (i *Instance) ClientFor(key string) *api.ClientWithResponses {
	c, err := api.NewClientWithResponses(i.URL+"/api/v1", api.WithHTTPClient(i.httpClient), api.WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+key)
		return nil
	}))
	if err != nil {
		i.t.Fatalf("creating API client: %v", err)
	}
	return c
}

// Grant is a role at a scope, for NewUser.
type Grant struct {
	Role      api.Role
	ScopeType api.ScopeType
	ScopeID   string
}

// NewUser creates a user with the given grants and an API key for them, directly in the
// store, and returns the user's id and key.
func (i *Instance) NewUser(email string, grants ...Grant) (userID, key string) {
	i.t.Helper()
	ctx := context.Background()
	key = platform.GenerateAPIKey()
	err := i.Server.Store().Tx(ctx, func(q *store.Q) error {
		now := i.Server.Now()
		u := api.User{ID: store.NewID("usr"), Email: email, DisplayName: email, Active: true, Etag: store.NewETag(), CreatedAt: now, UpdatedAt: now}
		if err := store.Users.Create(ctx, q, &u); err != nil {
			return err
		}
		userID = u.ID
		for _, g := range grants {
			scope := api.Scope{Type: g.ScopeType}
			if g.ScopeID != "" {
				scope.ID = &g.ScopeID
			}
			ra := api.RoleAssignment{ID: store.NewID("ra"), UserID: u.ID, Role: g.Role, Scope: scope, Etag: store.NewETag(), CreatedAt: now}
			if err := store.RoleAssignments.Create(ctx, q, &ra); err != nil {
				return err
			}
		}
		return q.CreateAPIKey(ctx, store.APIKey{ID: store.NewID("key"), UserID: u.ID, KeyHash: platform.HashAPIKey(key),
			MaxRole: api.Owner, Description: "test key", CreatedAt: now})
	})
	if err != nil {
		i.t.Fatalf("creating test user %s: %v", email, err)
	}
	return userID, key
}

// SyncBuffer is a goroutine-safe log sink.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var (
	routerOnce sync.Once
	router     routers.Router
	routerErr  error
)

func specRouter() (routers.Router, error) {
	routerOnce.Do(func() {
		doc, err := platform.LoadSpec()
		if err != nil {
			routerErr = err
			return
		}
		router, routerErr = legacy.NewRouter(doc)
	})
	return router, routerErr
}

// validateResponses fails the test for any API response that the contract does not allow:
// a status the operation does not declare, a missing required field, a wrong type or enum value.
func validateResponses(t testing.TB, next http.Handler) http.Handler {
	rt, err := specRouter()
	if err != nil {
		t.Fatalf("loading the contract: %v", err)
	}
	return validateResponsesWith(t, rt, next)
}

// undeclaredStatus reports a status the operation does not list by its code or its range
// (such as 5XX). A `default` response does not count: a client generated from the contract
// learns nothing from it about which errors to expect, so every status a handler really
// answers must be declared by number.
func undeclaredStatus(op *openapi3.Operation, status int) error {
	if op.Responses != nil && op.Responses.Status(status) != nil {
		return nil
	}
	var declared []string
	if op.Responses != nil {
		for code := range op.Responses.Map() {
			if code != "default" {
				declared = append(declared, code)
			}
		}
	}
	sort.Strings(declared)
	return fmt.Errorf("status %d is not declared for operation %s (it declares %s); add it to the operation's responses in openapi.yaml, or stop the handler answering it",
		status, op.OperationID, strings.Join(declared, ", "))
}

func validateResponsesWith(t testing.TB, rt routers.Router, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/v1/") || r.URL.Path == "/api/v1/openapi.yaml" {
			next.ServeHTTP(w, r)
			return
		}
		// Find the route before the handler consumes the body.
		probe := r.Clone(r.Context())
		probe.Body = http.NoBody
		route, params, findErr := rt.FindRoute(probe)
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		body := rec.Body.Bytes()
		_, _ = w.Write(body)
		if findErr != nil {
			return // unknown routes are the router's to refuse (404/405)
		}
		if err := undeclaredStatus(route.Operation, rec.Code); err != nil {
			t.Errorf("response to %s %s breaks openapi.yaml: %v\nbody: %s", r.Method, r.URL.Path, err, truncate(body))
		}
		in := &openapi3filter.ResponseValidationInput{
			RequestValidationInput: &openapi3filter.RequestValidationInput{Request: probe, PathParams: params, Route: route,
				Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}},
			Status: rec.Code,
			Header: rec.Header(),
			Body:   io.NopCloser(bytes.NewReader(body)),
		}
		if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
			t.Errorf("response to %s %s (status %d) breaks openapi.yaml: %v\nbody: %s", r.Method, r.URL.Path, rec.Code, err, truncate(body))
		}
	})
}

func truncate(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + fmt.Sprintf("… (%d bytes)", len(b))
	}
	return string(b)
}
