// Package integrations_test runs the integration examples against a real platform: each
// language's client triggers a workflow, follows the execution and registers a webhook, and
// each language's receiver gets the platform's signed deliveries of order.created and
// customer.updated, and refuses tampered and replayed ones.
package integrations_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/rules/signing"
)

// language is how to run one language's client and receiver; missing says why it cannot run
// on this machine.
type language struct {
	name     string
	client   []string
	receiver []string
	missing  string
}

func TestIntegrationExamples(t *testing.T) {
	langs := []language{goExamples(t), pythonExamples(t)}
	inst := platformtest.Start(t)
	wfID := orderFulfillment(t, inst)

	for _, lang := range langs {
		t.Run(lang.name, func(t *testing.T) {
			if lang.missing != "" {
				// Under CI=true every example must run (.ci/run installs python3).
				if os.Getenv("CI") == "true" {
					t.Fatal(lang.missing + "; CI must run every example")
				}
				t.Skip(lang.missing + "; skipping these examples outside CI")
			}
			secret := signing.GenerateSecret()
			recv := start(t, lang.receiver, []string{"WEBHOOK_SECRET=" + secret}, "--listen", "127.0.0.1:0")
			recvURL := strings.TrimPrefix(recv.waitFor(t, "listening on "), "listening on ")
			env := []string{"LOWCODE_ENDPOINT=" + inst.URL, "LOWCODE_API_KEY=" + inst.OwnerKey, "WEBHOOK_SECRET=" + secret}
			callback := recvURL + "/webhooks/lowcode"

			// An order within the limit: the client triggers, follows it to the end and registers
			// the webhook.
			out, code := run(t, lang.client, env, flag(lang, "workflow"), wfID,
				flag(lang, "input"), `{"order_id":"ord-1001","amount":250,"customer":{"email":"jane@example.com"}}`,
				flag(lang, "callback-url"), callback, flag(lang, "events"), "order.created,customer.updated")
			if code != 0 {
				t.Fatalf("the client exited %d:\n%s", code, out)
			}
			exeID := field(t, out, "triggered workflow "+wfID+": execution ", " ")
			wantLines(t, out, "execution "+exeID+" succeeded", `"total":300`, "registered webhook whk_")
			exe := must(inst.Client.GetExecutionWithResponse(context.Background(), exeID)).JSON200
			if exe == nil || exe.Status != api.ExecutionStatusSucceeded || (*exe.Output)["total"] != 300.0 {
				t.Fatalf("the platform's record of %s: %+v", exeID, exe)
			}
			hookID := field(t, out, "registered webhook ", " ")
			hook := must(inst.Client.GetWebhookWithResponse(context.Background(), hookID)).JSON200
			if hook == nil || hook.CallbackURL != callback || strings.Join(hook.EventTypes, ",") != "order.created,customer.updated" {
				t.Fatalf("the platform's record of webhook %s: %+v", hookID, hook)
			}

			// An order over the limit: the client reports the validate step's message and exits 1.
			out, code = run(t, lang.client, env, flag(lang, "workflow"), wfID, flag(lang, "input"), `{"order_id":"ord-1002","amount":15000}`)
			if code != 1 {
				t.Fatalf("the client exited %d for a failing execution, want 1:\n%s", code, out)
			}
			wantLines(t, out, "failed: Amount exceeds limit")

			// The platform delivers both events to the receiver, signed with the secret.
			publish(t, inst, "order.created", map[string]any{"order_id": "ord-1003", "amount": 120})
			publish(t, inst, "customer.updated", map[string]any{"customer_id": "cus-42", "email": "jane@example.com"})
			recv.waitFor(t, "order.created: order ord-1003 handed to order processing")
			recv.waitFor(t, "customer.updated: customer cus-42 synced to the CRM")

			// Deliveries that did not come from the platform, or not now.
			body := []byte(`{"type":"order.created","timestamp":"2026-03-02T09:20:00Z","data":{"order_id":"ord-2001"},"event_id":"evt_x"}`)
			now := time.Now()
			cases := []struct {
				name       string
				id         string
				signedAt   time.Time
				body       []byte
				sent       []byte
				wantStatus int
				wantLine   string
			}{
				{"signed delivery", "msg_fresh", now, body, body, http.StatusOK, "order.created: order ord-2001 handed to order processing (delivery msg_fresh)"},
				{"tampered body", "msg_tampered", now, body, bytes.Replace(body, []byte("ord-2001"), []byte("ord-6666"), 1), http.StatusUnauthorized, "rejected delivery msg_tampered"},
				{"replayed 10 minutes later", "msg_old", now.Add(-10 * time.Minute), body, body, http.StatusUnauthorized, "rejected delivery msg_old"},
				{"replayed id", "msg_fresh", now, body, body, http.StatusOK, "duplicate delivery msg_fresh"},
				{"wrong secret", "msg_forged", now, body, body, http.StatusUnauthorized, "rejected delivery msg_forged"},
			}
			for _, tc := range cases {
				key := secret
				if tc.name == "wrong secret" {
					key = signing.GenerateSecret()
				}
				h, err := signing.Headers([]string{key}, tc.id, tc.signedAt, tc.body)
				if err != nil {
					t.Fatal(err)
				}
				if got := deliver(t, callback, h, tc.sent); got != tc.wantStatus {
					t.Errorf("%s: the receiver answered %d, want %d", tc.name, got, tc.wantStatus)
				}
				recv.waitFor(t, tc.wantLine)
			}
			if n := recv.count("order ord-2001 handed"); n != 1 {
				t.Errorf("order ord-2001 was handled %d times, want once:\n%s", n, recv.output())
			}
			if n := recv.count("ord-6666"); n != 0 {
				t.Errorf("the tampered order was handled:\n%s", recv.output())
			}
		})
	}
}

