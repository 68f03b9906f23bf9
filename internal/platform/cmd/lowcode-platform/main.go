// Command lowcode-platform runs the reference low-code platform server.
//
//	lowcode-platform serve [--listen 127.0.0.1:8080] [--database sqlite://lowcode.db]
//	                       [--tls-cert-file cert.pem --tls-key-file key.pem [--tls-client-ca-file ca.pem]]
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform"
)

const usage = `lowcode-platform runs the reference low-code platform server.

Usage:
  lowcode-platform serve [flags]

Every flag can also be set by the environment variable named after it.

Flags:
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lowcode-platform:", err)
		os.Exit(1)
	}
}

// run runs the command until ctx ends (main's ends on SIGINT or SIGTERM).
func run(ctx context.Context, args []string, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fs := serveFlags(&settings{}, stderr)
		fs.Usage()
		return nil
	}
	if args[0] != "serve" {
		return fmt.Errorf("unknown command %q: the only command is `serve` (try --help)", args[0])
	}
	var s settings
	fs := serveFlags(&s, stderr)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errors.New("bad flags (see --help)")
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", fs.Arg(0))
	}
	return serve(ctx, s, stderr)
}

type settings struct {
	listen, database, logLevel, logFormat, bootstrapKeyFile   string
	pprofListen, metricsListen                                string
	tlsCert, tlsKey, tlsClientCA                              string
	rateLimit                                                 float64
	workers, deliveryWorkers                                  int
	maxDocumentBytes, maxDocumentDepth, maxExecutionsPerEvent int
	allowLoopback, allowPrivate                               bool
	retrySchedule                                             string
	leaseDuration, shutdownTimeout                            time.Duration
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

func envInt(name string, def int) int {
	v, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		return def
	}
	return v
}

// workersSetting maps the flag (0 = none) onto platform.Config.Workers (0 = default, negative
// = none).
func workersSetting(n int) int {
	if n <= 0 {
		return -1
	}
	return n
}

func envDuration(name string, def time.Duration) time.Duration {
	d, err := time.ParseDuration(os.Getenv(name))
	if err != nil {
		return def
	}
	return d
}

// defaultRetrySchedule is platform.Config's default, spelt as the flag takes it.
const defaultRetrySchedule = "5s,30s,2m,10m,1h"

// parseRetrySchedule reads --delivery-retry-schedule: positive durations, comma-separated.
func parseRetrySchedule(v string) ([]time.Duration, error) {
	var schedule []time.Duration
	for _, part := range strings.Split(v, ",") {
		d, err := time.ParseDuration(strings.TrimSpace(part))
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("--delivery-retry-schedule %q: %q is not a positive duration; give waits such as %s", v, strings.TrimSpace(part), defaultRetrySchedule)
		}
		schedule = append(schedule, d)
	}
	return schedule, nil
}

func envFloat(name string) float64 {
	v, _ := strconv.ParseFloat(os.Getenv(name), 64)
	return v
}

func serveFlags(s *settings, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("lowcode-platform serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&s.listen, "listen", env("LOWCODE_LISTEN", "127.0.0.1:8080"), "address to listen on (LOWCODE_LISTEN)")
	fs.StringVar(&s.database, "database", env("LOWCODE_DATABASE_URL", "sqlite://lowcode.db"),
		"database URL: sqlite://path/to/file.db (embedded, the default) or postgres://user:pass@host:5432/db (LOWCODE_DATABASE_URL)")
	fs.StringVar(&s.bootstrapKeyFile, "bootstrap-key-file", env("LOWCODE_BOOTSTRAP_KEY_FILE", "lowcode-bootstrap-key"),
		"where to write the owner's API key generated on first start, unless LOWCODE_BOOTSTRAP_API_KEY sets it (LOWCODE_BOOTSTRAP_KEY_FILE)")
	fs.IntVar(&s.workers, "workers", envInt("LOWCODE_WORKERS", 5),
		"workers that run workflow executions; one application holds at most all but one. 0 makes an API-only replica, with no deliveries, schedules or recovery either (LOWCODE_WORKERS)")
	fs.IntVar(&s.deliveryWorkers, "delivery-workers", envInt("LOWCODE_DELIVERY_WORKERS", 5),
		"workers that attempt webhook deliveries, apart from the execution workers, so a slow receiver never holds one of those; one application holds at most all but one (LOWCODE_DELIVERY_WORKERS)")
	fs.DurationVar(&s.shutdownTimeout, "shutdown-timeout", envDuration("LOWCODE_SHUTDOWN_TIMEOUT", 10*time.Second),
		"on SIGTERM or SIGINT, how long running requests and executions may finish; then they are stopped, and the process exits within a second more (LOWCODE_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&s.retrySchedule, "delivery-retry-schedule", env("LOWCODE_DELIVERY_RETRY_SCHEDULE", defaultRetrySchedule),
		"waits before each retry of a failed webhook delivery, comma-separated (each varies by up to 20% at random); the delivery fails after the last (LOWCODE_DELIVERY_RETRY_SCHEDULE)")
	fs.DurationVar(&s.leaseDuration, "lease-duration", envDuration("LOWCODE_LEASE_DURATION", 30*time.Second),
		"how long an execution or delivery stays with a server that stopped renewing it (killed, say) before another server, or this one restarted, takes it over (LOWCODE_LEASE_DURATION)")
	fs.IntVar(&s.maxDocumentBytes, "max-document-bytes", envInt("LOWCODE_MAX_DOCUMENT_BYTES", 1<<20),
		"the largest JSON document a workflow may hold or send, in bytes: execution input and output, the document after each step, step outputs, event data and webhook payloads (LOWCODE_MAX_DOCUMENT_BYTES)")
	fs.IntVar(&s.maxDocumentDepth, "max-document-depth", envInt("LOWCODE_MAX_DOCUMENT_DEPTH", 64),
		"how deeply those documents may nest objects and arrays (LOWCODE_MAX_DOCUMENT_DEPTH)")
	fs.IntVar(&s.maxExecutionsPerEvent, "max-executions-per-event", envInt("LOWCODE_MAX_EXECUTIONS_PER_EVENT", 100),
		"the most executions one trigger or published event may lead to through workflows' emit steps, the whole chain together; an emit step that would start more fails (LOWCODE_MAX_EXECUTIONS_PER_EVENT)")
	fs.Float64Var(&s.rateLimit, "rate-limit", envFloat("LOWCODE_RATE_LIMIT"), "requests per second per user (all of a user's keys together); 0 is unlimited. Failed authentications are limited per client address regardless (LOWCODE_RATE_LIMIT)")
	fs.BoolVar(&s.allowLoopback, "allow-loopback-callbacks", envBool("LOWCODE_ALLOW_LOOPBACK_CALLBACKS"),
		"let webhooks and http steps call loopback addresses (LOWCODE_ALLOW_LOOPBACK_CALLBACKS)")
	fs.BoolVar(&s.allowPrivate, "allow-private-callbacks", envBool("LOWCODE_ALLOW_PRIVATE_CALLBACKS"),
		"let webhooks and http steps call private-range addresses (LOWCODE_ALLOW_PRIVATE_CALLBACKS)")
	fs.StringVar(&s.tlsCert, "tls-cert-file", env("LOWCODE_TLS_CERT_FILE", ""),
		"serve HTTPS (HTTP/2 and HTTP/1.1) with this PEM certificate, the server's first and any intermediates after it; needs --tls-key-file (LOWCODE_TLS_CERT_FILE)")
	fs.StringVar(&s.tlsKey, "tls-key-file", env("LOWCODE_TLS_KEY_FILE", ""),
		"the PEM private key of --tls-cert-file (LOWCODE_TLS_KEY_FILE)")
	fs.StringVar(&s.tlsClientCA, "tls-client-ca-file", env("LOWCODE_TLS_CLIENT_CA_FILE", ""),
		"require every client to present a certificate signed by a CA in this PEM file (mutual TLS), on top of its API key; needs --tls-cert-file (LOWCODE_TLS_CLIENT_CA_FILE)")
	fs.StringVar(&s.pprofListen, "pprof-listen", env("LOWCODE_PPROF_LISTEN", ""),
		"serve Go's profiles (/debug/pprof/) on this separate address, such as 127.0.0.1:6060; off when empty. Keep it on loopback (LOWCODE_PPROF_LISTEN)")
	fs.StringVar(&s.metricsListen, "metrics-listen", env("LOWCODE_METRICS_LISTEN", ""),
		"serve Prometheus metrics (/metrics) on this separate address, such as 127.0.0.1:9464; off when empty. The series name every tenant's workflows, "+
			"so expose it only to your monitoring (LOWCODE_METRICS_LISTEN)")
	fs.StringVar(&s.logLevel, "log-level", env("LOWCODE_LOG_LEVEL", "info"), "debug, info, warn or error (LOWCODE_LOG_LEVEL)")
	fs.StringVar(&s.logFormat, "log-format", env("LOWCODE_LOG_FORMAT", "text"), "text or json (LOWCODE_LOG_FORMAT)")
	fs.Usage = func() {
		fmt.Fprint(out, usage)
		fs.PrintDefaults()
		fmt.Fprint(out, `
