package client

import (
	"errors"
	"net/http"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// ErrUnconfigured is returned by every call of a client from Unconfigured.
var ErrUnconfigured = errors.New("the provider is not configured")

// Unconfigured returns a client whose every call fails with ErrUnconfigured and reason, for a
// provider whose endpoint or API key is not known yet (values known only after apply): the
// objects that use it then fail with that explanation instead of crashing on a missing client.
func Unconfigured(reason string) *Client {
	doer := failingDoer{err: errors.Join(ErrUnconfigured, errors.New(reason))}
	c, _ := api.NewClient("http://unconfigured.invalid"+apiBasePath, api.WithHTTPClient(doer))
	return &Client{api: c, verify: c}
}

type failingDoer struct{ err error }

func (d failingDoer) Do(*http.Request) (*http.Response, error) { return nil, d.err }
