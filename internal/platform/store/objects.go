package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/google/uuid"
)

// NewID returns a prefixed, time-ordered id such as `app_0193…`. Ordering by id is ordering by
// creation, which keyset pagination relies on.
func NewID(prefix string) string {
	u := uuid.Must(uuid.NewV7())
	return prefix + "_" + hex.EncodeToString(u[:])
}

// NewETag returns a fresh opaque entity tag; every successful write changes it.
func NewETag() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Column is a table column derived from an object, next to its JSON document.
type Column struct {
	Name  string
	Value any
}

// Unique names a uniqueness rule of a kind and how to describe a clash to a user.
type Unique[T any] struct {
	Columns  []string
	Describe func(*T) string
}

// Kind describes one kind of managed object: its table, the columns the server queries on and
// its uniqueness rules. The object's API representation is stored whole in `doc`.
type Kind[T any] struct {
	Table   string
	ID      func(*T) string
	ETag    func(*T) string
	Columns func(*T) []Column
	Unique  []Unique[T]
	// Newest lists newest first (executions, deliveries, audit events).
	Newest bool
	// Decode reads a stored document (default: json.Unmarshal).
	Decode func(doc []byte, obj *T) error
}

func (k *Kind[T]) decode(doc []byte, obj *T) error {
	if k.Decode != nil {
		return k.Decode(doc, obj)
	}
	return json.Unmarshal(doc, obj)
}

// Filter narrows a list. The store writes its SQL: callers say what they want with Eq, In and
// the named filters of filters.go, and never hand the store SQL text. The zero Filter matches
// nothing, so a filter forgotten on the way to an authorization check hides rather than shows.
type Filter struct {
	sql func(q *Q) (cond string, args []any)
}

// Eq is a column = value filter.
func Eq(column string, v any) Filter {
	return Filter{sql: func(*Q) (string, []any) { return column + " = ?", []any{v} }}
}

// In is a column IN (values) filter; an empty list matches nothing. Its statement text is the
// same whatever the length of the list (see Q.inList), so it is prepared once.
func In(column string, values []string) Filter {
	return Filter{sql: func(q *Q) (string, []any) { return q.inList(column), []any{q.listArg(values)} }}
}

// Page asks for one page of a list.
type Page struct {
	Size  int
	Token string
}

// MaxPageSize bounds every list.
const MaxPageSize = 1000

// MaxPageBytes bounds the stored documents one page holds: a page ends early, with a token
// for the next, before the item that would take it past this (a page always holds one item).
// Executions may be megabytes each, and 1000 of them must not be read into one response.
const MaxPageBytes = 8 << 20

// ErrBadPageToken is returned for a page token this server did not issue.
var ErrBadPageToken = errors.New("page_token is not one this server issued; start again without it")

func (k *Kind[T]) columns(obj *T, extra []Column) []Column {
	cols := []Column{{"id", k.ID(obj)}, {"etag", k.ETag(obj)}}
	if k.Columns != nil {
		cols = append(cols, k.Columns(obj)...)
	}
	return append(cols, extra...)
}

