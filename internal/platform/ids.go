package platform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/platform/store"
)

// chosenIDPattern is the shape of an id a client may choose: the kind's prefix, an
// underscore and 32 lowercase hexadecimal digits (a UUID, as store.NewID makes them).
var chosenIDPattern = regexp.MustCompile(`^[a-z]+_[0-9a-f]{32}$`)

// newObjectID is the id of an object a create makes: the one the client chose (the `id` query
// parameter, as Google's AIP-133 allows) or a fresh one. A client that chooses the id knows
// what to look for when the answer to its create is lost, so its next attempt finds the object
// instead of making a second one (the Terraform provider keeps such an id in state). An id
// already in use is a 409 naming it; ids of deleted objects are free again, like names.
func newObjectID[T any](ctx context.Context, q *store.Q, kind *store.Kind[T], prefix, noun string, chosen *string) (string, error) {
	if chosen == nil {
		return store.NewID(prefix), nil
	}
	id := *chosen
	if !chosenIDPattern.MatchString(id) || !strings.HasPrefix(id, prefix+"_") {
		return "", invalid(FieldError("id", "must be %q followed by 32 lowercase hexadecimal digits (such as a UUID without dashes), got %q", prefix+"_", id))
	}
	_, err := kind.Get(ctx, q, id)
	switch {
	case err == nil:
		return "", conflict(fmt.Sprintf("a %s with id %s already exists; choose another id", noun, id), id)
	case !errors.Is(err, store.ErrNotFound):
		return "", err
	}
	return id, nil
}
