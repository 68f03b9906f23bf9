package platform

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// statusRecorder remembers the status a handler wrote, for logs and metrics.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler { //nolint:errorlint // a recovered panic value, not a wrapped error
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic while handling request", slog.String("path", r.URL.Path),
					slog.Any("panic", v), slog.String("stack", string(debug.Stack())))
				writeProblem(w, r, problemFor(fmt.Errorf("panic: %v", v)))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestID is the X-Request-Id a caller sent (when it is short and plain) or a new one; it is
// echoed in the response and logged, so a client's log line and the server's can be matched.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && !strings.ContainsAny(id, " \t\r\n") {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		reqID := requestID(r)
		w.Header().Set("X-Request-Id", reqID)
		rec := &statusRecorder{ResponseWriter: w}
		route := &routeRecorder{pattern: r.Pattern}
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, route))
		next.ServeHTTP(rec, r)
		elapsed := time.Since(start)
		s.metrics.observeRequest(r.Method, routeLabel(route.pattern), rec.status, elapsed)
		// Only method, path and status: never headers (Authorization) or bodies (secrets).
		s.log.LogAttrs(r.Context(), slog.LevelDebug, "request", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Int("status", rec.status), slog.Duration("duration", elapsed),
			slog.String("request_id", reqID),
			slog.String("user", principal(r).UserID))
	})
}

// HashAPIKey is how keys are stored and looked up: SHA-256, hex. Keys are 32 random bytes, so
// a slow password hash would add nothing but latency to every request.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/api/v1/openapi.yaml" {
			next.ServeHTTP(w, r)
			return
		}
		// A client address that keeps failing is refused before its key is even looked up, so
		// that guessing keys costs the database nothing and gets nowhere fast.
		client := clientAddress(r)
		if delay := s.authFailures.delay(client, time.Now()); delay > 0 {
			secs := int(math.Ceil(delay.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeProblem(w, r, &Problem{Status: http.StatusTooManyRequests, Type: "rate-limited", Title: "Too many requests",
				Detail: fmt.Sprintf("too many failed authentications from this address; retry after %d s with a valid API key", secs)})
			return
		}
		auth := r.Header.Get("Authorization")
		key, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(key) == "" {
			s.authFailures.failed(client, time.Now())
			w.Header().Set("WWW-Authenticate", `Bearer realm="lowcode"`)
			writeProblem(w, r, problemFor(unauthorized("send an API key as `Authorization: Bearer <key>`")))
			return
		}
		p, err := s.store.Read().Authenticate(r.Context(), HashAPIKey(strings.TrimSpace(key)), s.now())
		if errors.Is(err, store.ErrNotFound) {
			s.authFailures.failed(client, time.Now())
			w.Header().Set("WWW-Authenticate", `Bearer realm="lowcode", error="invalid_token"`)
			writeProblem(w, r, problemFor(unauthorized("the API key is unknown, expired or revoked, or its user is inactive")))
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

// clientAddress is the connection's IP address (the port varies per connection).
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Failed authentications: a bucket of authFailureBurst per client address, refilled at
// authFailureRate a second; at most maxAuthFailureClients addresses are tracked (beyond that,
// one is forgotten for each new one), so the table itself is bounded.
const (
	authFailureRate       = 1
	authFailureBurst      = 20
	maxAuthFailureClients = 10000
)

// failureLimiter limits failed authentications per client address.
type failureLimiter struct {
	mu      sync.Mutex
	clients map[string]*rate.Limiter
}

func newFailureLimiter() *failureLimiter {
	return &failureLimiter{clients: map[string]*rate.Limiter{}}
}

// delay is how long the address must wait before it may try to authenticate again.
func (l *failureLimiter) delay(client string, now time.Time) time.Duration {
	l.mu.Lock()
	lim, ok := l.clients[client]
	l.mu.Unlock()
	if !ok || lim.TokensAt(now) >= 1 {
		return 0
	}
	return time.Duration((1 - lim.TokensAt(now)) / authFailureRate * float64(time.Second))
}

// failed spends one of the address's attempts.
func (l *failureLimiter) failed(client string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := l.clients[client]
	if !ok {
		if len(l.clients) >= maxAuthFailureClients {
			for k := range l.clients {
				delete(l.clients, k)
				break
			}
		}
		lim = rate.NewLimiter(authFailureRate, authFailureBurst)
		l.clients[client] = lim
	}
	lim.AllowN(now, 1)
}

// keyLimiter is a token bucket per user (keyed by user id: minting more tokens does not
// multiply a user's rate).
type keyLimiter struct {
	rate  rate.Limit
	burst int
	mu    sync.Mutex
	keys  map[string]*rate.Limiter
}

func newKeyLimiter(perSecond float64, burst int) *keyLimiter {
	if perSecond <= 0 {
		return nil
	}
	if burst <= 0 {
		burst = int(math.Ceil(perSecond * 2))
	}
	return &keyLimiter{rate: rate.Limit(perSecond), burst: burst, keys: map[string]*rate.Limiter{}}
}

// wait returns how long the key must wait before its next request, 0 when it may go now.
func (l *keyLimiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	lim, ok := l.keys[key]
	if !ok {
		lim = rate.NewLimiter(l.rate, l.burst)
		l.keys[key] = lim
	}
	l.mu.Unlock()
	res := lim.ReserveN(now, 1)
	delay := res.DelayFrom(now)
	if delay > 0 {
		res.CancelAt(now) // a refused request does not use up a token
	}
	return delay
}

func (s *Server) rateLimit(next http.Handler) http.Handler {
	if s.limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if delay := s.limiter.wait(principal(r).UserID, time.Now()); delay > 0 {
			secs := int(math.Ceil(delay.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeProblem(w, r, &Problem{Status: http.StatusTooManyRequests, Type: "rate-limited", Title: "Too many requests",
				Detail: fmt.Sprintf("this API key's user is over the rate limit (shared by all of the user's keys); retry after %d s", secs)})
			return
		}
		next.ServeHTTP(w, r)
	})
}

type bodyKey struct{}

// requestBody returns the raw request body the validation middleware read.
func requestBody(r *http.Request) []byte {
	b, _ := r.Context().Value(bodyKey{}).([]byte)
	return b
}

// validateRequest reads the body (bounded), checks the request against openapi.yaml and keeps
// the body for the handler and the idempotency hash.
func (s *Server) validateRequest(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodDelete {
			var err error
			body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes))
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeProblem(w, r, &Problem{Status: http.StatusRequestEntityTooLarge, Type: "too-large", Title: "Request body too large",
					Detail: fmt.Sprintf("request bodies are limited to %d bytes", s.cfg.MaxBodyBytes)})
				return
			}
			if err != nil {
				writeProblem(w, r, problemFor(badRequest("could not read the request body: "+err.Error())))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		if err := s.spec.validate(r, body); err != nil {
			s.fail(w, r, err)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), bodyKey{}, body)))
	})
}
