package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
)

// DefaultPageSize is the page size of the list iterators when the filter sets none.
const DefaultPageSize = 100

// page is the shape every list answer shares ({items, next_page_token}); decoding into it
// lets one iterator serve every list without a per-type accessor.
type page[E any] struct {
	Items         []E    `json:"items"`
	NextPageToken string `json:"next_page_token"`
}

// fetchPage calls a generated list method for one page.
type fetchPage func(ctx context.Context, pageSize *int, pageToken *string) (*http.Response, error)

// paginate walks a list page by page, following next_page_token until it is empty. An error
// is yielded once, with the zero item, and ends the walk; so does the caller breaking out.
func paginate[E any](ctx context.Context, pageSize int, fetch fetchPage) iter.Seq2[E, error] {
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	return func(yield func(E, error) bool) {
		token := ""
		for {
			p, err := decode[page[E]](fetch(ctx, &pageSize, opt(token)))
			if err != nil {
				var zero E
				yield(zero, err)
				return
			}
			for _, item := range p.Items {
				if !yield(item, nil) {
					return
				}
			}
			if p.NextPageToken == "" {
				return
			}
			if p.NextPageToken == token {
				// A server bug, but one that would otherwise loop for ever.
				var zero E
				yield(zero, fmt.Errorf("the platform API returned page token %q twice in a row", token))
				return
			}
			token = p.NextPageToken
		}
	}
}

// Collect gathers what a list iterator yields, stopping at the first error:
//
//	apps, err := client.Collect(c.ListApplications(ctx, client.ApplicationFilter{}))
func Collect[E any](seq iter.Seq2[E, error]) ([]E, error) {
	var all []E
	for item, err := range seq {
		if err != nil {
			return nil, err
		}
		all = append(all, item)
	}
	return all, nil
}
