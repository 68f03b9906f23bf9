package provider

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/client"
)

// lookup is how a singular data source finds its one object: by id, or by the unique fields a
// list filter matches. Kind names the object in messages ("user"); Advice ends the not-found
// messages with what the user can check.
type lookup struct {
	Kind, Title string
	Advice      string
}

// byID reads the object with id. A 404 is an error on `id`.
func byID[T any](ctx context.Context, l lookup, diags *diag.Diagnostics, id string, get func(context.Context, string) (*T, error)) *T {
	return byIDAt(ctx, l, diags, "id", id, get)
}

// byIDAt reads the object with the id given in the attribute attr. A 404 is an error on attr.
func byIDAt[T any](ctx context.Context, l lookup, diags *diag.Diagnostics, attr, id string, get func(context.Context, string) (*T, error)) *T {
	obj, err := get(ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		diags.AddAttributeError(path.Root(attr), l.Title+" not found",
			fmt.Sprintf("There is no %s with %s %q on the platform. %s", l.Kind, attr, id, l.Advice))
		return nil
	}
	if err != nil {
		apiErrorDiag(diags, opRead, l.Kind, l.Kind+" "+id, err)
		return nil
	}
	return obj
}

// onlyMatch returns the one object a filtered list yields; what describes the filter, such as
// `with email "ada@example.com"`. None, or more than one (a server bug for unique fields:
// better said than one picked), is an error on the attribute at.
func onlyMatch[T any](l lookup, diags *diag.Diagnostics, at path.Path, what string, list iter.Seq2[T, error]) *T {
	found, err := client.Collect(list)
	if err != nil {
		apiErrorDiag(diags, opRead, l.Kind, l.Kind+" "+what, err)
		return nil
	}
	if len(found) != 1 {
		diags.AddAttributeError(at, l.Title+" not found",
			fmt.Sprintf("Expected one %s %s on the platform, found %d. %s", l.Kind, what, len(found), l.Advice))
		return nil
	}
	return &found[0]
}

// describeFilter reads like ` with email "ada@example.com" and role "viewer"`, naming the
// filters that are set, for messages about lists. Arguments are name, value pairs.
func describeFilter(pairs ...string) string {
	s := ""
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		if s == "" {
			s = " with "
		} else {
			s += " and "
		}
		s += pairs[i] + " " + `"` + pairs[i+1] + `"`
	}
	return s
}
