package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"reflect"
	"sync"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/platformtest"
)

// countingProxy stands between a client and a real platform: it counts requests by kind
// (list or read by id) and runs hook before forwarding each.
type countingProxy struct {
	URL   string
	mu    sync.Mutex
	lists map[string]int // list path + page_size -> count
	gets  int
	hook  func(r *http.Request)
}

func newCountingProxy(t *testing.T, target string) *countingProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &countingProxy{lists: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if r.URL.Path == "/api/v1/applications" && r.Method == http.MethodGet {
			p.lists[r.URL.Query().Get("page_size")]++
		} else if r.Method == http.MethodGet {
			p.gets++
		}
		hook := p.hook
		p.mu.Unlock()
		if hook != nil {
			hook(r)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *countingProxy) counts() (lists map[string]int, gets int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lists = map[string]int{}
	for k, v := range p.lists {
		lists[k] = v
	}
	return lists, p.gets
}

func seedApplications(t *testing.T, c *Client, n int) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		app, err := c.CreateApplication(context.Background(), api.ApplicationInput{
			Name: fmt.Sprintf("ra-%02d", i), Environment: api.Development, Version: "1.0.0"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = app.ID
	}
	return ids
}

// Reading many applications by id costs one list page and a few single reads, and every
// answer is what a single read gives at that moment (etag included).
func TestReadAheadFewRoundTrips(t *testing.T) {
	inst := platformtest.Start(t)
	owner, err := New(Config{Endpoint: inst.URL, APIKey: inst.OwnerKey})
	if err != nil {
		t.Fatal(err)
	}
	ids := seedApplications(t, owner, 60)
	// A change made before the command started is what the reads must see.
	changed, err := owner.PatchApplication(context.Background(), ids[40], "", api.ApplicationPatch{Description: opt("changed")})
	if err != nil {
		t.Fatal(err)
	}

	proxy := newCountingProxy(t, inst.URL)
	c, err := New(Config{Endpoint: proxy.URL, APIKey: inst.OwnerKey, ReadAhead: true})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]*api.Application, len(ids))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 10 {
		wg.Go(func() {
			for i := range next {
				app, err := c.GetApplication(context.Background(), ids[i])
				if err != nil {
					t.Error(err)
				}
				got[i] = app
			}
		})
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()

	lists, gets := proxy.counts()
	if lists["1000"] != 1 || len(lists) != 1 {
		t.Errorf("lists by page size: %v, want one page of 1000", lists)
	}
	if gets > readAheadAfter+10 {
		t.Errorf("%d reads by id for %d applications; want at most %d (before the listing and while it was fetched)", gets, len(ids), readAheadAfter+10)
	}
	for i, id := range ids {
		want, err := owner.GetApplication(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("application %s read as %+v, a single read gives %+v", id, got[i], want)
		}
	}
	if got[40].Description != "changed" || got[40].Etag != changed.Etag {
		t.Fatalf("the change made before the reads is not seen: %+v", got[40])
	}
}

