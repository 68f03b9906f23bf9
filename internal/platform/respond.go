package platform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// idempotencyTTL is how long a key's first response is kept for replays.
const idempotencyTTL = 24 * time.Hour

// decode reads the JSON body the validation middleware kept into v, refusing unknown fields.
func decode(r *http.Request, v any) error {
	body := requestBody(r)
	if len(bytes.TrimSpace(body)) == 0 {
		return invalid(FieldError("body", "a JSON request body is required"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid(FieldError("body", "is not valid: %s", err.Error()))
	}
	return nil
}

// writeJSON writes v with its etag (if it has one) as the ETag header.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRaw(w, status, body)
}

func writeRaw(w http.ResponseWriter, status int, body []byte) {
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	if etag := etagOf(body); etag != "" {
		w.Header().Set("ETag", `"`+etag+`"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte("\n"))
}

func etagOf(body []byte) string {
	var probe struct {
		Etag string `json:"etag"`
	}
	if len(body) == 0 || body[0] != '{' || json.Unmarshal(body, &probe) != nil {
		return ""
	}
	return probe.Etag
}

// ifMatch normalises an If-Match value: quotes and a weak prefix are dropped; "" and "*" mean
// "any version".
func ifMatch(v *string) string {
	s := strings.TrimSpace(deref(v))
	s = strings.TrimPrefix(s, "W/")
	s = strings.Trim(s, `"`)
	if s == "*" {
		return ""
	}
	return s
}

// checkETag answers 412 when the caller's If-Match names another version than current.
func checkETag(want *string, current string) error {
	if w := ifMatch(want); w != "" && w != current {
		return store.ErrPreconditionFailed
	}
	return nil
}

// mutation is the body of a write: it runs in the store transaction and returns the status
// and the response object (nil for 204).
type mutation func(ctx context.Context, q *store.Q) (status int, response any, err error)

// errReplayed rolls back the re-run of a replayed write (see mutate).
var errReplayed = errors.New("replayed")

// mutate runs a write in one transaction together with its audit records and its idempotency
// record, then writes the response. With an Idempotency-Key, a replay of the same request
// returns the stored first response (with Idempotent-Replayed: true) and the same key with
// another request is 422. Because the record commits with the change, a response lost on the
// way (a dropped connection, a killed server after commit) is found by the retry.
//
// Records belong to the credential (API key or token) that made them, not to its user: another
// key of the same user, such as a token capped at viewer, cannot collect an admin key's
// response (an issued token, a generated signing secret). And a replay is authorized like a
// fresh request: the write runs again inside the transaction, which is then rolled back, and
// if it is refused (the key's user lost the role since) the refusal is the answer.
func (s *Server) mutate(w http.ResponseWriter, r *http.Request, key *string, fn mutation) {
	p := principal(r)
	hash := sha256.Sum256(append([]byte(r.Method+" "+r.URL.RequestURI()+"\n"), requestBody(r)...))
	reqHash := hex.EncodeToString(hash[:])
	idemKey := strings.TrimSpace(deref(key))
	for attempt := 0; ; attempt++ {
		var status int
		var body []byte
		replayed := false
		err := s.store.Tx(r.Context(), func(q *store.Q) error {
			now := s.now()
			if idemKey != "" {
				prev, err := q.LookupIdempotency(r.Context(), p.KeyID, idemKey, now.Add(-idempotencyTTL))
				if err != nil {
					return err
				}
				if prev != nil {
					if prev.RequestHash != reqHash {
						return unprocessable("the Idempotency-Key " + idemKey + " was already used for a different request (" +
							prev.Method + " " + prev.Path + "); use a new key for a new request")
					}
					if _, _, err := fn(r.Context(), q); isRefusal(err) {
						return err
					}
					status, body, replayed = prev.Status, []byte(prev.Body), true
					return errReplayed
				}
			}
			st, resp, err := fn(r.Context(), q)
			if err != nil {
				return err
			}
			status = st
			if resp != nil {
				if body, err = json.Marshal(resp); err != nil {
					return err
				}
			}
			if idemKey == "" {
				return nil
			}
			return q.SaveIdempotency(r.Context(), p.KeyID, idemKey, store.IdempotentResponse{
				Method: r.Method, Path: r.URL.Path, RequestHash: reqHash, Status: status, Body: string(body)}, now)
		})
		if errors.Is(err, store.ErrIdempotencyRace) && attempt < 3 {
			continue
		}
		if errors.Is(err, errReplayed) {
			err = nil
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		writeRaw(w, status, body)
		return
	}
}

// audit records one mutation in the audit log, inside the mutation's transaction.
func (s *Server) audit(ctx context.Context, q *store.Q, r *http.Request, action, objectType, objectID, etagBefore, etagAfter string) error {
	e := api.AuditEvent{ID: store.NewID("aud"), At: s.now(), ActorID: principal(r).UserID, Action: action,
		ObjectType: objectType, ObjectID: objectID}
	if etagBefore != "" {
		e.EtagBefore = ptr(etagBefore)
	}
	if etagAfter != "" {
		e.EtagAfter = ptr(etagAfter)
	}
	return q.Audit(ctx, e)
}

// page turns the list parameters into a store page.
func page(size *int, token *string) store.Page {
	return store.Page{Size: deref(size), Token: deref(token)}
}

// listResponse is the {items, next_page_token} shape of every list.
type listResponse[T any] struct {
	Items         []T    `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

// writeList lists kind with filters and writes the page.
func writeList[T any](s *Server, w http.ResponseWriter, r *http.Request, kind *store.Kind[T], filters []store.Filter, pg store.Page) {
	items, next, err := kind.List(r.Context(), s.store.Read(), filters, pg)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse[T]{Items: items, NextPageToken: next})
}

// mutateOpening is mutate for writes whose response carries a sealed secret: open turns the
// stored response (2xx only) into the one the client gets, for first answers and replays.
func (s *Server) mutateOpening(w http.ResponseWriter, r *http.Request, key *string, open func([]byte) ([]byte, error), fn mutation) {
	buf := &bufferedResponse{ResponseWriter: w}
	s.mutate(buf, r, key, fn)
	body := buf.body.Bytes()
	if buf.status >= 200 && buf.status < 300 && len(body) > 0 {
		var err error
		if body, err = open(body); err != nil {
			w.Header().Del("ETag")
			s.fail(w, r, err)
			return
		}
	}
	w.WriteHeader(buf.status)
	_, _ = w.Write(body)
}

// bufferedResponse holds a response's status and body; headers go straight through.
type bufferedResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// listAll lists every object of kind that matches filters, page by page.
func listAll[T any](ctx context.Context, q *store.Q, kind *store.Kind[T], filters []store.Filter) ([]T, error) {
	var all []T
	pg := store.Page{Size: store.MaxPageSize}
	for {
		items, next, err := kind.List(ctx, q, filters, pg)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		pg.Token = next
	}
}
