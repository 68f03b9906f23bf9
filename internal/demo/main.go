// Command demo is `make demo`: it builds the provider and the platform server, starts the
// server on a fresh SQLite database, applies examples/demo with the freshly built provider,
// and walks through what the provider is for: a clean second plan, drift made behind
// Terraform's back and caught by the next plan, and an order flowing through the workflow to
// the CRM and out as a signed webhook. It leaves nothing running and exits non-zero on any
// failure.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "receive" {
		if err := receive(os.Args[2:]); err != nil {
			fmt.Fprintf(os.Stderr, "receive: %v\n", err)
			os.Exit(1)
		}
		return
	}
	start := time.Now()
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "\n%sdemo failed:%s %v\n", red, reset, err)
		os.Exit(1)
	}
	fmt.Printf("\n%sThe demo finished in %s; nothing is left running.%s\n", bold, time.Since(start).Round(time.Second), reset)
}

var (
	bold, dim, green, red, reset = "\033[1m", "\033[2m", "\033[32m", "\033[31m", "\033[0m"
	stepNo                       int
)

func init() {
	if fi, err := os.Stdout.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 || os.Getenv("NO_COLOR") != "" {
		bold, dim, green, red, reset = "", "", "", "", ""
	}
}

func step(title string) {
	stepNo++
	fmt.Printf("\n%s== %d. %s%s\n", bold, stepNo, title, reset)
}

func say(format string, args ...any) { fmt.Printf("   "+format+"\n", args...) }

func ok(format string, args ...any) {
	fmt.Printf("   %s✓%s "+format+"\n", append([]any{green, reset}, args...)...)
}

