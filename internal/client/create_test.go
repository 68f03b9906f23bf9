package client

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"testing"

	"github.com/lowcode-platform/terraform-provider-lowcode/internal/api"
)

// A create sends the id it chose; when no definite answer arrives it says so with an
// *OutcomeUnknownError carrying that id, and a definite refusal (4xx) is a plain error.
func TestCreateOutcome(t *testing.T) {
	cases := []struct {
		name    string
		steps   []step
		unknown bool
	}{
		{"created", []step{{status: 201, contype: "application/json", body: `{"id":"app_x","name":"a"}`}}, false},
		{"connection dropped on every attempt", []step{{hangUp: true}, {hangUp: true}}, true},
		{"server error on every attempt", []step{{status: 503}, {status: 503}}, true},
		{"a 2xx that is not the object", []step{{status: 201, contype: "text/html", body: "<html>proxy</html>"}}, true},
		{"refused: conflict", []step{{status: 409, contype: "application/problem+json", body: problem(409, "Conflict", "name taken")}}, false},
		{"refused: validation", []step{{status: 400, contype: "application/problem+json", body: problem(400, "Bad Request", "bad")}}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, s := newScripted(t, func(c *Config) { c.MaxRetries = len(tc.steps) - 1 }, tc.steps...)
			_, err := c.CreateApplication(context.Background(), api.ApplicationInput{Name: "a"})
			sent := s.requests()
			q, _ := url.ParseQuery(sent[0].query)
			id := q.Get("id")
			if !regexp.MustCompile(`^app_[0-9a-f]{32}$`).MatchString(id) {
				t.Fatalf("the create sent id %q", id)
			}
			for _, r := range sent[1:] {
				if r.query != sent[0].query {
					t.Errorf("a retry sent %q, the first attempt %q: retries must send the same id", r.query, sent[0].query)
				}
			}
			var unknown *OutcomeUnknownError
			if got := errors.As(err, &unknown); got != tc.unknown {
				t.Fatalf("outcome unknown = %v, want %v (error %v)", got, tc.unknown, err)
			}
			if tc.unknown && unknown.ID != id {
				t.Errorf("the error names %s, the request sent %s", unknown.ID, id)
			}
		})
	}
}