// orderFulfillment creates the source document's order-management application and a workflow
// that refuses orders over 10000 and prices the rest.
func orderFulfillment(t *testing.T, inst *platformtest.Instance) string {
	t.Helper()
	ctx := context.Background()
	app := must(inst.Client.CreateApplicationWithResponse(ctx, &api.CreateApplicationParams{},
		api.ApplicationInput{Name: "order-management", Environment: api.Production, Version: "2.3.0"}))
	if app.JSON201 == nil {
		t.Fatalf("creating the application: %d %s", app.StatusCode(), app.Body)
	}
	steps := []api.WorkflowStep{
		{Name: "check-amount", Type: api.Validate, Validate: &api.ValidateStep{Expression: "amount <= 10000", Message: "Amount exceeds limit"}},
		{Name: "price", Type: api.Transform, Transform: &api.TransformStep{Set: []api.TransformAssignment{{Field: "total", Expression: "amount * 1.2"}}}},
	}
	wf := must(inst.Client.CreateWorkflowWithResponse(ctx, &api.CreateWorkflowParams{}, api.WorkflowInput{
		ApplicationID: app.JSON201.ID, Name: "order-fulfillment", Version: "1.5.2",
		Trigger: api.WorkflowTrigger{Type: api.TriggerTypeManual}, Steps: steps}))
	if wf.JSON201 == nil {
		t.Fatalf("creating the workflow: %d %s", wf.StatusCode(), wf.Body)
	}
	return wf.JSON201.ID
}

func publish(t *testing.T, inst *platformtest.Instance, eventType string, data map[string]any) {
	t.Helper()
	resp := must(inst.Client.PublishEventWithResponse(context.Background(), &api.PublishEventParams{}, api.EventInput{Type: eventType, Data: &data}))
	if resp.JSON202 == nil || len(resp.JSON202.DeliveryIds) == 0 {
		t.Fatalf("publishing %s: %d %s", eventType, resp.StatusCode(), resp.Body)
	}
}

func deliver(t *testing.T, url string, h http.Header, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("delivering to %s: %v", url, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// goExamples builds the Go client and receiver.
func goExamples(t *testing.T) language {
	t.Helper()
	dir := t.TempDir()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("go is not on PATH")
	}
	for _, prog := range []string{"client", "receiver"} {
		cmd := exec.Command(goCmd, "build", "-o", filepath.Join(dir, prog), "./go/"+prog)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("building the Go %s: %v\n%s", prog, err, out)
		}
	}
	return language{name: "go", client: []string{filepath.Join(dir, "client")}, receiver: []string{filepath.Join(dir, "receiver")}}
}

// pythonExamples runs the Python scripts with Debian's python3 (standard library only), or the
// python3 on PATH when there is none.
func pythonExamples(t *testing.T) language {
	t.Helper()
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		if python, err = exec.LookPath("python3"); err != nil {
			return language{name: "python", missing: "python3 is not installed (apt-get install python3)"}
		}
	}
	return language{name: "python", client: []string{python, "python/client.py"}, receiver: []string{python, "-u", "python/receiver.py"}}
}

// flag spells a flag as the language's example takes it: -name for Go, --name for Python.
func flag(lang language, name string) string {
	if lang.name == "go" {
		return "-" + name
	}
	return "--" + name
}

// run runs an example to its end (at most 2 minutes) and returns its output and exit code.
func run(t *testing.T, argv, env []string, args ...string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], args...)...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("%s did not finish within 2 minutes:\n%s", strings.Join(argv, " "), out)
	}
	var exit *exec.ExitError
	if err != nil && !asExit(err, &exit) {
		t.Fatalf("running %s: %v", strings.Join(argv, " "), err)
	}
	if exit != nil {
		return string(out), exit.ExitCode()
	}
	return string(out), 0
}

func asExit(err error, exit **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError) //nolint:errorlint // exec returns it unwrapped
	*exit = e
	return ok
}

// process is a running receiver whose output lines are collected.
type process struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func start(t *testing.T, argv, env []string, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, argv[0], append(argv[1:], args...)...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", strings.Join(argv, " "), err)
	}
	p := &process{added: make(chan struct{}, 1)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.added <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		<-done
	})
	return p
}

// waitFor returns the first line containing s, failing the test after 30 s.
func (p *process) waitFor(t *testing.T, s string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		p.mu.Lock()
		for _, l := range p.lines {
			if strings.Contains(l, s) {
				p.mu.Unlock()
				return l
			}
		}
		p.mu.Unlock()
		select {
		case <-p.added:
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatalf("the receiver did not print %q within 30 s; it printed:\n%s", s, p.output())
		}
	}
}

func (p *process) count(s string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

func (p *process) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func wantLines(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("the client's output lacks %q:\n%s", w, out)
		}
	}
}

// field returns the word of out that follows prefix, up to sep.
func field(t *testing.T, out, prefix, sep string) string {
	t.Helper()
	_, rest, ok := strings.Cut(out, prefix)
	if !ok {
		t.Fatalf("the client's output lacks %q:\n%s", prefix, out)
	}
	v, _, _ := strings.Cut(rest, sep)
	v, _, _ = strings.Cut(v, "\n")
	return strings.TrimSpace(v)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("API call failed: %v", err))
	}
	return v
}