func run() error {
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(root, "examples", "demo", "main.tf")); err != nil {
		return errors.New("run the demo from the repository root (make demo)")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return errors.New("terraform is not on PATH; install Terraform 1.11 or newer")
	}
	work, err := os.MkdirTemp("", "lowcode-demo-")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if keep {
			fmt.Printf("   %sthe demo's files are kept in %s%s\n", dim, work, reset)
			return
		}
		_ = os.RemoveAll(work)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	step("Building the provider and the platform server")
	bin := filepath.Join(work, "bin")
	for _, b := range []struct{ out, pkg string }{
		{"terraform-provider-lowcode", "."},
		{"lowcode-platform", "./internal/platform/cmd/lowcode-platform"},
	} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(bin, b.out), b.pkg)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s: %w", b.pkg, err)
		}
	}
	ok("built into %s", bin)

	recv, err := startReceiver("127.0.0.1:0")
	if err != nil {
		return err
	}
	defer recv.close()

	step("Starting the platform on a fresh SQLite database")
	apiKey := "lck_demo_" + randomHex(16)
	platform, err := startPlatform(ctx, bin, work, apiKey)
	if err != nil {
		keep = true
		return err
	}
	defer platform.stop()
	ok("lowcode-platform is listening on %s (database %s)", platform.url, filepath.Join(work, "platform.db"))
	say("%sthe CRM and the webhook receiver of this demo listen on %s%s", dim, recv.url, reset)

	c, err := client.New(client.Config{Endpoint: platform.url, APIKey: apiKey})
	if err != nil {
		return err
	}

	tfDir := filepath.Join(work, "terraform")
	if err := os.MkdirAll(tfDir, 0o755); err != nil {
		return err
	}
	mainTF, err := os.ReadFile(filepath.Join(root, "examples", "demo", "main.tf"))
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tfDir, "main.tf"), mainTF, 0o644); err != nil {
		return err
	}
	cliConfig := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte(fmt.Sprintf(`provider_installation {
  dev_overrides {
    "lowcode-platform/lowcode" = %q
  }
  direct {}
}
`, bin)), 0o600); err != nil {
		return err
	}
	terraform := func(show bool, args ...string) (string, int, error) {
		cmd := exec.CommandContext(ctx, tf, args...)
		cmd.Dir = tfDir
		cmd.Env = append(os.Environ(),
			"TF_CLI_CONFIG_FILE="+cliConfig, // never the user's own CLI configuration
			"TF_VAR_endpoint="+platform.url, "TF_VAR_api_key="+apiKey, "TF_VAR_receiver_url="+recv.url,
			"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1")
		var out strings.Builder
		if show {
			cmd.Stdout = io.MultiWriter(os.Stdout, &out)
		} else {
			cmd.Stdout = &out
		}
		cmd.Stderr = os.Stderr
		err := cmd.Run()
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			return out.String(), exitErr.ExitCode(), nil
		}
		return out.String(), 0, err
	}
	mustTerraform := func(show bool, args ...string) (string, error) {
		out, code, err := terraform(show, args...)
		if err == nil && code != 0 {
			err = fmt.Errorf("terraform %s exited with %d", args[0], code)
		}
		return out, err
	}

	step("terraform apply: the order-management system of the source document")
	if _, err := mustTerraform(true, "apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}

	step("A second plan: nothing to change")
	if _, code, err := terraform(false, "plan", "-detailed-exitcode", "-input=false"); err != nil {
		return fmt.Errorf("the second plan: %w", err)
	} else if code != 0 {
		return fmt.Errorf("the second plan was not empty (exit code %d)", code)
	}
	ok("terraform plan -detailed-exitcode: 0, no changes: Read is exact, nothing drifts by itself")

	var outputs struct {
		ApplicationID struct{ Value string } `json:"application_id"`
		Workflow      struct {
			Value struct{ ID string } `json:"value"`
		} `json:"workflow"`
		OrderSecret    struct{ Value string } `json:"order_events_secret"`
		CustomerSecret struct{ Value string } `json:"customer_updates_secret"`
	}
	raw, err := mustTerraform(false, "output", "-json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(raw), &outputs); err != nil {
		return fmt.Errorf("reading terraform outputs: %w", err)
	}
	appID, workflowID := outputs.ApplicationID.Value, outputs.Workflow.Value.ID

	step("Someone changes the application behind Terraform's back")
	app, err := c.GetApplication(ctx, appID)
	if err != nil {
		return err
	}
	if _, err := c.PatchApplication(ctx, appID, app.Etag, api.ApplicationPatch{Version: ptr("2.3.1-hotfix")}); err != nil {
		return err
	}
	say("PATCH /api/v1/applications/%s {\"version\": \"2.3.1-hotfix\"} (straight to the API, not through Terraform)", appID)
	planOut, code, err := terraform(false, "plan", "-detailed-exitcode", "-input=false", "-no-color")
	if err != nil {
		return fmt.Errorf("the plan after the change: %w", err)
	}
	if code != 2 {
		return fmt.Errorf("the plan did not detect the change (exit code %d)", code)
	}
	ok("terraform plan detects the drift and plans to put it back:")
	for _, line := range strings.Split(planOut, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "~ version") || strings.HasPrefix(t, "# lowcode_application") || strings.HasPrefix(t, "Plan:") {
			say("   %s", t)
		}
	}
	if _, err := mustTerraform(false, "apply", "-auto-approve", "-input=false"); err != nil {
		return err
	}
	app, err = c.GetApplication(ctx, appID)
	if err != nil {
		return err
	}
	ok("terraform apply restored version %s", app.Version)

	step("An order arrives: order.created is published")
	recv.setSecrets(outputs.OrderSecret.Value, outputs.CustomerSecret.Value)
	order := map[string]any{"order_id": "ord-1001", "amount": 250, "customer": map[string]any{"email": "jane@example.com"},
		"card_number": "4111111111111111"}
	evt, err := c.PublishEvent(ctx, api.EventInput{Type: "order.created", ApplicationID: &appID, Data: &order})
	if err != nil {
		return err
	}
	say("POST /api/v1/events {type: order.created, data: %s} → event %s", compactJSON(order), evt.ID)
	exe, err := waitForExecution(ctx, c, workflowID, evt.ID)
	if err != nil {
		return err
	}
	if exe.Status != api.ExecutionStatusSucceeded {
		return fmt.Errorf("execution %s %s: %s", exe.ID, exe.Status, deref(exe.Error))
	}
	ok("execution %s %s in %d ms", exe.ID, exe.Status, deref(exe.DurationMs))
	for _, s := range exe.Steps {
		say("   step %-12s %-9s %s", s.Name, s.Type, s.Status)
	}
	if exe.Output != nil {
		say("   output: total=%v status=%v crm=%s", (*exe.Output)["total"], (*exe.Output)["status"], compactJSON((*exe.Output)["crm"]))
	}
	crm, err := recv.waitCRM(ctx)
	if err != nil {
		return err
	}
	ok("the CRM received the order: %s", crm)
	for _, want := range []string{"order.created", "order.fulfilled"} {
		d, err := recv.waitDelivery(ctx, want)
		if err != nil {
			return err
		}
		ok("webhook %s delivered: webhook-id %s, signature verified with the Standard Webhooks library", want, d.id)
		say("   %swebhook-signature: %s%s", dim, d.signature, reset)
	}

	step("Who may see the card number: classification at work")
	say("the order's card_number matches the restricted policy (need-to-know); alice edits the application,")
	say("bob only views the workflow but holds the need-to-know grant for restricted data")
	for _, who := range []string{"alice@example.com", "bob@example.com"} {
		view, err := executionAs(ctx, c, platform.url, who, exe.ID)
		if err != nil {
			return err
		}
		ok("%-18s sees card_number = %v (masked fields: %v)", who, view.Input["card_number"], deref(view.RedactedFields))
	}

	step("An order over the limit")
	big := map[string]any{"order_id": "ord-1002", "amount": 15000, "customer": map[string]any{"email": "max@example.com"}}
	evt, err = c.PublishEvent(ctx, api.EventInput{Type: "order.created", ApplicationID: &appID, Data: &big})
	if err != nil {
		return err
	}
	exe, err = waitForExecution(ctx, c, workflowID, evt.ID)
	if err != nil {
		return err
	}
	if exe.Status != api.ExecutionStatusFailed {
		return fmt.Errorf("the execution of an order of 15000 ended %s; it should fail validation", exe.Status)
	}
	ok("execution %s failed as it should: %s", exe.ID, deref(exe.Error))

	step("Stopping the platform")
	platform.stop()
	ok("stopped; the demo's temporary directory is removed")
	return nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// executionAs reads an execution with a short-lived token of the user with this email, which
