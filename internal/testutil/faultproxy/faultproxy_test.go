package faultproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// backend counts the requests it served and answers each with its sequence number.
func backend(t *testing.T) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"n":` + strconv.FormatInt(n.Add(1), 10) + `}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// send posts one request and reports what the client saw.
func send(t *testing.T, c *http.Client, url string) (status int, retryAfter string, err error) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/api/v1/things", strings.NewReader(`{}`))
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	_, _ = io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), nil
}

// noKeepAlive makes every request a new connection, so a dropped one is never retried by the
// transport itself and each request is exactly one proxy decision.
func noKeepAlive() *http.Client {
	return &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
}

func TestFaultsAreInjectedAsPlanned(t *testing.T) {
	srv, served := backend(t)
	var mu sync.Mutex
	var undelivered, delivered int
	p := Start(t, srv.URL, Config{Seed: 42, FaultRate: 0.6, SlowRetryAfter: 0.5, MaxLatency: 2 * time.Millisecond,
		OnResponse: func(_ *http.Request, status int, body []byte, ok bool) {
			mu.Lock()
			defer mu.Unlock()
			if status != http.StatusOK || !strings.HasPrefix(string(body), `{"n":`) {
				t.Errorf("OnResponse got %d %s", status, body)
			}
			if ok {
				delivered++
			} else {
				undelivered++
			}
		}})
	c := noKeepAlive()
	var ok, tooMany, unavailable, dropped int
	retryAfters := map[string]int{}
	for range 300 {
		status, ra, err := send(t, c, p.URL)
		switch {
		case err != nil:
			dropped++
		case status == http.StatusOK:
			ok++
		case status == http.StatusTooManyRequests:
			tooMany++
			retryAfters[ra]++
		case status == http.StatusServiceUnavailable:
			unavailable++
			if ra != "" {
				t.Errorf("503 carries Retry-After %q; the client's backoff should apply", ra)
			}
		default:
			t.Fatalf("unexpected status %d", status)
		}
	}
	st := p.Stats()
	t.Logf("client saw %d ok, %d×429, %d×503, %d dropped; proxy: %s", ok, tooMany, unavailable, dropped, st)
	if st.Requests != 300 || st.TooManyRequests != tooMany || st.Unavailable != unavailable || st.Dropped != dropped {
		t.Errorf("stats %+v disagree with what the client saw", st)
	}
	// A dropped request still reached the server: it committed, the client never heard.
	if got := served.Load(); got != int64(ok+dropped) || st.Forwarded != ok+dropped {
		t.Errorf("server served %d, proxy forwarded %d; want %d (passed + dropped after commit)", got, st.Forwarded, ok+dropped)
	}
	if undelivered != dropped || delivered != ok {
		t.Errorf("OnResponse saw %d delivered and %d undelivered, want %d and %d", delivered, undelivered, ok, dropped)
	}
	// About 60% faults, split evenly three ways: loose bounds, the plan is seeded anyway.
	for name, n := range map[string]int{"429": tooMany, "503": unavailable, "drop": dropped} {
		if n < 30 || n > 90 {
			t.Errorf("%s injected %d times out of 300 at rate 0.6, want about 60", name, n)
		}
	}
	if retryAfters["0"] == 0 || retryAfters["1"] == 0 || retryAfters["0"]+retryAfters["1"] != tooMany {
		t.Errorf("Retry-After values %v: want both 0 and 1 and nothing else", retryAfters)
	}
}

func TestSamePlanForSameSeed(t *testing.T) {
	srv, _ := backend(t)
	run := func(seed uint64) string {
		p := Start(t, srv.URL, Config{Seed: seed, FaultRate: 0.5})
		c := noKeepAlive()
		var b strings.Builder
		for range 60 {
			status, _, err := send(t, c, p.URL)
			if err != nil {
				b.WriteString("x")
			} else {
				b.WriteString(strconv.Itoa(status)[:1])
			}
		}
		return b.String()
	}
	a, b, other := run(7), run(7), run(8)
	if a != b {
		t.Errorf("same seed, different plans:\n%s\n%s", a, b)
	}
	if a == other {
		t.Errorf("seeds 7 and 8 gave the same plan %s", a)
	}
}

