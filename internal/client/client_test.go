package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// step is what the test server does on one attempt.
type step struct {
	status  int
	header  map[string]string
	body    string
	hangUp  bool // read the request, then close the connection without an answer
	contype string
}

// recorded is what the test server saw of one attempt.
type recorded struct {
	method, path, query string
	header              http.Header
	body                string
}

// script is a test server that plays its steps in order, repeating the last one, and records
// every request.
type script struct {
	t     *testing.T
	steps []step
	mu    sync.Mutex
	seen  []recorded
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.seen = append(s.seen, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
	st := s.steps[min(len(s.seen), len(s.steps))-1]
	s.mu.Unlock()

	if st.hangUp {
		hj, ok := w.(http.Hijacker)
		if !ok {
			s.t.Errorf("the test server's ResponseWriter %T cannot hang up", w)
			return
		}
		conn, _, err := hj.Hijack()
		if err != nil {
			s.t.Errorf("hijack: %v", err)
			return
		}
		_ = conn.Close()
		return
	}
	for k, v := range st.header {
		w.Header().Set(k, v)
	}
	if st.body != "" {
		ct := st.contype
		if ct == "" {
			ct = "application/json"
		}
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(st.status)
	_, _ = io.WriteString(w, st.body)
}

func (s *script) requests() []recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]recorded(nil), s.seen...)
}

// fastConfig keeps backoff waits in milliseconds so that retry tests stay quick.
func fastConfig(endpoint string) Config {
	return Config{
		Endpoint:     endpoint,
		APIKey:       "test-api-key-0123456789",
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
	}
}

func newScripted(t *testing.T, cfg func(*Config), steps ...step) (*Client, *script) {
	t.Helper()
	s := &script{t: t, steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := fastConfig(srv.URL)
	if cfg != nil {
		cfg(&c)
	}
	cl, err := New(c)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return cl, s
}

const appJSON = `{"id":"app_1","name":"orders","environment":"production","version":"1.0.0","description":"","labels":{},"etag":"\"e1\"","created_at":"2025-01-01T00:00:00Z","updated_at":"2025-01-01T00:00:00Z"}`

func problem(status int, title, detail string) string {
	return fmt.Sprintf(`{"type":"about:blank","title":%q,"status":%d,"detail":%q}`, title, status, detail)
}

var appInput = api.ApplicationInput{Name: "orders", Environment: api.Production, Version: "1.0.0"}

func TestRetries(t *testing.T) {
	ok := step{status: 201, body: appJSON}
	cases := []struct {
		name        string
		maxRetries  int
		steps       []step
		wantCalls   int // 0: at least 2 (a dropped connection may be replayed by net/http too)
		wantErr     error
		wantStatus  int
		minDuration time.Duration
	}{
		{name: "429 honours Retry-After", steps: []step{{status: 429, header: map[string]string{"Retry-After": "1"}, body: problem(429, "Too Many Requests", "slow down"), contype: "application/problem+json"}, ok}, wantCalls: 2, minDuration: time.Second},
		{name: "a Retry-After over two minutes is not waited for", steps: []step{{status: 429, header: map[string]string{"Retry-After": "3600"}, body: problem(429, "Too Many Requests", "quota exhausted"), contype: "application/problem+json"}, ok}, wantCalls: 1, wantStatus: 429},
		{name: "503 then success", steps: []step{{status: 503}, ok}, wantCalls: 2},
		{name: "502 and 504 then success", steps: []step{{status: 502}, {status: 504}, ok}, wantCalls: 3},
		{name: "connection dropped after the handler ran", steps: []step{{hangUp: true}, ok}},
		{name: "400 is final", steps: []step{{status: 400, body: problem(400, "Bad Request", "bad"), contype: "application/problem+json"}, ok}, wantCalls: 1, wantErr: ErrValidation},
		{name: "404 is final", steps: []step{{status: 404, body: problem(404, "Not Found", "no such thing"), contype: "application/problem+json"}, ok}, wantCalls: 1, wantErr: ErrNotFound},
		{name: "409 is final", steps: []step{{status: 409, body: problem(409, "Conflict", "taken"), contype: "application/problem+json"}, ok}, wantCalls: 1, wantErr: ErrConflict},
		{name: "500 is final", steps: []step{{status: 500}, ok}, wantCalls: 1, wantStatus: 500},
		{name: "retries are bounded by MaxRetries", maxRetries: 2, steps: []step{{status: 503}}, wantCalls: 3, wantStatus: 503},
		{name: "negative MaxRetries disables retries", maxRetries: -1, steps: []step{{status: 503}, ok}, wantCalls: 1, wantStatus: 503},
		{name: "the default budget is four retries", steps: []step{{status: 502}}, wantCalls: 5, wantStatus: 502},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := newScripted(t, func(c *Config) { c.MaxRetries = tc.maxRetries }, tc.steps...)
			start := time.Now()
			app, err := c.CreateApplication(context.Background(), appInput)
			elapsed := time.Since(start)

			seen := s.requests()
			if tc.wantCalls > 0 && len(seen) != tc.wantCalls {
				t.Errorf("server saw %d attempts, want %d", len(seen), tc.wantCalls)
			}
			if tc.wantCalls == 0 && len(seen) < 2 {
				t.Errorf("server saw %d attempts, want a retry", len(seen))
			}
			key := seen[0].header.Get("Idempotency-Key")
			if _, err := uuid.Parse(key); err != nil {
				t.Errorf("Idempotency-Key %q is not a UUID", key)
			}
			for i, r := range seen {
				if got := r.header.Get("Idempotency-Key"); got != key {
					t.Errorf("attempt %d sent Idempotency-Key %q, attempt 1 sent %q", i+1, got, key)
				}
				if r.body != seen[0].body || r.body == "" {
					t.Errorf("attempt %d sent body %q, attempt 1 sent %q", i+1, r.body, seen[0].body)
				}
			}
			if elapsed < tc.minDuration {
				t.Errorf("took %v, want at least %v (Retry-After)", elapsed, tc.minDuration)
			}

			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("error %v, want errors.Is %v", err, tc.wantErr)
				}
			case tc.wantStatus != 0:
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.wantStatus {
					t.Errorf("error %v, want an *APIError with status %d", err, tc.wantStatus)
				}
			default:
				if err != nil || app == nil || app.ID != "app_1" {
					t.Errorf("got %+v, %v; want app_1", app, err)
				}
			}
		})
	}
}

