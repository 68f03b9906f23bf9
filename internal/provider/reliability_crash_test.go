package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/faultproxy"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/pgtest"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/platformproc"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/testutil/tfcli"
)

// createPath matches the API paths whose 201 answers are creates of the fleet's objects.
var createPath = regexp.MustCompile(`^/api/v1/(applications|integrations|users|webhooks)$`)

// ackLog records the ids of creates whose 201 answer reached the client.
type ackLog struct {
	mu     sync.Mutex
	ids    []string
	killed bool
	before int // acknowledged before the kill
}

func (a *ackLog) observe(r *http.Request, status int, body []byte, delivered bool) {
	if !delivered || r.Method != http.MethodPost || status != http.StatusCreated || !createPath.MatchString(r.URL.Path) {
		return
	}
	var obj struct{ ID string }
	if json.Unmarshal(body, &obj) != nil || obj.ID == "" {
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ids = append(a.ids, obj.ID)
	if !a.killed {
		a.before++
	}
}

func (a *ackLog) markKilled() (before int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.killed = true
	return a.before
}

func (a *ackLog) all() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.ids...)
}

// stateIDs reads the ids of every resource instance in a working directory's state.
func stateIDs(t *testing.T, dir string) map[string]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "terraform.tfstate"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Resources []struct {
			Type, Name string
			Instances  []struct {
				IndexKey   any `json:"index_key"`
				Attributes struct {
					ID string `json:"id"`
				} `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, r := range st.Resources {
		for _, in := range r.Instances {
			ids[in.Attributes.ID] = fmt.Sprintf("%s.%s[%v]", r.Type, r.Name, in.IndexKey)
		}
	}
	return ids
}

// TestAccReliability_serverKilledMidApply SIGKILLs the real lowcode-platform process once it
// has created about 60 of the 200 objects of an apply, starts it again on the same port and
// database after a moment, and requires that: the apply either fails or rides out the outage
// on retries (both are fine), a second apply converges, the platform then holds exactly the
// 200 objects with none duplicated and none outside Terraform's state (no orphans), every
// create whose 201 reached the provider before or after the kill still exists, and the next
// plan is empty. On SQLite and on PostgreSQL.
func TestAccReliability_serverKilledMidApply(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the platform and Terraform as processes")
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			cfg := platformproc.Config{}
			if dialect == "postgres" {
				cfg.DatabaseURL = pgtest.Start(t)
			}
			testKilledMidApply(t, cfg)
		})
	}
}

func testKilledMidApply(t *testing.T, cfg platformproc.Config) {
	ctx := context.Background()
	srv := platformproc.Start(t, cfg)
	acks := &ackLog{}
	proxy := faultproxy.Start(t, srv.URL, faultproxy.Config{OnResponse: acks.observe})
	direct, err := client.New(client.Config{Endpoint: srv.URL, APIKey: srv.OwnerKey, MaxRetries: -1, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}

	tf := tfcli.New(t)
	tf.Write(fmt.Sprintf(`
provider "lowcode" {
  endpoint    = %q
  api_key     = %q
  max_retries = 15
}
`, proxy.URL, srv.OwnerKey) + fleet200.HCL(""))

	// Watch the platform directly and kill it once it holds about 60 of the objects.
	const killAt = 60
	type killReport struct {
		after    time.Duration
		held     int
		acked    int
		downtime time.Duration
	}
	killed := make(chan killReport, 1)
	stopWatch := make(chan struct{})
	start := time.Now()
	go func() {
		defer close(killed)
		for {
			select {
			case <-stopWatch:
				return
			case <-time.After(10 * time.Millisecond):
			}
			c, err := countFleet(ctx, direct)
			if err != nil || c.Total() < killAt {
				continue
			}
			srv.Kill()
			rep := killReport{after: time.Since(start), held: c.Total(), acked: acks.markKilled()}
			down := time.Now()
			time.Sleep(750 * time.Millisecond)
			srv.Restart()
			rep.downtime = time.Since(down)
			killed <- rep
			return
		}
	}()

	first := tf.Apply()
	close(stopWatch)
	rep, ok := <-killed
	if !ok {
		t.Fatalf("the apply finished before the platform held %d objects, so it was never killed:\n%s", killAt, first)
	}
	t.Logf("killed %s into the apply with %d objects created and %d creates acknowledged; down for %s; first apply exited %d",
		rep.after.Round(time.Millisecond), rep.held, rep.acked, rep.downtime.Round(time.Millisecond), first.Code)
	if first.Code != 0 {
		t.Logf("first apply failed, as it may:\n%s", first.Stderr)
	}

	second := tf.Apply()
	if second.Code != 0 {
		t.Fatalf("the second apply did not converge:\n%s", second)
	}
	tf.RequireEmptyPlan()

	got := requireFleet(t, ctx, direct, fleet200)
	inState := stateIDs(t, tf.Path)
	var orphans, lost []string
	for id := range got.ids {
		if _, ok := inState[id]; !ok {
			orphans = append(orphans, id)
		}
	}
	for id, addr := range inState {
		if !got.ids[id] {
			lost = append(lost, addr+" "+id)
		}
	}
	acked := acks.all()
	var forgotten []string
	for _, id := range acked {
		if !got.ids[id] {
			forgotten = append(forgotten, id)
		}
	}
	sort.Strings(orphans)
	sort.Strings(lost)
	if len(orphans) > 0 {
		t.Errorf("%d objects on the platform are in no Terraform state (orphans): %v", len(orphans), orphans)
	}
	if len(lost) > 0 {
		t.Errorf("%d objects in the state are gone from the platform: %v", len(lost), lost)
	}
	if len(forgotten) > 0 {
		t.Errorf("%d creates acknowledged with 201 are gone after the restart: %v", len(forgotten), forgotten)
	}
	if rep.acked == 0 {
		t.Errorf("no create was acknowledged before the kill, so durability was not tested")
	}
	t.Logf("%d creates acknowledged in all (%d before the kill), all present; proxy: %s; platform started %d times",
		len(acked), rep.acked, proxy.Stats(), srv.Starts)
}
