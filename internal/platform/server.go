// Package platform is the reference low-code platform server: the management API of
// internal/api/openapi.yaml over a SQLite or PostgreSQL store, with authentication, role-based
// authorization, idempotent writes, an audit log and the integration runtime.
package platform

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// Config is the server's settings. The zero value of every optional field is a sane default.
type Config struct {
	// DatabaseURL selects the store: sqlite://path (default sqlite://lowcode.db) or postgres://….
	DatabaseURL string
	// BootstrapAPIKey is the owner key created on first start with an empty database; generated
	// when empty and written to BootstrapKeyFile.
	BootstrapAPIKey  string
	BootstrapKeyFile string
	// SecretKey seals webhook signing secrets at rest (32 bytes). With SQLite it defaults to a
	// key file next to the database; PostgreSQL replicas must all be given the same key.
	SecretKey []byte
	// RateLimit is requests per second per user (all of a user's keys together); 0 turns rate
	// limiting off. Burst defaults
	// to twice the rate.
	RateLimit float64
	RateBurst int
	// MaxBodyBytes bounds request bodies (default 1 MiB).
	MaxBodyBytes int64
	// MaxDocumentBytes and MaxDocumentDepth bound every JSON document a workflow holds or
	// sends (execution input and output, the document after each step, step outputs, event
	// data, webhook payloads): bytes of its encoding (default 1 MiB) and levels of nesting
	// (default 64). MaxExecutionsPerEvent bounds the executions one trigger or published event
	// leads to through emit steps, the whole chain together (default 100). See bounds.go.
	MaxDocumentBytes      int64
	MaxDocumentDepth      int
	MaxExecutionsPerEvent int
	// AllowLoopbackCallbacks and AllowPrivateCallbacks let webhooks and http steps call
	// loopback or private addresses; both are refused by default (SSRF).
	AllowLoopbackCallbacks bool
	AllowPrivateCallbacks  bool
	Logger                 *slog.Logger
	// Now is the clock; tests may replace it.
	Now func() time.Time

	// The integration runtime (runtime.go, internal/platform/runtime). Workers run workflow
	// executions (default 5; negative: no runtime at all, for a replica that only serves the
	// API). DeliveryWorkers attempt webhook deliveries on a pool of their own (default 5), so a
	// receiver that never answers never holds an execution worker. MaxWorkersPerApplication
	// and MaxDeliveriesPerApplication bound how many of those one application may hold at once
	// (default: all but one), so another application's work always finds a free worker.
	// PollInterval is how often idle workers look for work other replicas queued (default 1s;
	// work queued by this process starts at once). LeaseDuration is how long a claimed
	// execution or delivery stays with a worker that stops renewing it (default 30s): after
	// that another replica recovers it. CancelCheckInterval is how often a replica asks whether
	// an execution it runs was canceled through another replica (default 500ms).
	// ShutdownTimeout is how long Close lets running work finish (default 10s); then it
	// cancels that work and waits ShutdownGrace (default 1s) for it to be recorded, no longer.
	// DeliveryRetrySchedule is the wait before each retry of a failed webhook delivery, with
	// jitter; after the last the delivery fails (default 5s, 30s, 2m, 10m, 1h).
	// DeliveryTimeout bounds one delivery attempt (default 10s). MonitoringWindow is the
	// window over which a finished execution's workflow is checked against its monitoring
	// target, to publish monitoring.target_breached (default 1h). LeaderInterval is how often
	// a PostgreSQL replica tries to become the one that fires schedules and rescues expired
	// executions, and the leader checks it still is (default 5s).
	Workers                     int
	DeliveryWorkers             int
	MaxWorkersPerApplication    int
	MaxDeliveriesPerApplication int
	PollInterval                time.Duration
	LeaseDuration               time.Duration
	CancelCheckInterval         time.Duration
	ShutdownTimeout             time.Duration
	ShutdownGrace               time.Duration
	DeliveryRetrySchedule       []time.Duration
	DeliveryTimeout             time.Duration
	MonitoringWindow            time.Duration
	LeaderInterval              time.Duration
	// TestSignals initializes the runtime services' test signals (Server.Runtime); tests only.
	TestSignals bool
}