func TestContextCancellationStopsRetrying(t *testing.T) {
	cases := []struct {
		name  string
		steps []step
		cfg   func(*Config)
	}{
		{name: "while waiting for Retry-After", steps: []step{{status: 429, header: map[string]string{"Retry-After": "60"}}}},
		{name: "while backing off", steps: []step{{status: 503}}, cfg: func(c *Config) {
			c.RetryWaitMin, c.RetryWaitMax = time.Hour, time.Hour
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := newScripted(t, tc.cfg, tc.steps...)
			ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := c.GetApplication(ctx, "app_1")
			if elapsed := time.Since(start); elapsed > 5*time.Second {
				t.Errorf("took %v after the context ended", elapsed)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("error %v, want context.DeadlineExceeded", err)
			}
			if n := len(s.requests()); n != 1 {
				t.Errorf("server saw %d attempts, want 1", n)
			}
		})
	}

	t.Run("during a request", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer srv.Close()
		defer close(release)
		c, err := New(fastConfig(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err = c.GetApplication(ctx, "app_1")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
	})
}

func TestAPIErrors(t *testing.T) {
	const pj = "application/problem+json"
	cases := []struct {
		name     string
		status   int
		contype  string
		body     string
		sentinel error
		want     string
		outScope bool // also ErrOutOfScope
	}{
		{
			name: "conflict with detail and conflicting id", status: 409, contype: pj,
			body:     `{"type":"https://lowcode.dev/problems/conflict","title":"Conflict","status":409,"detail":"an application named \"x\" already exists in production","conflicting_id":"app_123"}`,
			sentinel: ErrConflict,
			want:     `HTTP 409 Conflict: an application named "x" already exists in production (conflicting id app_123)`,
		},
		{
			name: "validation with field errors", status: 422, contype: pj,
			body:     `{"type":"https://lowcode.dev/problems/validation","title":"Unprocessable Entity","status":422,"detail":"the workflow is invalid","errors":[{"field":"steps[1].validate.expression","message":"does not compile"},{"field":"version","message":"is not a semantic version"}]}`,
			sentinel: ErrValidation,
			want:     `HTTP 422 Unprocessable Entity: the workflow is invalid; steps[1].validate.expression: does not compile; version: is not a semantic version`,
		},
		{name: "bad request", status: 400, contype: pj, body: problem(400, "Bad Request", "page_size must be at most 1000"), sentinel: ErrValidation, want: "HTTP 400 Bad Request: page_size must be at most 1000"},
		{name: "unauthorized", status: 401, contype: pj, body: problem(401, "Unauthorized", "unknown API key"), sentinel: ErrUnauthorized, want: "HTTP 401 Unauthorized: unknown API key"},
		{name: "forbidden", status: 403, contype: pj, body: problem(403, "Forbidden", "editor role required"), sentinel: ErrForbidden, want: "HTTP 403 Forbidden: editor role required"},
		{
			name: "outside the key's scope", status: 403, contype: pj,
			body:     `{"type":"https://lowcode.dev/problems/forbidden-scope","title":"Outside the API key's scope","status":403,"detail":"webhook whk_1 exists, but this API key may not read it: that needs the viewer role"}`,
			sentinel: ErrForbidden, outScope: true,
			want: "HTTP 403 Forbidden: webhook whk_1 exists, but this API key may not read it: that needs the viewer role",
		},
		{name: "not found, title only", status: 404, contype: pj, body: `{"type":"about:blank","title":"Not Found","status":404}`, sentinel: ErrNotFound, want: "HTTP 404 Not Found"},
		{name: "stale etag", status: 412, contype: pj, body: problem(412, "Precondition Failed", "the application changed since etag \"e1\""), sentinel: ErrPreconditionFailed, want: `HTTP 412 Precondition Failed: the application changed since etag "e1"`},
		{name: "a problem title that says more than the status", status: 409, contype: pj, body: `{"type":"x","title":"Workflow disabled","status":409}`, sentinel: ErrConflict, want: "HTTP 409 Conflict: Workflow disabled"},
		{
			name: "a proxy's HTML page", status: 502, contype: "text/html",
			body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>",
			want: "HTTP 502 Bad Gateway: 502 Bad Gateway (text/html, not an API problem; is a proxy in the way?)",
		},
		{name: "plain text", status: 500, contype: "text/plain", body: "internal error\n  at line 3", want: "HTTP 500 Internal Server Error: internal error at line 3"},
		{name: "JSON that is not a problem", status: 404, contype: "application/json", body: `"nope"`, sentinel: ErrNotFound, want: `HTTP 404 Not Found: "nope" (application/json, not an API problem; is a proxy in the way?)`},
		{name: "no body", status: 403, sentinel: ErrForbidden, want: "HTTP 403 Forbidden"},
	}
	all := []error{ErrValidation, ErrUnauthorized, ErrForbidden, ErrOutOfScope, ErrNotFound, ErrConflict, ErrPreconditionFailed}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newScripted(t, func(c *Config) { c.MaxRetries = -1 }, step{status: tc.status, contype: tc.contype, body: tc.body})
			_, err := c.GetApplication(context.Background(), "app_1")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("message\n got %s\nwant %s", err, tc.want)
			}
			for _, s := range all {
				if got := errors.Is(err, s); got != (s == tc.sentinel || s == ErrOutOfScope && tc.outScope) {
					t.Errorf("errors.Is(err, %v) = %v", s, got)
				}
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.StatusCode != tc.status || apiErr.Problem.Status != tc.status {
				t.Errorf("errors.As: %#v", apiErr)
			}
		})
	}
}