// A few reads never list; a write ends read-ahead: the written object, and every later read,
// comes from the server.
func TestReadAheadBounds(t *testing.T) {
	inst := platformtest.Start(t)
	owner, _ := New(Config{Endpoint: inst.URL, APIKey: inst.OwnerKey})
	ids := seedApplications(t, owner, 20)

	t.Run("few reads do not list", func(t *testing.T) {
		proxy := newCountingProxy(t, inst.URL)
		c, _ := New(Config{Endpoint: proxy.URL, APIKey: inst.OwnerKey, ReadAhead: true})
		for _, id := range ids[:readAheadAfter-1] {
			if _, err := c.GetApplication(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		if lists, gets := proxy.counts(); len(lists) != 0 || gets != readAheadAfter-1 {
			t.Fatalf("%d reads made lists %v and %d reads by id; want no list", readAheadAfter-1, lists, gets)
		}
	})
	t.Run("a write ends read-ahead", func(t *testing.T) {
		proxy := newCountingProxy(t, inst.URL)
		c, _ := New(Config{Endpoint: proxy.URL, APIKey: inst.OwnerKey, ReadAhead: true})
		for _, id := range ids[:readAheadAfter] {
			if _, err := c.GetApplication(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.PatchApplication(context.Background(), ids[15], "", api.ApplicationPatch{Description: opt("written")}); err != nil {
			t.Fatal(err)
		}
		_, before := proxy.counts()
		app, err := c.GetApplication(context.Background(), ids[15])
		if err != nil || app.Description != "written" {
			t.Fatalf("read after a write: %+v, %v; want the written description", app, err)
		}
		for _, id := range ids[16:] {
			if _, err := c.GetApplication(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		if _, after := proxy.counts(); after-before != 1+len(ids[16:]) {
			t.Fatalf("%d reads after a write reached the server, want all %d", after-before, 1+len(ids[16:]))
		}
	})
	t.Run("each listed object answers one read", func(t *testing.T) {
		proxy := newCountingProxy(t, inst.URL)
		c, _ := New(Config{Endpoint: proxy.URL, APIKey: inst.OwnerKey, ReadAhead: true})
		for _, id := range ids {
			if _, err := c.GetApplication(context.Background(), id); err != nil {
				t.Fatal(err)
			}
		}
		_, before := proxy.counts()
		if _, err := c.GetApplication(context.Background(), ids[19]); err != nil {
			t.Fatal(err)
		}
		if _, after := proxy.counts(); after != before+1 {
			t.Fatalf("a second read of the same id was answered from the listing")
		}
	})
}

// An application deleted, or taken out of the key's scope, while the listing is read gets
// the answer a single read gives: the listing is never read as "gone" or "forbidden".
func TestReadAheadDeletedOrOutOfScopeWhileListing(t *testing.T) {
	inst := platformtest.Start(t)
	owner, _ := New(Config{Endpoint: inst.URL, APIKey: inst.OwnerKey})
	ids := seedApplications(t, owner, 12)
	var grants []platformtest.Grant
	for _, id := range ids {
		grants = append(grants, platformtest.Grant{Role: api.Viewer, ScopeType: api.ScopeTypeApplication, ScopeID: id})
	}
	userID, key := inst.NewUser("viewer@example.com", grants...)
	deleted, outOfScope := ids[3], ids[5]

	proxy := newCountingProxy(t, inst.URL)
	var once sync.Once
	proxy.hook = func(r *http.Request) {
		if r.URL.Path != "/api/v1/applications" {
			return
		}
		once.Do(func() {
			ctx := context.Background()
			if err := owner.DeleteApplication(ctx, deleted, ""); err != nil {
				t.Error(err)
			}
			ras, err := Collect(owner.ListRoleAssignments(ctx, RoleAssignmentFilter{UserID: userID}))
			if err != nil {
				t.Error(err)
			}
			for _, ra := range ras {
				if ra.Scope.ID != nil && *ra.Scope.ID == outOfScope {
					if err := owner.DeleteRoleAssignment(ctx, ra.ID, ""); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	c, _ := New(Config{Endpoint: proxy.URL, APIKey: key, ReadAhead: true})
	single, _ := New(Config{Endpoint: inst.URL, APIKey: key})
	// The first readAheadAfter reads (none of the two) start the listing; the rest follow it.
	order := []string{ids[0], ids[1], ids[2], ids[4], ids[6], ids[7], ids[8], ids[9], deleted, outOfScope, ids[10], ids[11]}
	for _, id := range order {
		_, err := c.GetApplication(context.Background(), id)
		_, want := single.GetApplication(context.Background(), id)
		if (err == nil) != (want == nil) || err != nil && fmt.Sprint(statusOf(err)) != fmt.Sprint(statusOf(want)) {
			t.Errorf("read-ahead read of %s: %v; a single read: %v", id, err, want)
		}
		if (id == deleted || id == outOfScope) && err == nil {
			t.Errorf("%s read as present after it was deleted or taken out of scope", id)
		}
	}
	if lists, _ := proxy.counts(); lists["1000"] != 1 {
		t.Fatalf("lists %v, want one page of 1000", lists)
	}
}

func statusOf(err error) int {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode
	}
	return -1
}

// On a platform much larger than the state, the listing stops at the cache's bound instead of
// reading everything, and every read still gets what a single read gives.
func TestReadAheadBoundedOnALargePlatform(t *testing.T) {
	size, maxEntries := readAheadPageSize, readAheadMaxEntries
	readAheadPageSize, readAheadMaxEntries = 10, 30
	t.Cleanup(func() { readAheadPageSize, readAheadMaxEntries = size, maxEntries })

	inst := platformtest.Start(t)
	owner, _ := New(Config{Endpoint: inst.URL, APIKey: inst.OwnerKey})
	ids := seedApplications(t, owner, 150)
	proxy := newCountingProxy(t, inst.URL)
	c, _ := New(Config{Endpoint: proxy.URL, APIKey: inst.OwnerKey, ReadAhead: true})
	for i := 0; i < len(ids); i += 6 { // 25 objects of the 150, spread over every page
		got, err := c.GetApplication(context.Background(), ids[i])
		if err != nil {
			t.Fatal(err)
		}
		want, err := owner.GetApplication(context.Background(), ids[i])
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("read %+v, a single read gives %+v (%v)", got, want, err)
		}
	}
	lists, _ := proxy.counts()
	// 30 held at most: the listing ends after the page that fills the cache, plus the pages
	// whose objects were read meanwhile.
	if lists["10"] == 0 || lists["10"] > 8 {
		t.Fatalf("%d pages of 10 for 25 reads on a platform of 150; want between 1 and 8 (not all 15)", lists["10"])
	}
}