// the owner issues for them.
func executionAs(ctx context.Context, owner *client.Client, endpoint, email, executionID string) (*api.Execution, error) {
	var userID string
	for u, err := range owner.ListUsers(ctx, client.UserFilter{Email: email}) {
		if err != nil {
			return nil, err
		}
		userID = u.ID
	}
	if userID == "" {
		return nil, fmt.Errorf("no user %s", email)
	}
	ttl := 300
	tok, err := owner.CreateAPIToken(ctx, api.APITokenInput{UserID: &userID, TTLSeconds: &ttl, Description: ptr("demo: read as " + email)})
	if err != nil {
		return nil, err
	}
	defer func() { _ = owner.DeleteAPIToken(ctx, tok.ID) }()
	as, err := client.New(client.Config{Endpoint: endpoint, APIKey: tok.Token})
	if err != nil {
		return nil, err
	}
	return as.GetExecution(ctx, executionID)
}

// waitForExecution waits for the execution the event started to finish.
func waitForExecution(ctx context.Context, c *client.Client, workflowID, eventID string) (*api.Execution, error) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for e, err := range c.ListExecutions(ctx, client.ExecutionFilter{WorkflowID: workflowID}) {
			if err != nil {
				return nil, err
			}
			if deref(e.EventID) != eventID {
				continue
			}
			switch e.Status {
			case api.ExecutionStatusSucceeded, api.ExecutionStatusFailed, api.ExecutionStatusCanceled:
				return &e, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, fmt.Errorf("no finished execution of workflow %s for event %s after 30 s", workflowID, eventID)
}

type platformProcess struct {
	url  string
	cmd  *exec.Cmd
	log  *os.File
	once sync.Once
	done chan struct{}
}

func startPlatform(ctx context.Context, bin, work, apiKey string) (*platformProcess, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	logFile, err := os.Create(filepath.Join(work, "platform.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(filepath.Join(bin, "lowcode-platform"), "serve", "--listen", addr,
		"--database", "sqlite://"+filepath.Join(work, "platform.db"),
		"--bootstrap-key-file", filepath.Join(work, "bootstrap-key"),
		"--allow-loopback-callbacks")
	cmd.Env = append(os.Environ(), "LOWCODE_BOOTSTRAP_API_KEY="+apiKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &platformProcess{url: "http://" + addr, cmd: cmd, log: logFile, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(p.done) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			b, _ := os.ReadFile(logFile.Name())
			return nil, fmt.Errorf("lowcode-platform exited at start:\n%s", b)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		default:
		}
		resp, err := http.Get(p.url + "/readyz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	p.stop()
	return nil, errors.New("lowcode-platform did not become ready within 20 s")
}

// stop asks the server to shut down gracefully, and kills it if it does not within 10 s.
func (p *platformProcess) stop() {
	p.once.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		_ = p.log.Close()
	})
}

// receiver plays the CRM (the http step's target) and the webhook receiver, which verifies
// every delivery's signature as the Standard Webhooks spec says a receiver must.
type receiver struct {
	url        string
	srv        *http.Server
	mu         sync.Mutex
	secrets    []string
	crm        chan string
	deliveries chan delivery
	// refused, when set, hears of each delivery whose signature did not verify.
	refused func(webhookID string)
}

type delivery struct {
	id, eventType, signature string
}

func startReceiver(addr string) (*receiver, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &receiver{url: "http://" + ln.Addr().String(), crm: make(chan string, 16), deliveries: make(chan delivery, 16)}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /crm/orders", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		r.crm <- string(body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"crm_id":"crm-` + randomHex(4) + `","synced":true}`))
	})
	mux.HandleFunc("POST /webhooks/lowcode", func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(req.Body, 1<<20))
		if !r.verify(body, req.Header) {
			r.mu.Lock()
			refused := r.refused
			r.mu.Unlock()
			if refused != nil {
				refused(req.Header.Get("webhook-id"))
			}
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var payload struct {
			Type string `json:"type"`
		}
		_ = json.Unmarshal(body, &payload)
		r.deliveries <- delivery{id: req.Header.Get("webhook-id"), eventType: payload.Type, signature: req.Header.Get("webhook-signature")}
		w.WriteHeader(http.StatusNoContent)
	})
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = r.srv.Serve(ln) }()
	return r, nil
}