func TestSuccessBodyThatIsNotJSON(t *testing.T) {
	c, _ := newScripted(t, nil, step{status: 200, contype: "text/html", body: "<html>welcome</html>"})
	_, err := c.GetApplication(context.Background(), "app_1")
	if err == nil || !strings.Contains(err.Error(), "HTTP 200 from GET /api/v1/applications/app_1: the answer is not the expected JSON") {
		t.Errorf("error %v", err)
	}
}

func TestConditionalAndIdempotentHeaders(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name        string
		call        func(c *Client) error
		method      string
		path        string
		wantIfMatch string // "" means no If-Match header at all
		wantKey     bool
	}{
		{"get sends neither", func(c *Client) error { _, err := c.GetApplication(ctx, "app_1"); return err }, "GET", "/api/v1/applications/app_1", "", false},
		{"create", func(c *Client) error { _, err := c.CreateApplication(ctx, appInput); return err }, "POST", "/api/v1/applications", "", true},
		{"replace", func(c *Client) error { _, err := c.ReplaceApplication(ctx, "app_1", `"e1"`, appInput); return err }, "PUT", "/api/v1/applications/app_1", `"e1"`, true},
		{"replace without etag is unconditional", func(c *Client) error { _, err := c.ReplaceApplication(ctx, "app_1", "", appInput); return err }, "PUT", "/api/v1/applications/app_1", "", true},
		{"patch", func(c *Client) error {
			_, err := c.PatchWorkflow(ctx, "wf_1", `"e2"`, api.WorkflowPatch{})
			return err
		}, "PATCH", "/api/v1/workflows/wf_1", `"e2"`, true},
		{"delete", func(c *Client) error { return c.DeleteWebhook(ctx, "whk_1", `"e3"`) }, "DELETE", "/api/v1/webhooks/whk_1", `"e3"`, true},
		{"delete without etag", func(c *Client) error { return c.DeleteUser(ctx, "usr_1", "") }, "DELETE", "/api/v1/users/usr_1", "", true},
		{"rotate secret", func(c *Client) error {
			_, err := c.RotateWebhookSecret(ctx, "whk_1", `"e4"`, api.RotateSecretRequest{})
			return err
		}, "POST", "/api/v1/webhooks/whk_1/rotate-secret", `"e4"`, true},
		{"put monitoring target", func(c *Client) error {
			_, err := c.PutMonitoringTarget(ctx, "wf_1", `"e5"`, api.MonitoringTargetInput{})
			return err
		}, "PUT", "/api/v1/workflows/wf_1/monitoring-target", `"e5"`, true},
		{"delete monitoring target", func(c *Client) error { return c.DeleteMonitoringTarget(ctx, "wf_1", `"e6"`) }, "DELETE", "/api/v1/workflows/wf_1/monitoring-target", `"e6"`, true},
		{"delete role assignment", func(c *Client) error { return c.DeleteRoleAssignment(ctx, "ra_1", `"e7"`) }, "DELETE", "/api/v1/role-assignments/ra_1", `"e7"`, true},
		{"delete classification policy", func(c *Client) error { return c.DeleteClassificationPolicy(ctx, "cls_1", `"e8"`) }, "DELETE", "/api/v1/classification-policies/cls_1", `"e8"`, true},
		{"delete integration", func(c *Client) error { return c.DeleteIntegration(ctx, "int_1", `"e9"`) }, "DELETE", "/api/v1/integrations/int_1", `"e9"`, true},
		{"trigger", func(c *Client) error { _, err := c.TriggerWorkflow(ctx, "wf_1", api.TriggerRequest{}); return err }, "POST", "/api/v1/workflows/wf_1/trigger", "", true},
		{"cancel", func(c *Client) error { _, err := c.CancelExecution(ctx, "exe_1"); return err }, "POST", "/api/v1/executions/exe_1/cancel", "", true},
		{"publish", func(c *Client) error {
			_, err := c.PublishEvent(ctx, api.EventInput{Type: "order.created"})
			return err
		}, "POST", "/api/v1/events", "", true},
		{"classify", func(c *Client) error { _, err := c.ClassifyRecord(ctx, api.ClassifyRequest{}); return err }, "POST", "/api/v1/classify", "", true},
		{"revoke access", func(c *Client) error {
			_, err := c.RevokeUserAccess(ctx, "usr_1", api.RevokeAccessRequest{})
			return err
		}, "POST", "/api/v1/users/usr_1/revoke-access", "", true},
		{"create token", func(c *Client) error { _, err := c.CreateAPIToken(ctx, api.APITokenInput{}); return err }, "POST", "/api/v1/api-tokens", "", true},
		{"delete token, whose contract lacks the parameter", func(c *Client) error { return c.DeleteAPIToken(ctx, "tok_1") }, "DELETE", "/api/v1/api-tokens/tok_1", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := newScripted(t, nil, step{status: 200, body: "{}"})
			for range 2 {
				if err := tc.call(c); err != nil {
					t.Fatalf("call: %v", err)
				}
			}
			seen := s.requests()
			if len(seen) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(seen))
			}
			r := seen[0]
			if r.method != tc.method || r.path != tc.path {
				t.Errorf("request %s %s, want %s %s", r.method, r.path, tc.method, tc.path)
			}
			if got, ok := r.header["If-Match"]; tc.wantIfMatch == "" && ok || tc.wantIfMatch != "" && (len(got) != 1 || got[0] != tc.wantIfMatch) {
				t.Errorf("If-Match %q, want %q", got, tc.wantIfMatch)
			}
			key := r.header.Get("Idempotency-Key")
			if !tc.wantKey {
				if key != "" {
					t.Errorf("Idempotency-Key %q on a read", key)
				}
				return
			}
			if _, err := uuid.Parse(key); err != nil {
				t.Errorf("Idempotency-Key %q is not a UUID", key)
			}
			if other := seen[1].header.Get("Idempotency-Key"); other == key {
				t.Errorf("two logical calls shared Idempotency-Key %q", key)
			}
		})
	}
}

