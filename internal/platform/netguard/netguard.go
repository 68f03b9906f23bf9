// Package netguard protects the server's outgoing HTTP calls (webhook
// deliveries and workflow http steps) from server-side request forgery:
// callback URLs are written by API users, so without a guard they could
// make the server reach its own admin ports, the private network or a
// cloud metadata service.
//
// Two checks work together. CheckURL inspects a URL when it is saved and
// before every request (including each redirect hop). The dialer's Control
// hook inspects the IP address actually being connected to, after DNS
// resolution, so host names that resolve to internal addresses and DNS
// rebinding are refused as well.
//
// Loopback and private addresses can be allowed by server settings (for
// local development and for platforms running inside a private network);
// link-local addresses (including cloud metadata services), unspecified,
// multicast, broadcast and reserved addresses are always refused.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// The server settings that relax the policy, named in error messages.
const (
	LoopbackFlag = "--allow-loopback-callbacks"
	LoopbackEnv  = "LOWCODE_ALLOW_LOOPBACK_CALLBACKS"
	PrivateFlag  = "--allow-private-callbacks"
	PrivateEnv   = "LOWCODE_ALLOW_PRIVATE_CALLBACKS"
)

// MaxRedirects is how many redirects an HTTPClient follows.
const MaxRedirects = 5

// Policy says which kinds of internal address outgoing calls may reach.
// The zero Policy allows public addresses only.
type Policy struct {
	// AllowLoopback allows 127.0.0.0/8 and ::1.
	AllowLoopback bool
	// AllowPrivate allows RFC 1918 networks, IPv6 unique local addresses
	// (fc00::/7) and carrier-grade NAT space (100.64.0.0/10), except the
	// cloud metadata addresses in those ranges.
	AllowPrivate bool
}

// Kind classifies an IP address for the policy.
type Kind string

// Address kinds. Only KindPublic is always allowed.
const (
	KindPublic      Kind = "public"
	KindLoopback    Kind = "loopback"
	KindPrivate     Kind = "private"
	KindMetadata    Kind = "cloud metadata"
	KindLinkLocal   Kind = "link-local"
	KindUnspecified Kind = "unspecified"
	KindMulticast   Kind = "multicast"
	KindBroadcast   Kind = "broadcast"
	KindReserved    Kind = "reserved"
)

// RefusedError reports an address or URL the policy refused.
type RefusedError struct {
	// Target is what was refused: a URL or an "ip:port" being dialed.
	Target string
	// Reason says why, such as "127.0.0.1 is a loopback address".
	Reason string
	// Kind is the address kind when an address was refused, else "".
	Kind Kind
}

// Error says what was refused and why, and which server setting, if any,
// would allow it.
func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("refused outgoing call to %s: %s", e.Target, e.Reason)
	switch e.Kind {
	case KindLoopback:
		msg += fmt.Sprintf("; the server allows loopback addresses when started with %s (or %s=true)", LoopbackFlag, LoopbackEnv)
	case KindPrivate:
		msg += fmt.Sprintf("; the server allows private addresses when started with %s (or %s=true)", PrivateFlag, PrivateEnv)
	case "", KindPublic:
	default:
		msg += "; no server setting allows this"
	}
	return msg
}