// Server implements api.ServerInterface.
type Server struct {
	cfg     Config
	store   *store.Store
	log     *slog.Logger
	now     func() time.Time
	metrics *metrics
	limiter *keyLimiter
	// authFailures limits failed authentications per client address.
	authFailures *failureLimiter
	spec         *specValidator
	sealer       *sealer
	runtime      *runtimeState

	closeOnce sync.Once
}

var _ api.ServerInterface = (*Server)(nil)

// New opens the store, applies migrations and bootstraps an owner on an empty database.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.DatabaseURL == "" {
		cfg.DatabaseURL = "sqlite://lowcode.db"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	spec, err := newSpecValidator()
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	sl, err := sealerFor(ctx, cfg, st)
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	s := &Server{
		cfg:          cfg,
		store:        st,
		log:          cfg.Logger,
		now:          func() time.Time { return cfg.Now().UTC().Truncate(time.Millisecond) },
		metrics:      newMetrics(),
		limiter:      newKeyLimiter(cfg.RateLimit, cfg.RateBurst),
		authFailures: newFailureLimiter(),
		spec:         spec,
		sealer:       sl,
	}
	s.boundsDefaults()
	if err := s.bootstrap(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	if err := s.startRuntime(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Store exposes the store to tests and tools in this module.
func (s *Server) Store() *store.Store { return s.store }

// Registry is the Prometheus registry behind /metrics.
func (s *Server) Registry() *prometheus.Registry { return s.metrics.registry }

// Close stops background work, within ShutdownTimeout and ShutdownGrace (see Shutdown), and
// closes the store.
func (s *Server) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	return s.Shutdown(ctx)
}

// Shutdown stops the runtime: no work is claimed from now on; running work may finish until
// ctx ends, is then canceled (executions fail as interrupted) and given ShutdownGrace to
// record that. Work that ignores its cancellation is left to its lease's expiry, so Shutdown
// returns within ctx's deadline plus ShutdownGrace, whatever runs. Then the store is closed.
func (s *Server) Shutdown(ctx context.Context) error {
	var err error
	s.closeOnce.Do(func() {
		_ = s.StopRuntime(ctx) // logged; what it left behind is recovered by lease expiry
		err = s.store.Close()
	})
	return err
}

// Handler serves the API under /api/v1 and the ops endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.HandleFunc("GET /api/v1/openapi.yaml", serveSpec)
	mux.HandleFunc("GET /api/v1/docs", serveDocs)

	apiMux := http.NewServeMux()
	api.HandlerWithOptions(s, api.StdHTTPServerOptions{
		BaseURL:    "/api/v1",
		BaseRouter: apiMux,
		ErrorHandlerFunc: func(w http.ResponseWriter, r *http.Request, err error) {
			writeProblem(w, r, problemFor(badRequest(err.Error())))
		},
	})
	apiMux.HandleFunc("/api/v1/", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, r, &Problem{Status: http.StatusNotFound, Type: "not-found", Title: "Not found",
			Detail: fmt.Sprintf("no API endpoint %s %s; see /api/v1/openapi.yaml", r.Method, r.URL.Path)})
	})
	// Outermost first: recover and log everything, then authenticate, rate-limit and validate
	// the request against the contract before any handler runs.
	mux.Handle("/api/v1/", s.recoverer(s.logRequests(s.authenticate(s.rateLimit(s.validateRequest(recordRoute(apiMux)))))))
	return mux
}

// MetricsHandler serves /metrics (Prometheus) for a listener of its own, never the API's: the
// series name every tenant's workflows, which the API shows only to their readers, so the
// operator decides who reaches it (lowcode-platform serve --metrics-listen, off by default).
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.handler())
	return mux
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write([]byte("ready\n"))
}

// Now is the server's clock (UTC, millisecond precision), for tests and tools.
func (s *Server) Now() time.Time { return s.now() }