func TestAuthAndUserAgentHeaders(t *testing.T) {
	cases := []struct {
		name    string
		ua      string
		apiKey  string
		wantUA  string
		wantAut string
	}{
		{"configured", UserAgent("0.1.0", "1.11.4"), "k-123", "terraform-provider-lowcode/0.1.0 (+https://registry.terraform.io/providers/lowcode-platform/lowcode) Terraform/1.11.4", "Bearer k-123"},
		{"defaults", "", "", "terraform-provider-lowcode/dev (+https://registry.terraform.io/providers/lowcode-platform/lowcode)", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := newScripted(t, func(c *Config) { c.UserAgent, c.APIKey = tc.ua, tc.apiKey },
				step{status: 503}, step{status: 200, body: `{"items":[],"next_page_token":""}`})
			if _, err := Collect(c.ListUsers(context.Background(), UserFilter{})); err != nil {
				t.Fatal(err)
			}
			for i, r := range s.requests() { // the retry too
				if got := r.header.Get("User-Agent"); got != tc.wantUA {
					t.Errorf("attempt %d: User-Agent %q, want %q", i+1, got, tc.wantUA)
				}
				if got := r.header.Get("Authorization"); got != tc.wantAut {
					t.Errorf("attempt %d: Authorization %q, want %q", i+1, got, tc.wantAut)
				}
			}
		})
	}
}