var (
	// The NAT64 prefixes embed an IPv4 address that a gateway reaches.
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	nat64Local = netip.MustParsePrefix("64:ff9b:1::/48")
	// IPv4-compatible (::a.b.c.d) and 6to4 (2002:a.b.c.d::/48) addresses embed one too.
	ipv4Compatible  = netip.MustParsePrefix("::/96")
	sixToFour       = netip.MustParsePrefix("2002::/16")
	ipv6Unspecified = netip.IPv6Unspecified()
	ipv6Loopback    = netip.IPv6Loopback()

	// Names that always mean this machine (RFC 6761) or a cloud metadata service, refused
	// when saved like the addresses they stand for; other names are checked when dialing.
	localNames = map[string]Kind{
		"localhost":                KindLoopback,
		"localhost.localdomain":    KindLoopback,
		"ip6-localhost":            KindLoopback,
		"ip6-loopback":             KindLoopback,
		"metadata.google.internal": KindMetadata,
		"metadata":                 KindMetadata,
		"instance-data":            KindMetadata,
	}

	metadata = []netip.Addr{
		netip.MustParseAddr("169.254.169.254"), // AWS, GCP, Azure, OCI, ...
		netip.MustParseAddr("fd00:ec2::254"),   // AWS IPv6
		netip.MustParseAddr("100.100.100.200"), // Alibaba Cloud
	}
	cgnat      = netip.MustParsePrefix("100.64.0.0/10")
	thisNet    = netip.MustParsePrefix("0.0.0.0/8")
	reserved4  = netip.MustParsePrefix("240.0.0.0/4")
	broadcast4 = netip.MustParseAddr("255.255.255.255")
)

// Classify returns the kind of ip. IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible
// (::a.b.c.d, deprecated but still routed to the IPv4 address by some stacks), NAT64
// (64:ff9b::a.b.c.d) and 6to4 (2002:aabb:ccdd::) addresses are classified by the IPv4 address
// inside.
func Classify(ip netip.Addr) Kind {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		b := ip.As16()
		switch {
		case nat64.Contains(ip) || nat64Local.Contains(ip) || ipv4Compatible.Contains(ip) && ip != ipv6Unspecified && ip != ipv6Loopback:
			ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
		case sixToFour.Contains(ip):
			ip = netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})
		}
	}
	for _, m := range metadata {
		if ip == m {
			return KindMetadata
		}
	}
	switch {
	case !ip.IsValid():
		return KindReserved
	case ip.IsLoopback():
		return KindLoopback
	case ip.IsUnspecified():
		return KindUnspecified
	case ip.IsPrivate(), cgnat.Contains(ip):
		return KindPrivate
	case ip.IsLinkLocalUnicast():
		return KindLinkLocal
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast():
		return KindMulticast
	case ip == broadcast4:
		return KindBroadcast
	case thisNet.Contains(ip), reserved4.Contains(ip):
		return KindReserved
	}
	return KindPublic
}

// CheckIP returns a *RefusedError when the policy does not allow ip.
// target names what was being reached, for the message.
func (p Policy) CheckIP(ip netip.Addr, target string) error {
	kind := Classify(ip)
	switch {
	case kind == KindPublic,
		kind == KindLoopback && p.AllowLoopback,
		kind == KindPrivate && p.AllowPrivate:
		return nil
	}
	return &RefusedError{Target: target, Reason: fmt.Sprintf("%s is %s address", ip, article(kind)), Kind: kind}
}

func article(k Kind) string {
	if k == KindUnspecified {
		return "an " + string(k)
	}
	return "a " + string(k)
}

// CheckURL checks a callback or http step URL: absolute http or https,
// with a host and without user information; when the host is an IP
// literal, the policy must allow it. Host names are checked when dialing.
func (p Policy) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return &RefusedError{Target: "an invalid URL", Reason: err.Error()}
	}
	return p.checkURL(u)
}