func (r *receiver) setSecrets(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = secrets
}

func (r *receiver) verify(body []byte, h http.Header) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err == nil && wh.Verify(body, h) == nil {
			return true
		}
	}
	return false
}

func (r *receiver) waitCRM(ctx context.Context) (string, error) {
	select {
	case b := <-r.crm:
		return b, nil
	case <-time.After(15 * time.Second):
		return "", errors.New("the CRM received nothing within 15 s")
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (r *receiver) waitDelivery(ctx context.Context, eventType string) (delivery, error) {
	timeout := time.After(30 * time.Second)
	for {
		select {
		case d := <-r.deliveries:
			if d.eventType == eventType {
				return d, nil
			}
		case <-timeout:
			return delivery{}, fmt.Errorf("no verified %s webhook delivery within 30 s", eventType)
		case <-ctx.Done():
			return delivery{}, ctx.Err()
		}
	}
}

func (r *receiver) close() { _ = r.srv.Close() }

// receive is `go run ./internal/demo receive`: the demo's CRM and webhook receiver on a fixed
// address, printing what arrives, for trying the platform by hand (README: "Trigger a
// workflow and watch a webhook arrive").
func receive(args []string) error {
	fs := flag.NewFlagSet("receive", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:9090", "address to listen on (the demo configuration's receiver_url)")
	secrets := fs.String("secrets", os.Getenv("LOWCODE_WEBHOOK_SECRETS"),
		"the webhooks' signing secrets (whsec_…), comma-separated, to verify deliveries with (LOWCODE_WEBHOOK_SECRETS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *secrets == "" {
		return errors.New("give the webhooks' signing secrets with --secrets (terraform output -raw order_events_secret)")
	}
	r, err := startReceiver(*listen)
	if err != nil {
		return err
	}
	defer r.close()
	r.setSecrets(strings.Split(*secrets, ",")...)
	r.mu.Lock()
	r.refused = func(id string) {
		fmt.Printf("webhook %s refused: its signature does not verify with the given secrets\n", id)
	}
	r.mu.Unlock()
	fmt.Printf("listening on %s: the CRM at POST /crm/orders, webhooks at POST /webhooks/lowcode (Ctrl-C stops)\n", r.url)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	for {
		select {
		case body := <-r.crm:
			fmt.Printf("CRM received an order: %s\n", body)
		case d := <-r.deliveries:
			fmt.Printf("webhook %s delivered (webhook-id %s), signature verified\n", d.eventType, d.id)
		case <-ctx.Done():
			return nil
		}
	}
}