// pagedServer serves applications app_0 … app_{n-1} in pages, and fails the page at failAt
// (a 1-based page number) when it is set.
func pagedServer(t *testing.T, n, failAt int) (*httptest.Server, *script) {
	s := &script{t: t}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, recorded{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery})
		pageNo := len(s.seen)
		s.mu.Unlock()
		if pageNo == failAt {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(403)
			_, _ = io.WriteString(w, problem(403, "Forbidden", "no"))
			return
		}
		var size, start int
		_, _ = fmt.Sscan(r.URL.Query().Get("page_size"), &size)
		if tok := r.URL.Query().Get("page_token"); tok != "" {
			_, _ = fmt.Sscanf(tok, "from-%d", &start)
		}
		var p page[api.Application]
		for i := start; i < min(start+size, n); i++ {
			p.Items = append(p.Items, api.Application{ID: fmt.Sprintf("app_%d", i)})
		}
		if start+size < n {
			p.NextPageToken = fmt.Sprintf("from-%d", start+size)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func TestListIteratorWalksPages(t *testing.T) {
	cases := []struct {
		name      string
		items     int
		pageSize  int
		failAt    int
		stopAfter int // break out of the loop after this many items; 0: never
		wantIDs   int
		wantPages int
		wantErr   error
		wantQuery string // of the first request
	}{
		{name: "three pages", items: 7, pageSize: 3, wantIDs: 7, wantPages: 3, wantQuery: "page_size=3&environment=production"},
		{name: "default page size", items: 150, wantIDs: 150, wantPages: 2, wantQuery: "page_size=100&environment=production"},
		{name: "empty list", items: 0, pageSize: 3, wantIDs: 0, wantPages: 1},
		{name: "an error stops the walk", items: 7, pageSize: 3, failAt: 2, wantIDs: 3, wantPages: 2, wantErr: ErrForbidden},
		{name: "breaking out stops fetching", items: 7, pageSize: 3, stopAfter: 2, wantIDs: 2, wantPages: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, s := pagedServer(t, tc.items, tc.failAt)
			c, err := New(fastConfig(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			var errs []error
			for app, err := range c.ListApplications(context.Background(), ApplicationFilter{Environment: api.Production, PageSize: tc.pageSize}) {
				if err != nil {
					errs = append(errs, err)
					continue // the iterator must end by itself after an error
				}
				ids = append(ids, app.ID)
				if len(ids) == tc.stopAfter {
					break
				}
			}
			if len(ids) != tc.wantIDs {
				t.Errorf("got %d items, want %d", len(ids), tc.wantIDs)
			}
			for i, id := range ids {
				if id != fmt.Sprintf("app_%d", i) {
					t.Errorf("item %d is %s", i, id)
				}
			}
			seen := s.requests()
			if len(seen) != tc.wantPages {
				t.Errorf("fetched %d pages, want %d", len(seen), tc.wantPages)
			}
			if tc.wantQuery != "" && seen[0].query != tc.wantQuery {
				t.Errorf("first query %q, want %q", seen[0].query, tc.wantQuery)
			}
			switch {
			case tc.wantErr == nil && len(errs) > 0:
				t.Errorf("errors %v", errs)
			case tc.wantErr != nil && (len(errs) != 1 || !errors.Is(errs[0], tc.wantErr)):
				t.Errorf("errors %v, want one %v", errs, tc.wantErr)
			}
		})
	}
}

func TestCollect(t *testing.T) {
	srv, _ := pagedServer(t, 5, 0)
	c, err := New(fastConfig(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	apps, err := Collect(c.ListApplications(context.Background(), ApplicationFilter{PageSize: 2}))
	if err != nil || len(apps) != 5 {
		t.Fatalf("got %d apps, %v", len(apps), err)
	}

	srv, _ = pagedServer(t, 5, 2)
	c, _ = New(fastConfig(srv.URL))
	if apps, err := Collect(c.ListApplications(context.Background(), ApplicationFilter{PageSize: 2})); err == nil || apps != nil {
		t.Fatalf("got %v, %v; want only the error", apps, err)
	}
}

func TestRepeatedPageTokenEndsTheWalk(t *testing.T) {
	c, s := newScripted(t, nil, step{status: 200, body: `{"items":[{"id":"app_1"}],"next_page_token":"same"}`})
	_, err := Collect(c.ListApplications(context.Background(), ApplicationFilter{}))
	if err == nil || !strings.Contains(err.Error(), `page token "same" twice`) {
		t.Errorf("error %v", err)
	}
	if n := len(s.requests()); n != 2 {
		t.Errorf("fetched %d pages, want 2", n)
	}
}

// memLogger records what the client logs.
type memLogger struct {
	mu      sync.Mutex
	entries []string
	fields  []map[string]any
}

func (l *memLogger) add(level, msg string, fields map[string]any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, fmt.Sprintf("%s %s %v", level, msg, fields))
	l.fields = append(l.fields, fields)
}

func (l *memLogger) Debug(_ context.Context, msg string, f map[string]any) { l.add("DEBUG", msg, f) }
func (l *memLogger) Warn(_ context.Context, msg string, f map[string]any)  { l.add("WARN", msg, f) }

func TestLogsCarryNoSecrets(t *testing.T) {
	const (
		apiKey        = "lck_live_SUPERSECRETKEY"
		webhookSecret = "whsec_request-secret-0123456789abcdef"
		serverSecret  = "whsec_generated-secret-abcdef0123456789"
		tokenValue    = "lct_tokenvalue-abcdef0123456789"
	)
	log := &memLogger{}
	c, s := newScripted(t, func(c *Config) { c.APIKey, c.Logger = apiKey, log },
		step{status: 503, header: map[string]string{"X-Request-Id": "req-1"}},
		step{status: 201, header: map[string]string{"X-Request-Id": "req-2"}, body: `{"id":"whk_1","secret":"` + serverSecret + `","token":"` + tokenValue + `"}`})
	ctx := context.Background()
	secret := webhookSecret
	if _, err := c.CreateWebhook(ctx, api.WebhookInput{CallbackURL: "https://example.com/hook", EventTypes: []string{"order.created"}, Secret: &secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateAPIToken(ctx, api.APITokenInput{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.requests()[0].body, webhookSecret) || s.requests()[0].header.Get("Authorization") != "Bearer "+apiKey {
		t.Fatal("the test server did not receive the secrets, so this test proves nothing")
	}

	log.mu.Lock()
	defer log.mu.Unlock()
	all := strings.Join(log.entries, "\n")
	for _, secret := range []string{apiKey, "Bearer", webhookSecret, serverSecret, tokenValue} {
		if strings.Contains(all, secret) {
			t.Errorf("the logs contain %q:\n%s", secret, all)
		}
	}
	// And they do say what happened.
	if len(log.fields) != 3 {
		t.Fatalf("got %d log entries, want one per attempt (3):\n%s", len(log.fields), all)
	}
	want := []map[string]any{
		{"method": "POST", "path": "/api/v1/webhooks", "attempt": 1, "status": 503, "request_id": "req-1"},
		{"method": "POST", "path": "/api/v1/webhooks", "attempt": 2, "status": 201, "request_id": "req-2"},
		{"method": "POST", "path": "/api/v1/api-tokens", "attempt": 1, "status": 201},
	}
	for i, w := range want {
		for k, v := range w {
			if log.fields[i][k] != v {
				t.Errorf("entry %d: %s = %v, want %v", i, k, log.fields[i][k], v)
			}
		}
		if _, ok := log.fields[i]["duration_ms"]; !ok {
			t.Errorf("entry %d has no duration_ms", i)
		}
	}
	if !strings.HasPrefix(log.entries[0], "WARN platform API request failed, retrying") {
		t.Errorf("the retried attempt was logged as %q", log.entries[0])
	}
}

func TestNewValidatesEndpoint(t *testing.T) {
	cases := []struct {
		endpoint string
		want     string // the API base URL, or a part of the error
		ok       bool
	}{
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v1", true},
		{"https://lowcode.example.com/", "https://lowcode.example.com/api/v1", true},
		{"https://example.com/platform", "https://example.com/platform/api/v1", true},
		{"http://127.0.0.1:8080/api/v1/", "http://127.0.0.1:8080/api/v1", true},
		{"", "the endpoint is empty", false},
		{"127.0.0.1:8080", "expected an absolute http or https URL", false},
		{"localhost", "expected an absolute http or https URL", false},
		{"ftp://example.com", "the scheme must be http or https", false},
		{"http://", "it has no host", false},
		{"http://user:pw@example.com", "must not contain credentials", false},
		{"http://example.com/?x=1", "must not have a query", false},
		{"http://exa mple.com", "invalid endpoint", false},
	}
	for _, tc := range cases {
		t.Run(tc.endpoint, func(t *testing.T) {
			c, err := New(Config{Endpoint: tc.endpoint})
			switch {
			case tc.ok && err != nil:
				t.Fatalf("error %v", err)
			case tc.ok && c.Endpoint() != tc.want:
				t.Errorf("endpoint %q, want %q", c.Endpoint(), tc.want)
			case !tc.ok && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there any more: connection refused

	cases := []struct {
		name      string
		endpoint  string // instead of the scripted server
		steps     []step
		sentinel  error
		mentions  []string
		wantCalls int
	}{
		{name: "ok", steps: []step{{status: 200, body: `{"items":[],"next_page_token":""}`}}, wantCalls: 1},
		{name: "unreachable", endpoint: closed.URL, sentinel: ErrUnreachable, mentions: []string{closed.URL + "/api/v1", "connection refused", "`endpoint`", "LOWCODE_ENDPOINT", "running", "gave up after 2 attempts"}},
		{name: "rejected key", steps: []step{{status: 401, contype: "application/problem+json", body: problem(401, "Unauthorized", "unknown API key")}}, sentinel: ErrUnauthorized, mentions: []string{"rejected the API key", "unknown API key", "`api_key`", "LOWCODE_API_KEY"}, wantCalls: 1},
		{name: "not the platform", steps: []step{{status: 404, contype: "text/html", body: "<h1>nope</h1>"}}, sentinel: ErrNotFound, mentions: []string{"no platform API at", "`endpoint`"}, wantCalls: 1},
		{name: "a web page instead of the API", steps: []step{{status: 200, contype: "text/html", body: "<html>hello</html>"}}, mentions: []string{"not like the platform API", "`endpoint`"}, wantCalls: 1},
		{name: "smaller retry budget", steps: []step{{status: 503}}, mentions: []string{"HTTP 503"}, wantCalls: 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := newScripted(t, func(c *Config) {
				c.MaxRetries = 10
				if tc.endpoint != "" {
					c.Endpoint = tc.endpoint
				}
			}, tc.steps...)
			err := c.Verify(context.Background())
			if len(tc.mentions) == 0 && err != nil {
				t.Fatalf("error %v", err)
			}
			if len(tc.mentions) > 0 && err == nil {
				t.Fatal("no error")
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("error %v, want errors.Is %v", err, tc.sentinel)
			}
			if tc.sentinel != ErrUnreachable && errors.Is(err, ErrUnreachable) {
				t.Errorf("error %v claims the endpoint is unreachable", err)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if seen := s.requests(); tc.endpoint == "" {
				if len(seen) != tc.wantCalls {
					t.Errorf("server saw %d requests, want %d", len(seen), tc.wantCalls)
				}
				if seen[0].query != "page_size=1" || seen[0].header.Get("Authorization") == "" {
					t.Errorf("Verify sent %q with Authorization %q", seen[0].query, seen[0].header.Get("Authorization"))
				}
			}
		})
	}
}

// errOf keeps the table below to one line a call.
func errOf[T any](_ T, err error) error { return err }

// seqErr runs a list iterator to its end.
func seqErr[E any](seq iter.Seq2[E, error]) error { return errOf(Collect(seq)) }

// TestEveryOperationHitsItsPath guards the wiring of each typed method to its operation.
func TestEveryOperationHitsItsPath(t *testing.T) {
	ctx := context.Background()
	yes := true
	cases := []struct {
		call   func(c *Client) error
		method string
		path   string
		query  string
	}{
		{func(c *Client) error {
			return seqErr(c.ListWorkflows(ctx, WorkflowFilter{ApplicationID: "app_1", Enabled: &yes}))
		}, "GET", "/workflows", "page_size=100&application_id=app_1&enabled=true"},
		{func(c *Client) error { return errOf(c.CreateWorkflow(ctx, api.WorkflowInput{})) }, "POST", "/workflows", "id=wf_[0-9a-f]{32}"},
		{func(c *Client) error { return errOf(c.GetWorkflow(ctx, "wf_1")) }, "GET", "/workflows/wf_1", ""},
		{func(c *Client) error { return errOf(c.ReplaceWorkflow(ctx, "wf_1", "", api.WorkflowInput{})) }, "PUT", "/workflows/wf_1", ""},
		{func(c *Client) error { return c.DeleteWorkflow(ctx, "wf_1", "") }, "DELETE", "/workflows/wf_1", ""},
		{func(c *Client) error { return errOf(c.GetMonitoringTarget(ctx, "wf_1")) }, "GET", "/workflows/wf_1/monitoring-target", ""},
		{func(c *Client) error { return errOf(c.GetWorkflowMetrics(ctx, "wf_1", "1h")) }, "GET", "/workflows/wf_1/metrics", "window=1h"},
		{func(c *Client) error { return errOf(c.GetWorkflowMetrics(ctx, "wf_1", "")) }, "GET", "/workflows/wf_1/metrics", ""},
		{func(c *Client) error {
			return seqErr(c.ListExecutions(ctx, ExecutionFilter{Status: api.ExecutionStatusFailed}))
		}, "GET", "/executions", "page_size=100&status=failed"},
		{func(c *Client) error { return errOf(c.GetExecution(ctx, "exe_1")) }, "GET", "/executions/exe_1", ""},
		{func(c *Client) error { return errOf(c.ListEventTypes(ctx)) }, "GET", "/event-types", ""},
		{func(c *Client) error { return seqErr(c.ListWebhooks(ctx, WebhookFilter{EventType: "order.created"})) }, "GET", "/webhooks", "page_size=100&event_type=order.created"},
		{func(c *Client) error { return errOf(c.GetWebhook(ctx, "whk_1")) }, "GET", "/webhooks/whk_1", ""},
		{func(c *Client) error { return errOf(c.ReplaceWebhook(ctx, "whk_1", "", api.WebhookInput{})) }, "PUT", "/webhooks/whk_1", ""},
		{func(c *Client) error { return errOf(c.PatchWebhook(ctx, "whk_1", "", api.WebhookPatch{})) }, "PATCH", "/webhooks/whk_1", ""},
		{func(c *Client) error {
			return seqErr(c.ListWebhookDeliveries(ctx, "whk_1", DeliveryFilter{Status: api.DeliveryStatusFailed, PageSize: 5}))
		}, "GET", "/webhooks/whk_1/deliveries", "page_size=5&status=failed"},
		{func(c *Client) error { return seqErr(c.ListUsers(ctx, UserFilter{Email: "a@b.c"})) }, "GET", "/users", "page_size=100&email=a%40b.c"},
		{func(c *Client) error { return errOf(c.CreateUser(ctx, api.UserInput{})) }, "POST", "/users", "id=usr_[0-9a-f]{32}"},
		{func(c *Client) error { return errOf(c.GetUser(ctx, "usr_1")) }, "GET", "/users/usr_1", ""},
		{func(c *Client) error { return errOf(c.PatchUser(ctx, "usr_1", "", api.UserPatch{})) }, "PATCH", "/users/usr_1", ""},
		{func(c *Client) error { return errOf(c.GetUserAccess(ctx, "usr_1")) }, "GET", "/users/usr_1/access", ""},
		{func(c *Client) error {
			return seqErr(c.ListRoleAssignments(ctx, RoleAssignmentFilter{UserID: "usr_1", Role: api.Editor, ScopeType: api.ScopeTypeApplication, ScopeID: "app_1"}))
		}, "GET", "/role-assignments", "page_size=100&user_id=usr_1&role=editor&scope_type=application&scope_id=app_1"},
		{func(c *Client) error { return errOf(c.CreateRoleAssignment(ctx, api.RoleAssignmentInput{})) }, "POST", "/role-assignments", "id=ra_[0-9a-f]{32}"},
		{func(c *Client) error { return errOf(c.GetRoleAssignment(ctx, "ra_1")) }, "GET", "/role-assignments/ra_1", ""},
		{func(c *Client) error {
			return seqErr(c.ListClassificationPolicies(ctx, ClassificationPolicyFilter{Level: api.Restricted}))
		}, "GET", "/classification-policies", "page_size=100&level=restricted"},
		{func(c *Client) error {
			return errOf(c.CreateClassificationPolicy(ctx, api.ClassificationPolicyInput{}))
		}, "POST", "/classification-policies", "id=cls_[0-9a-f]{32}"},
		{func(c *Client) error { return errOf(c.GetClassificationPolicy(ctx, "cls_1")) }, "GET", "/classification-policies/cls_1", ""},
		{func(c *Client) error {
			return errOf(c.ReplaceClassificationPolicy(ctx, "cls_1", "", api.ClassificationPolicyInput{}))
		}, "PUT", "/classification-policies/cls_1", ""},
		{func(c *Client) error {
			return errOf(c.PatchClassificationPolicy(ctx, "cls_1", "", api.ClassificationPolicyPatch{}))
		}, "PATCH", "/classification-policies/cls_1", ""},
		{func(c *Client) error { return seqErr(c.ListIntegrations(ctx, IntegrationFilter{Name: "crm"})) }, "GET", "/integrations", "page_size=100&name=crm"},
		{func(c *Client) error { return errOf(c.CreateIntegration(ctx, api.IntegrationInput{})) }, "POST", "/integrations", "id=int_[0-9a-f]{32}"},
		{func(c *Client) error { return errOf(c.GetIntegration(ctx, "int_1")) }, "GET", "/integrations/int_1", ""},
		{func(c *Client) error { return errOf(c.ReplaceIntegration(ctx, "int_1", "", api.IntegrationInput{})) }, "PUT", "/integrations/int_1", ""},
		{func(c *Client) error { return errOf(c.PatchIntegration(ctx, "int_1", "", api.IntegrationPatch{})) }, "PATCH", "/integrations/int_1", ""},
		{func(c *Client) error { return errOf(c.PatchApplication(ctx, "app_1", "", api.ApplicationPatch{})) }, "PATCH", "/applications/app_1", ""},
		{func(c *Client) error { return c.DeleteApplication(ctx, "app_1", "") }, "DELETE", "/applications/app_1", ""},
		{func(c *Client) error {
			return seqErr(c.ListAuditEvents(ctx, AuditEventFilter{ActorID: "usr_1", ObjectID: "app_1", ObjectType: "application"}))
		}, "GET", "/audit-events", "page_size=100&actor_id=usr_1&object_id=app_1&object_type=application"},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			c, s := newScripted(t, nil, step{status: 200, body: `{"items":[],"next_page_token":""}`})
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			r := s.requests()[0]
			// query is a pattern: a create sends the id it chose (see create.go).
			if r.method != tc.method || r.path != "/api/v1"+tc.path || !regexp.MustCompile("^"+tc.query+"$").MatchString(r.query) {
				t.Errorf("sent %s %s?%s, want %s /api/v1%s?%s", r.method, r.path, r.query, tc.method, tc.path, tc.query)
			}
		})
	}
}

// Terraform reads and writes up to 10 objects at once: the client keeps its connections open
// between requests instead of opening a new one for most of them.
func TestConnectionsAreReused(t *testing.T) {
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"app_1","name":"a","environment":"production","version":"1.0.0","labels":{},"etag":"e","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(fastConfig(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 10, 30
	getConcurrently(t, c, workers, rounds)
	if n := opened.Load(); n > 2*workers {
		t.Errorf("%d requests, %d at a time, opened %d connections; want at most %d", workers*rounds, workers, n, 2*workers)
	}
}

// getConcurrently reads one application from workers goroutines, rounds times each, as
// Terraform's parallel refreshes do, failing the test on any error.
func getConcurrently(t *testing.T, c *Client, workers, rounds int) {
	t.Helper()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				if _, err := c.GetApplication(context.Background(), "app_1"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}