func (p Policy) checkURL(u *url.URL) error {
	// Paths and queries may carry tokens; messages name scheme and host only.
	target := (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
	switch {
	case !u.IsAbs():
		return &RefusedError{Target: "a relative URL", Reason: "the URL must be absolute, starting with http:// or https://"}
	case u.Scheme != "http" && u.Scheme != "https":
		return &RefusedError{Target: target, Reason: fmt.Sprintf("the scheme %q is not allowed; use http or https", u.Scheme)}
	case u.User != nil:
		return &RefusedError{Target: target, Reason: "the URL must not contain a user name or password; send credentials in headers"}
	case u.Hostname() == "":
		return &RefusedError{Target: target, Reason: "the URL has no host"}
	}
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		return p.CheckIP(ip, target)
	}
	if kind, ok := localName(u.Hostname()); ok {
		if kind == KindLoopback && p.AllowLoopback {
			return nil
		}
		return &RefusedError{Target: target, Reason: fmt.Sprintf("%s names %s address", u.Hostname(), article(kind)), Kind: kind}
	}
	// Resolvers accept forms netip does not, such as "2130706433" or
	// "0x7f.1" for 127.0.0.1; they are refused rather than guessed at.
	if net.ParseIP(u.Hostname()) == nil && looksNumeric(u.Hostname()) {
		return &RefusedError{Target: target, Reason: fmt.Sprintf("the host %q looks like an IP address in an unusual notation; write it in dotted-decimal or standard IPv6 form", u.Hostname())}
	}
	return nil
}

// localName tells whether host is a name known to stand for this machine or a cloud metadata
// service: one in localNames, or any name under .localhost.
func localName(host string) (Kind, bool) {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	if kind, ok := localNames[h]; ok {
		return kind, true
	}
	if strings.HasSuffix(h, ".localhost") {
		return KindLoopback, true
	}
	return "", false
}

// looksNumeric reports whether a host consists of digits, dots and hex
// notation only; no real host name does, since top-level domains have letters.
func looksNumeric(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	last := h[strings.LastIndexByte(h, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") {
		return true
	}
	for _, r := range last {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Control is a net.Dialer Control function that refuses connections to
// addresses the policy does not allow. It sees the resolved IP address,
// so it catches host names that point inside and DNS rebinding.
func (p Policy) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &RefusedError{Target: address, Reason: "the address could not be checked"}
	}
	return p.CheckIP(ap.Addr(), address)
}

// Dialer returns a net.Dialer that applies the policy to every connection.
func (p Policy) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: p.Control}
}

// DialContext dials like net.Dialer.DialContext, refusing addresses the
// policy does not allow.
func (p Policy) DialContext(ctx context.Context, network, address string) (net.Conn, error) {
	return p.Dialer(30*time.Second).DialContext(ctx, network, address)
}

// HTTPClient returns a client for outgoing calls under the policy: every
// request URL and redirect hop passes CheckURL, every connection passes
// Control, at most MaxRedirects redirects are followed, and proxy settings
// from the environment are ignored (a proxy would dial on our behalf,
// hiding the real destination from Control). timeout bounds each whole
// request, redirects included.
func (p Policy) HTTPClient(timeout time.Duration) *http.Client {
	return p.httpClient(timeout, p.Dialer(timeout))
}

// httpClient lets tests add their own check to the dialer's Control.
func (p Policy) httpClient(timeout time.Duration, dialer *net.Dialer) *http.Client {
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Timeout:   timeout,
		Transport: &checkedTransport{policy: p, next: transport},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			// via holds the requests made so far: len(via) is this hop's number.
			if len(via) > MaxRedirects {
				return fmt.Errorf("stopped after %d redirects", MaxRedirects)
			}
			return p.checkURL(req.URL)
		},
	}
}

// checkedTransport checks each request's URL before sending it, so a
// client built by HTTPClient cannot be pointed anywhere CheckURL refuses.
type checkedTransport struct {
	policy Policy
	next   http.RoundTripper
}

// CloseIdleConnections closes the idle connections of the transport underneath, so that
// http.Client.CloseIdleConnections reaches them: a server shutting down must not leave
// keep-alive connections (and their goroutines) behind.
func (t *checkedTransport) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (t *checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.policy.checkURL(req.URL); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.next.RoundTrip(req)
}

// IsRefused reports whether err (from CheckURL, a dial or an HTTPClient
// request) is a refusal by the policy, and returns it.
func IsRefused(err error) (*RefusedError, bool) {
	var r *RefusedError
	ok := errors.As(err, &r)
	return r, ok
}