func (k *Kind[T]) checkUnique(ctx context.Context, q *Q, obj *T, cols []Column) error {
	byName := make(map[string]any, len(cols))
	for _, c := range cols {
		byName[c.Name] = c.Value
	}
	for _, u := range k.Unique {
		conds := make([]string, 0, len(u.Columns)+1)
		args := make([]any, 0, len(u.Columns)+1)
		for _, c := range u.Columns {
			conds = append(conds, c+" = ?")
			args = append(args, byName[c])
		}
		conds = append(conds, "id <> ?")
		args = append(args, k.ID(obj))
		var existing string
		err := q.queryRow(ctx, "SELECT id FROM "+k.Table+" WHERE "+strings.Join(conds, " AND "), args...).Scan(&existing)
		switch {
		case err == nil:
			return &ConflictError{Message: u.Describe(obj), ExistingID: existing}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
	}
	return nil
}

// Create inserts obj. A clash with a uniqueness rule is a *ConflictError naming the existing
// object.
func (k *Kind[T]) Create(ctx context.Context, q *Q, obj *T, extra ...Column) error {
	cols := k.columns(obj, extra)
	if err := k.checkUnique(ctx, q, obj, cols); err != nil {
		return err
	}
	doc, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	cols = append(cols, Column{"doc", string(doc)})
	names := make([]string, len(cols))
	marks := make([]string, len(cols))
	args := make([]any, len(cols))
	for i, c := range cols {
		names[i], marks[i], args[i] = c.Name, "?", c.Value
	}
	_, err = q.exec(ctx, "INSERT INTO "+k.Table+" ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(marks, ", ")+")", args...)
	return k.mapWriteError(ctx, q, obj, cols, err)
}

func (k *Kind[T]) mapWriteError(ctx context.Context, q *Q, obj *T, cols []Column, err error) error {
	switch {
	case err == nil:
		return nil
	case isUniqueViolation(err):
		// A concurrent writer won the race between our check and our write (PostgreSQL).
		if cerr := k.checkUnique(ctx, q, obj, cols); cerr != nil {
			return cerr
		}
		return &ConflictError{Message: "another object with the same unique fields was written at the same time; retry"}
	case isForeignKeyViolation(err):
		return &ConflictError{Message: "the object refers to another object that does not exist"}
	}
	return err
}

// Get loads one object by id.
func (k *Kind[T]) Get(ctx context.Context, q *Q, id string) (*T, error) {
	var doc string
	err := q.queryRow(ctx, "SELECT doc FROM "+k.Table+" WHERE id = ?", id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	obj := new(T)
	if err := k.decode([]byte(doc), obj); err != nil {
		return nil, fmt.Errorf("decoding %s %s: %w", k.Table, id, err)
	}
	return obj, nil
}

// Update replaces obj, provided the stored etag is still prevETag (the etag the caller's
// change was based on); otherwise ErrPreconditionFailed.
func (k *Kind[T]) Update(ctx context.Context, q *Q, obj *T, prevETag string, extra ...Column) error {
	cols := k.columns(obj, extra)
	if err := k.checkUnique(ctx, q, obj, cols); err != nil {
		return err
	}
	doc, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	sets := make([]string, 0, len(cols))
	args := make([]any, 0, len(cols)+2)
	for _, c := range cols[1:] { // never the id
		sets = append(sets, c.Name+" = ?")
		args = append(args, c.Value)
	}
	sets = append(sets, "doc = ?")
	args = append(args, string(doc), k.ID(obj), prevETag)
	res, err := q.exec(ctx, "UPDATE "+k.Table+" SET "+strings.Join(sets, ", ")+" WHERE id = ? AND etag = ?", args...)
	if err != nil {
		return k.mapWriteError(ctx, q, obj, cols, err)
	}
	return k.afterConditionalWrite(ctx, q, k.ID(obj), res)
}

func (k *Kind[T]) afterConditionalWrite(ctx context.Context, q *Q, id string, res sql.Result) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := k.Get(ctx, q, id); err != nil {
		return err
	}
	return ErrPreconditionFailed
}

// Delete removes an object. With a non-empty etag the stored one must match. A row other
// objects still refer to (ON DELETE RESTRICT) is a *ConflictError.
func (k *Kind[T]) Delete(ctx context.Context, q *Q, id, etag string) error {
	query, args := "DELETE FROM "+k.Table+" WHERE id = ?", []any{id}
	if etag != "" {
		query += " AND etag = ?"
		args = append(args, etag)
	}
	res, err := q.exec(ctx, query, args...)
	if isForeignKeyViolation(err) {
		return &ConflictError{Message: "other objects still refer to " + id + "; delete them first"}
	}
	if err != nil {
		return err
	}
	return k.afterConditionalWrite(ctx, q, id, res)
}

// List returns one page of objects matching every filter, in id order (newest first for
// Newest kinds), and the token of the next page ("" on the last).
func (k *Kind[T]) List(ctx context.Context, q *Q, filters []Filter, page Page) ([]T, string, error) {
	size := page.Size
	if size <= 0 {
		size = 100
	}
	size = min(size, MaxPageSize)
	conds, args := q.filterSQL(filters)
	cmp, order := ">", "ASC"
	if k.Newest {
		cmp, order = "<", "DESC"
	}
	if page.Token != "" {
		after, err := decodePageToken(page.Token)
		if err != nil {
			return nil, "", err
		}
		conds = append(conds, "id "+cmp+" ?")
		args = append(args, after)
	}
	query := "SELECT id, doc FROM " + k.Table
	if len(conds) > 0 {
		query += " WHERE " + strings.Join(conds, " AND ")
	}
	// The limit is an argument, so that every page size runs the same prepared statement.
	query += " ORDER BY id " + order + " LIMIT ?"
	rows, err := q.query(ctx, query, append(args, size+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	items := make([]T, 0, min(size, 128))
	var lastID string
	pageBytes := 0
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, "", err
		}
		if pageBytes += len(doc); len(items) == size || len(items) > 0 && pageBytes > MaxPageBytes {
			return items, encodePageToken(lastID), rows.Err()
		}
		var obj T
		if err := k.decode([]byte(doc), &obj); err != nil {
			return nil, "", fmt.Errorf("decoding %s %s: %w", k.Table, id, err)
		}
		items = append(items, obj)
		lastID = id
	}
	return items, "", rows.Err()
}

// filterSQL renders filters as SQL conditions (to be joined with AND) and their arguments.
func (q *Q) filterSQL(filters []Filter) (conds []string, args []any) {
	conds, args = []string{}, []any{}
	for _, f := range filters {
		if f.sql == nil {
			conds = append(conds, "1 = 0")
			continue
		}
		c, a := f.sql(q)
		conds = append(conds, "("+c+")")
		args = append(args, a...)
	}
	return conds, args
}

func encodePageToken(lastID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + lastID))
}

func decodePageToken(token string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || !strings.HasPrefix(string(b), "v1:") {
		return "", ErrBadPageToken
	}
	return strings.TrimPrefix(string(b), "v1:"), nil
}

func fsSub(f fs.FS, dir string) (fs.FS, error) { return fs.Sub(f, dir) }
