package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// Verify makes one cheap authenticated request (the first application, if any) with the
// smaller Config.VerifyMaxRetries budget, for the provider's Configure. Its error tells an
// endpoint that does not answer (errors.Is ErrUnreachable) from a key the server rejects
// (errors.Is ErrUnauthorized) and names the setting to check.
func (c *Client) Verify(ctx context.Context) error {
	_, err := decode[page[api.Application]](c.verify.ListApplications(ctx, &api.ListApplicationsParams{PageSize: opt(1)}))
	if err == nil || ctx.Err() != nil {
		return err
	}
	var apiErr *APIError
	var decodeErr *decodeError
	if msg, ok := tlsAdvice(err, c.endpoint); ok {
		return &verifyError{err: err, msg: msg}
	}
	switch {
	case errors.As(err, &decodeErr):
		return fmt.Errorf("the server at %s answered, but not like the platform API (%w). Check the provider's `endpoint` setting (or LOWCODE_ENDPOINT)", c.endpoint, err)
	case !errors.As(err, &apiErr):
		// No HTTP answer at all: refused, DNS, timeout or a dropped connection.
		return &verifyError{err: err, kind: ErrUnreachable, msg: fmt.Sprintf(
			"cannot reach the platform API at %s: %v. Check the provider's `endpoint` setting (or LOWCODE_ENDPOINT) and that the platform server is running",
			c.endpoint, err)}
	case apiErr.StatusCode == 401:
		return &verifyError{err: err, msg: fmt.Sprintf(
			"the platform API at %s rejected the API key (%v). Check the provider's `api_key` setting (or LOWCODE_API_KEY)",
			c.endpoint, err)}
	case apiErr.StatusCode == 404:
		return &verifyError{err: err, msg: fmt.Sprintf(
			"no platform API at %s (%v). Check the provider's `endpoint` setting (or LOWCODE_ENDPOINT): it is the server's base URL, such as http://127.0.0.1:8080",
			c.endpoint, err)}
	}
	return fmt.Errorf("checking the platform API at %s: %w", c.endpoint, err)
}

// verifyError carries a message with advice while still matching the cause (and, for an
// unreachable endpoint, ErrUnreachable) with errors.Is and errors.As.
type verifyError struct {
	msg  string
	kind error
	err  error
}

func (e *verifyError) Error() string { return e.msg }

func (e *verifyError) Unwrap() []error {
	if e.kind == nil {
		return []error{e.err}
	}
	return []error{e.kind, e.err}
}
