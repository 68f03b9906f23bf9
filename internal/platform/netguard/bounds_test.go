package netguard

import (
	"net/http"
	"testing"
	"time"
)

// Hosts that a resolver would read as an IP address in an unusual notation are refused by
// their last label: all digits (every digit counts, the ends of the range included) or hex.
func TestLooksNumeric(t *testing.T) {
	cases := []struct {
		host string
		want bool
	}{
		{"127.0.9", true},
		{"10.0.0", true},
		{"2130706439", true},
		{"1.0x7f", true},
		{"0X7F.1", true}, // the last label decides
		{"127.1.", true}, // a trailing dot is the root
		{"hooks.example.com", false},
		{"10.0.0.a9", false},
		{"9a", false},
		{"/9", false}, // '/' is just below '0'
		{"9:", false}, // ':' is just above '9'
		{"", false},
		{"example.", false},
	}
	for _, tc := range cases {
		t.Run(tc.host, func(t *testing.T) {
			if got := looksNumeric(tc.host); got != tc.want {
				t.Errorf("looksNumeric(%q) = %v, want %v", tc.host, got, tc.want)
			}
		})
	}
}

// Every outgoing connection and request phase is bounded: zero would mean no limit (or, for
// keep-alive, the default), and a slow or hostile callback could hold a connection forever.
func TestOutgoingCallsAreBounded(t *testing.T) {
	d := Policy{}.Dialer(7 * time.Second)
	if d.Timeout != 7*time.Second {
		t.Errorf("dialer timeout = %s, want the one given", d.Timeout)
	}
	if d.KeepAlive <= 0 {
		t.Errorf("dialer keep-alive = %s, want a positive probe interval", d.KeepAlive)
	}
	if d.Control == nil {
		t.Fatal("the dialer has no Control: connections would not be checked")
	}
	c := Policy{}.HTTPClient(3 * time.Second)
	if c.Timeout != 3*time.Second {
		t.Errorf("client timeout = %s, want the one given", c.Timeout)
	}
	ct, ok := c.Transport.(*checkedTransport)
	if !ok {
		t.Fatalf("transport is %T, want the checked transport", c.Transport)
	}
	h, ok := ct.next.(*http.Transport)
	if !ok {
		t.Fatalf("checked transport wraps %T, want *http.Transport", ct.next)
	}
	for name, v := range map[string]time.Duration{
		"IdleConnTimeout":       h.IdleConnTimeout,
		"TLSHandshakeTimeout":   h.TLSHandshakeTimeout,
		"ExpectContinueTimeout": h.ExpectContinueTimeout,
	} {
		if v <= 0 {
			t.Errorf("transport %s = %s, want a bound", name, v)
		}
	}
	if h.MaxIdleConns <= 0 {
		t.Errorf("transport MaxIdleConns = %d, want a bound", h.MaxIdleConns)
	}
}