func TestDisabledAndIneligiblePass(t *testing.T) {
	srv, _ := backend(t)
	p := Start(t, srv.URL, Config{Seed: 1, FaultRate: 1,
		Eligible: func(r *http.Request) bool { return r.URL.Query().Get("fault") == "yes" }})
	c := noKeepAlive()
	get := func(q string) int {
		resp, err := c.Get(p.URL + "/api/v1/x?" + q)
		if err != nil {
			return -1
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := get("fault=no"); s != http.StatusOK {
		t.Errorf("ineligible request answered %d, want 200", s)
	}
	if s := get("fault=yes"); s == http.StatusOK {
		t.Errorf("eligible request at rate 1 passed")
	}
	p.SetEnabled(false)
	if s := get("fault=yes"); s != http.StatusOK {
		t.Errorf("request with faults disabled answered %d, want 200", s)
	}
}

func TestRepeatedKeysAndUpstreamErrors(t *testing.T) {
	srv, _ := backend(t)
	p := Start(t, srv.URL, Config{Seed: 1})
	c := noKeepAlive()
	for range 3 {
		req, _ := http.NewRequest(http.MethodPost, p.URL+"/api/v1/x", strings.NewReader(`{}`))
		req.Header.Set("Idempotency-Key", "k1")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if st := p.Stats(); st.RepeatedKeys != 2 {
		t.Errorf("RepeatedKeys = %d, want 2", st.RepeatedKeys)
	}
	srv.Close()
	resp, err := c.Get(p.URL + "/api/v1/x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway || p.Stats().UpstreamErrors != 1 {
		t.Errorf("with the server down: status %d, stats %+v; want 502 and one upstream error", resp.StatusCode, p.Stats())
	}
}

func TestFaultString(t *testing.T) {
	for f, want := range map[Fault]string{Pass: "pass", TooManyRequests: "429", Unavailable: "503", DropAfterCommit: "drop-after-commit", 9: "Fault(9)"} {
		if got := f.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int(f), got, want)
		}
	}
}

// outcomes sends n requests through p and spells what the client saw, one character a
// request: the status's first digit, or x for a dropped connection.
func outcomes(t *testing.T, p *Proxy, n int) string {
	t.Helper()
	c := noKeepAlive()
	var b strings.Builder
	for range n {
		status, _, err := send(t, c, p.URL)
		if err != nil {
			b.WriteString("x")
		} else {
			b.WriteString(strconv.Itoa(status)[:1])
		}
	}
	return b.String()
}

func TestDecideOverridesThePlan(t *testing.T) {
	srv, _ := backend(t)
	// at decides the listed requests (numbered from 1) and leaves the others to the plan.
	at := func(faults map[int]Fault) func(int, *http.Request) (Fault, bool) {
		return func(n int, _ *http.Request) (Fault, bool) {
			f, ok := faults[n]
			return f, ok
		}
	}
	const requests = 40
	cases := []struct {
		name     string
		cfg      Config
		disabled bool
		// want is what the client should see, given plan: what it sees from the same Seed and
		// FaultRate without Decide.
		want func(plan string) string
	}{
		{
			name: "alone, without a random plan",
			cfg:  Config{Decide: at(map[int]Fault{2: DropAfterCommit, 3: Unavailable, 4: TooManyRequests})},
			want: func(string) string { return "2x54" + strings.Repeat("2", requests-4) },
		},
		{
			name: "pass beats a certain fault",
			cfg:  Config{FaultRate: 1, Decide: func(int, *http.Request) (Fault, bool) { return Pass, true }},
			want: func(string) string { return strings.Repeat("2", requests) },
		},
		{
			name: "undecided requests follow the plan",
			cfg:  Config{Seed: 7, FaultRate: 0.5, Decide: func(int, *http.Request) (Fault, bool) { return Pass, false }},
			want: func(plan string) string { return plan },
		},
		{
			name: "deciding some does not shift the plan for the others",
			cfg:  Config{Seed: 7, FaultRate: 0.5, Decide: at(map[int]Fault{1: DropAfterCommit, 10: Pass, 11: Pass})},
			want: func(plan string) string { return "x" + plan[1:9] + "22" + plan[11:] },
		},
		{
			name:     "disabled",
			cfg:      Config{Decide: at(map[int]Fault{1: DropAfterCommit, 2: Unavailable})},
			disabled: true,
			want:     func(string) string { return strings.Repeat("2", requests) },
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			plan := outcomes(t, Start(t, srv.URL, Config{Seed: tc.cfg.Seed, FaultRate: tc.cfg.FaultRate}), requests)
			if tc.cfg.FaultRate > 0 && !strings.ContainsAny(plan, "45x") {
				t.Fatalf("the plan %s has no faults to keep in place", plan)
			}
			var seen []int
			decide := tc.cfg.Decide
			tc.cfg.Decide = func(n int, r *http.Request) (Fault, bool) {
				seen = append(seen, n)
				return decide(n, r)
			}
			p := Start(t, srv.URL, tc.cfg)
			p.SetEnabled(!tc.disabled)
			got, want := outcomes(t, p, requests), tc.want(plan)
			if got != want {
				t.Errorf("client saw\n%s\nwant\n%s\n(plan without Decide: %s)", got, want, plan)
			}
			if st := p.Stats(); st.Dropped != strings.Count(got, "x") || st.Requests != requests {
				t.Errorf("stats %s disagree with what the client saw, %s", st, got)
			}
			if tc.disabled {
				if len(seen) != 0 {
					t.Errorf("Decide was asked about %v with faults disabled", seen)
				}
				return
			}
			for i, n := range seen {
				if n != i+1 {
					t.Fatalf("Decide saw request numbers %v, want 1 to %d in order", seen, requests)
				}
			}
			if len(seen) != requests {
				t.Errorf("Decide saw %d requests, want %d", len(seen), requests)
			}
		})
	}
}