Other environment variables:
  LOWCODE_BOOTSTRAP_API_KEY  the owner's API key to create on first start (otherwise generated)
  LOWCODE_SECRET_KEY         32 bytes, base64: seals webhook secrets at rest; required with PostgreSQL,
                             defaults to a key file next to a SQLite database
`)
	}
	return fs
}

func serve(ctx context.Context, s settings, stderr io.Writer) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s.logLevel)); err != nil {
		return fmt.Errorf("--log-level %q: use debug, info, warn or error", s.logLevel)
	}
	var handler slog.Handler
	switch s.logFormat {
	case "text":
		handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})
	case "json":
		handler = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level})
	default:
		return fmt.Errorf("--log-format %q: use text or json", s.logFormat)
	}
	logger := slog.New(handler)
	retrySchedule, err := parseRetrySchedule(s.retrySchedule)
	if err != nil {
		return err
	}
	if s.shutdownTimeout <= 0 {
		return fmt.Errorf("--shutdown-timeout %s: give a positive duration, such as 10s", s.shutdownTimeout)
	}
	if s.deliveryWorkers < 1 {
		return fmt.Errorf("--delivery-workers %d: give at least 1", s.deliveryWorkers)
	}
	for _, b := range []struct {
		flag     string
		value    int
		least    int
		unit     string
		whyLeast string
	}{
		{"--max-document-bytes", s.maxDocumentBytes, 1024, "bytes", "a workflow's documents hold more than a few fields"},
		{"--max-document-depth", s.maxDocumentDepth, 8, "levels", "the platform's own event and delivery documents nest a few levels"},
		{"--max-executions-per-event", s.maxExecutionsPerEvent, 1, "execution", "an event must be able to start a workflow"},
	} {
		if b.value < b.least {
			return fmt.Errorf("%s %d: use at least %d %s (%s)", b.flag, b.value, b.least, b.unit, b.whyLeast)
		}
	}
	if s.leaseDuration < time.Second {
		return fmt.Errorf("--lease-duration %s: use at least 1s (a lease is renewed several times before it runs out)", s.leaseDuration)
	}

	var secretKey []byte
	if v := os.Getenv("LOWCODE_SECRET_KEY"); v != "" {
		k, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(k) != 32 {
			return errors.New("LOWCODE_SECRET_KEY must be 32 bytes in base64 (generate one with: openssl rand -base64 32)")
		}
		secretKey = k
	}

	tlsConfig, err := loadTLS(s)
	if err != nil {
		return err
	}

	// Listen before opening the database so a busy port fails fast and plainly.
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return fmt.Errorf("cannot listen on %s: the port is already in use (stop the other process or pick another --listen)", s.listen)
		}
		return fmt.Errorf("cannot listen on %s: %w", s.listen, err)
	}
	defer ln.Close()
	var metricsLn net.Listener
	if s.metricsListen != "" {
		if metricsLn, err = net.Listen("tcp", s.metricsListen); err != nil {
			return fmt.Errorf("cannot listen on --metrics-listen %s: %w", s.metricsListen, err)
		}
		defer metricsLn.Close()
	}

	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	srv, err := platform.New(openCtx, platform.Config{
		DatabaseURL:            s.database,
		BootstrapAPIKey:        os.Getenv("LOWCODE_BOOTSTRAP_API_KEY"),
		BootstrapKeyFile:       s.bootstrapKeyFile,
		SecretKey:              secretKey,
		RateLimit:              s.rateLimit,
		Workers:                workersSetting(s.workers),
		AllowLoopbackCallbacks: s.allowLoopback,
		AllowPrivateCallbacks:  s.allowPrivate,
		DeliveryRetrySchedule:  retrySchedule,
		LeaseDuration:          s.leaseDuration,
		ShutdownTimeout:        s.shutdownTimeout,
		DeliveryWorkers:        s.deliveryWorkers,
		MaxDocumentBytes:       int64(s.maxDocumentBytes),
		MaxDocumentDepth:       s.maxDocumentDepth,
		MaxExecutionsPerEvent:  s.maxExecutionsPerEvent,
		Logger:                 logger,
	})
	cancel()
	if err != nil {
		return err
	}
	defer srv.Close()

	httpSrv := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		TLSConfig:         tlsConfig,
		// Failed handshakes and the like, into the server's log rather than stderr's.
		ErrorLog: slog.NewLogLogger(handler, slog.LevelWarn),
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		httpSrv.Protocols = new(http.Protocols)
		httpSrv.Protocols.SetHTTP1(true)
		httpSrv.Protocols.SetHTTP2(true)
	}
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- httpSrv.ServeTLS(ln, "", "") // the certificate is in TLSConfig
			return
		}
		errc <- httpSrv.Serve(ln)
	}()
	if s.pprofListen != "" {
		go servePprof(s.pprofListen, logger)
	}
	if metricsLn != nil {
		metricsSrv := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		defer func() { _ = metricsSrv.Close() }() // the process is ending; nothing to do with an error
		go func() {
			if err := metricsSrv.Serve(metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("metrics listener", slog.String("error", err.Error()))
			}
		}()
		logger.Info("serving metrics", slog.String("address", "http://"+metricsLn.Addr().String()+"/metrics"))
	}
	logger.Info("lowcode-platform listening", slog.String("address", scheme+"://"+ln.Addr().String()),
		slog.String("database", strings.SplitN(s.database, "@", 2)[len(strings.SplitN(s.database, "@", 2))-1]))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	return shutdown(httpSrv, srv, s.shutdownTimeout, logger)
}

// shutdown stops the HTTP server and the runtime together, under one deadline: both stop
// taking work at once, both let what runs finish until the shutdown timeout, then cut it off.
// The runtime then waits a short grace (platform.Config.ShutdownGrace) and no more, so the
// process ends within the timeout and that grace whatever runs; work it left behind is
// recovered by lease expiry after a restart. The store closes last, once no request uses it.
func shutdown(httpSrv *http.Server, srv *platform.Server, timeout time.Duration, logger *slog.Logger) error {
	logger.Info("shutting down", slog.Duration("timeout", timeout))
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	runtimeDone := make(chan struct{})
	go func() {
		_ = srv.StopRuntime(ctx) // logged by the server
		close(runtimeDone)
	}()
	if err := httpSrv.Shutdown(ctx); err != nil {
		// Requests still running at the deadline: cut their connections.
		_ = httpSrv.Close()
		logger.Warn("shutdown timeout passed with requests still running; their connections were closed", slog.Any("error", err))
	}
	<-runtimeDone
	if err := srv.Close(); err != nil {
		return fmt.Errorf("closing the store: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// loadTLS reads the TLS settings: none (plain HTTP), or a certificate and its key, optionally
// with a client CA. Half a setting is an error, never a quiet fallback to plain HTTP.
func loadTLS(s settings) (*tls.Config, error) {
	switch {
	case s.tlsCert == "" && s.tlsKey == "" && s.tlsClientCA == "":
		return nil, nil
	case s.tlsCert == "" && s.tlsKey == "":
		return nil, errors.New("--tls-client-ca-file (LOWCODE_TLS_CLIENT_CA_FILE) needs --tls-cert-file and --tls-key-file: " +
			"client certificates are asked for over HTTPS only")
	case s.tlsCert == "" || s.tlsKey == "":
		return nil, errors.New("TLS needs both --tls-cert-file (LOWCODE_TLS_CERT_FILE) and --tls-key-file (LOWCODE_TLS_KEY_FILE); " +
			"set both to serve HTTPS, or neither to serve plain HTTP")
	}
	cert, err := tls.LoadX509KeyPair(s.tlsCert, s.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert-file %q and --tls-key-file %q: %w (give a PEM certificate and the PEM private key that matches it)", s.tlsCert, s.tlsKey, err)
	}
	if leaf := cert.Leaf; leaf != nil && time.Now().After(leaf.NotAfter) {
		return nil, fmt.Errorf("--tls-cert-file %q expired on %s; renew it", s.tlsCert, leaf.NotAfter.UTC().Format(time.RFC3339))
	}
	cfg := &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2", "http/1.1"},
	}
	if s.tlsClientCA != "" {
		pem, err := os.ReadFile(s.tlsClientCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-ca-file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-client-ca-file %q holds no PEM certificate", s.tlsClientCA)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// servePprof serves the runtime profiles on their own listener, never on the API's.
func servePprof(addr string, logger *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	logger.Info("serving profiles", slog.String("address", "http://"+addr+"/debug/pprof/"))
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		logger.Error("profiles listener", slog.String("error", err.Error()))
	}
}
