package client

import (
	"context"
	"net/http"
	"sync"
)

// Read-ahead turns a refresh of many objects of one type into a few large list pages.
//
// A provider process lives for one Terraform command, and so does its Client. Once the
// command has asked for readAheadAfter objects of one type by id, the client lists that type
// in pages of readAheadPageSize, in the background, and answers the following reads by id
// from what the listing brought. The rules that keep a refresh exact:
//
//   - Freshness: a listing starts after the command did (the client is made at configure),
//     so it shows every change made before the command started; each page is as fresh as a
//     single read sent at the same moment.
//   - Only reads by id: writes always go to the server. The first write of any kind (any
//     method but GET) turns read-ahead off for the rest of the client's life and drops what
//     it held; a page that arrives after a write started is dropped too.
//   - A listing never says "deleted" or "forbidden": an id the listing did not bring (deleted
//     meanwhile, out of the key's scope, or simply not listed yet) is read by id, exactly as
//     without read-ahead.
//   - Each listed object answers at most one read; a second read of the same id goes to the
//     server.
//   - Bounded: at most readAheadMaxEntries objects are held at once across all types; the
//     listing of a type stops when that many are held, at its last page or at an error; a
//     read waits for at most readAheadMaxWait pages before it reads by id. A state with fewer
//     than readAheadAfter objects of a type never lists it.
const (
	readAheadAfter = 8
	// readAheadMaxWait is how many pages a read waits for before it reads by id: on a
	// platform much larger than the state, most reads are not in the next pages.
	readAheadMaxWait = 2
)

// Variables so that a test can make pages and the cache small.
var (
	readAheadPageSize   = 1000 // the API's largest page
	readAheadMaxEntries = 10000
)

// readAhead is the per-Client cache; nil when Config.ReadAhead is off.
type readAhead struct {
	mu      sync.Mutex
	off     bool // a write was sent: never again for this client
	entries int
	kinds   map[string]*kindCache
	log     Logger
}

type kindCache struct {
	reads   int  // reads by id asked so far
	started bool // a listing was started
	done    bool // the listing ended
	items   map[string]any
	// page is closed when the listing delivers a page or ends, to wake waiting reads.
	page chan struct{}
}

// listing is what a type's read-ahead needs: its list call and the id of an item.
type listing[T any] struct {
	kind string
	list fetchPage
	id   func(*T) string
}

// readThrough answers a read of id from the read-ahead when it can, and otherwise with get.
func readThrough[T any](ctx context.Context, ra *readAhead, l listing[T], id string, get func() (*T, error)) (*T, error) {
	if ra != nil {
		if v, ok := ra.lookup(ctx, l.kind, id, func(ctx context.Context, k *kindCache) { l.run(ctx, ra, k) }); ok {
			if obj, ok := v.(*T); ok {
				return obj, nil
			}
		}
	}
	return get()
}

// lookup takes id's object out of the read-ahead of kind, waiting while a listing of kind
// runs; it counts the read and starts the listing (with start) at the readAheadAfter-th.
func (ra *readAhead) lookup(ctx context.Context, kind, id string, start func(context.Context, *kindCache)) (any, bool) {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.off {
		return nil, false
	}
	k := ra.kinds[kind]
	if k == nil {
		k = &kindCache{items: map[string]any{}, page: make(chan struct{})}
		ra.kinds[kind] = k
	}
	k.reads++
	if !k.started && k.reads >= readAheadAfter {
		k.started = true
		// The listing outlives the read that started it, but keeps its values (the logger).
		go start(context.WithoutCancel(ctx), k)
	}
	for waited := 0; ; waited++ {
		if v, ok := k.items[id]; ok {
			delete(k.items, id)
			ra.entries--
			return v, true
		}
		if !k.started || k.done || ra.off || waited == readAheadMaxWait {
			return nil, false
		}
		// The listing runs and has not brought id yet: wait for its next page.
		ch := k.page
		ra.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			ra.mu.Lock()
			return nil, false
		}
		ra.mu.Lock()
	}
}

// run lists the type page by page until its end, a full cache, an error or a write.
func (l listing[T]) run(ctx context.Context, ra *readAhead, k *kindCache) {
	size, token := readAheadPageSize, ""
	pages, listed := 0, 0
	for {
		p, err := decode[page[T]](l.list(ctx, &size, opt(token)))
		ra.mu.Lock()
		stop := err != nil || ra.off || p.NextPageToken == "" || p.NextPageToken == token
		if err == nil && !ra.off {
			pages++
			for i := range p.Items {
				if ra.entries >= readAheadMaxEntries {
					stop = true
					break
				}
				item := p.Items[i]
				id := l.id(&item)
				if _, dup := k.items[id]; !dup {
					ra.entries++
					listed++
				}
				k.items[id] = &item
			}
		}
		if stop {
			k.done = true
		}
		close(k.page)
		k.page = make(chan struct{})
		ra.mu.Unlock()
		if stop {
			fields := map[string]any{"type": l.kind, "pages": pages, "listed": listed}
			if err != nil {
				fields["error"] = err.Error()
			}
			ra.log.Debug(ctx, "read-ahead listing ended", fields)
			return
		}
		token = p.NextPageToken
	}
}

// disable turns read-ahead off for good before a write is sent, and wakes waiting reads.
func (ra *readAhead) disable() {
	ra.mu.Lock()
	defer ra.mu.Unlock()
	if ra.off {
		return
	}
	ra.off = true
	ra.entries = 0
	for _, k := range ra.kinds {
		k.items = nil
		k.done = true
		close(k.page)
		k.page = make(chan struct{})
	}
}

// isRead says whether a request leaves read-ahead on.
func isRead(req *http.Request) bool {
	return req.Method == http.MethodGet || req.Method == http.MethodHead
}
