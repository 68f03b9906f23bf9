package netguard

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// No test contacts anything but servers on 127.0.0.1: refused addresses are
// refused before a connection is attempted.

func TestClassify(t *testing.T) {
	cases := []struct {
		ip   string
		want Kind
	}{
		{"8.8.8.8", KindPublic},
		{"93.184.216.34", KindPublic},
		{"2606:4700::1111", KindPublic},
		{"127.0.0.1", KindLoopback},
		{"127.255.255.254", KindLoopback},
		{"::1", KindLoopback},
		{"::ffff:127.0.0.1", KindLoopback},
		{"::127.0.0.1", KindLoopback},
		{"::127.1.2.3", KindLoopback},
		{"2002:7f00:1::", KindLoopback},
		{"::10.1.2.3", KindPrivate},
		{"::169.254.169.254", KindMetadata},
		{"2002:a9fe:a9fe::1", KindMetadata},
		{"::8.8.8.8", KindPublic},
		{"10.0.0.1", KindPrivate},
		{"172.16.0.1", KindPrivate},
		{"172.31.255.255", KindPrivate},
		{"172.32.0.1", KindPublic},
		{"192.168.1.1", KindPrivate},
		{"100.64.0.1", KindPrivate},
		{"100.127.255.255", KindPrivate},
		{"100.128.0.1", KindPublic},
		{"fc00::1", KindPrivate},
		{"fd12:3456::1", KindPrivate},
		{"::ffff:10.1.2.3", KindPrivate},
		{"64:ff9b::10.1.2.3", KindPrivate},
		{"64:ff9b::8.8.8.8", KindPublic},
		{"169.254.1.1", KindLinkLocal},
		{"fe80::1", KindLinkLocal},
		{"fe80::1%eth0", KindLinkLocal},
		{"169.254.169.254", KindMetadata},
		{"::ffff:169.254.169.254", KindMetadata},
		{"64:ff9b::169.254.169.254", KindMetadata},
		{"fd00:ec2::254", KindMetadata},
		{"100.100.100.200", KindMetadata},
		{"0.0.0.0", KindUnspecified},
		{"::", KindUnspecified},
		{"::ffff:0.0.0.0", KindUnspecified},
		{"0.1.2.3", KindReserved},
		{"240.0.0.1", KindReserved},
		{"255.255.255.255", KindBroadcast},
		{"224.0.0.1", KindMulticast},
		{"239.1.2.3", KindMulticast},
		{"ff02::1", KindMulticast},
		{"ff0e::1", KindMulticast},
	}
	for _, tc := range cases {
		t.Run(tc.ip, func(t *testing.T) {
			if got := Classify(netip.MustParseAddr(tc.ip)); got != tc.want {
				t.Errorf("Classify(%s) = %s, want %s", tc.ip, got, tc.want)
			}
		})
	}
}

func TestCheckIP(t *testing.T) {
	none := Policy{}
	loop := Policy{AllowLoopback: true}
	priv := Policy{AllowPrivate: true}
	both := Policy{AllowLoopback: true, AllowPrivate: true}
	cases := []struct {
		name    string
		policy  Policy
		ip      string
		wantErr string // substring; "" means allowed
	}{
		{"public by default", none, "8.8.8.8", ""},
		{"loopback by default", none, "127.0.0.1", "127.0.0.1 is a loopback address; the server allows loopback addresses when started with --allow-loopback-callbacks (or LOWCODE_ALLOW_LOOPBACK_CALLBACKS=true)"},
		{"loopback allowed", loop, "127.0.0.1", ""},
		{"ipv6 loopback allowed", loop, "::1", ""},
		{"mapped loopback allowed", loop, "::ffff:127.0.0.1", ""},
		{"loopback setting does not allow private", loop, "10.0.0.1", "--allow-private-callbacks (or LOWCODE_ALLOW_PRIVATE_CALLBACKS=true)"},
		{"private by default", none, "192.168.0.10", "is a private address"},
		{"private allowed", priv, "192.168.0.10", ""},
		{"ula allowed", priv, "fd12::1", ""},
		{"cgnat allowed", priv, "100.64.1.1", ""},
		{"private setting does not allow loopback", priv, "127.0.0.1", "--allow-loopback-callbacks"},
		{"metadata never", both, "169.254.169.254", "169.254.169.254 is a cloud metadata address; no server setting allows this"},
		{"ipv6 metadata inside ula never", both, "fd00:ec2::254", "cloud metadata"},
		{"alibaba metadata inside cgnat never", both, "100.100.100.200", "cloud metadata"},
		{"link-local never", both, "169.254.10.10", "link-local address; no server setting allows this"},
		{"ipv6 link-local never", both, "fe80::1", "link-local"},
		{"unspecified never", both, "0.0.0.0", "is an unspecified address"},
		{"multicast never", both, "224.0.0.251", "multicast"},
		{"broadcast never", both, "255.255.255.255", "broadcast"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.CheckIP(netip.MustParseAddr(tc.ip), tc.ip+":443")
			checkErr(t, err, tc.wantErr)
			if err != nil {
				if _, ok := IsRefused(err); !ok {
					t.Errorf("IsRefused(%v) = false", err)
				}
			}
		})
	}
}

func TestCheckURL(t *testing.T) {
	cases := []struct {
		name    string
		policy  Policy
		url     string
		wantErr string
	}{
		{"https host name", Policy{}, "https://hooks.example.com/lowcode?token=abc", ""},
		{"http public ip", Policy{}, "http://8.8.8.8:8080/x", ""},
		{"host names are checked at dial time", Policy{}, "http://hooks.internal.example/", ""},
		{"localhost is loopback", Policy{}, "http://localhost:8080/", "localhost names a loopback address"},
		{"localhost allowed", Policy{AllowLoopback: true}, "http://localhost:8080/", ""},
		{"names under .localhost", Policy{}, "http://api.LOCALHOST./", "loopback"},
		{"metadata name", Policy{AllowLoopback: true, AllowPrivate: true}, "http://metadata.google.internal/computeMetadata/v1/", "cloud metadata"},
		{"ipv4-compatible loopback literal", Policy{}, "http://[::127.0.0.1]/", "::7f00:1 is a loopback address"},
		{"relative", Policy{}, "/hooks", "must be absolute"},
		{"no scheme", Policy{}, "hooks.example.com/x", "must be absolute"},
		{"ftp", Policy{}, "ftp://example.com/file", `scheme "ftp" is not allowed`},
		{"file", Policy{}, "file:///etc/passwd", `scheme "file"`},
		{"userinfo", Policy{}, "https://user:pass@example.com/", "must not contain a user name or password"},
		{"userinfo password not echoed", Policy{}, "https://user:hunter2@example.com/", "https://example.com:"},
		{"no host", Policy{}, "http:///path", "has no host"},
		{"invalid", Policy{}, "http://[::1", "invalid URL"},
		{"loopback literal", Policy{}, "http://127.0.0.1:9000/hook", "loopback"},
		{"loopback literal allowed", Policy{AllowLoopback: true}, "http://127.0.0.1:9000/hook", ""},
		{"ipv6 loopback literal", Policy{}, "http://[::1]:9000/", "loopback"},
		{"mapped loopback literal", Policy{}, "http://[::ffff:127.0.0.1]/", "loopback"},
		{"metadata literal", Policy{AllowPrivate: true, AllowLoopback: true}, "http://169.254.169.254/latest/meta-data/", "cloud metadata"},
		{"private literal", Policy{}, "https://10.1.2.3/", "private"},
		{"decimal ip", Policy{AllowLoopback: true}, "http://2130706433/", "unusual notation"},
		{"short ip", Policy{}, "http://127.1/", "unusual notation"},
		{"hex ip", Policy{}, "http://0x7f.0.0.1/", "unusual notation"},
		{"query not echoed", Policy{}, "http://10.0.0.1/?token=secret", "http://10.0.0.1:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.policy.CheckURL(tc.url)
			checkErr(t, err, tc.wantErr)
			if err != nil && (strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "secret")) {
				t.Errorf("error %q leaks a credential", err)
			}
		})
	}
}

func TestHTTPClientLoopbackServer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	port := tcpPort(t, srv.Listener.Addr())
	byName := fmt.Sprintf("http://localhost:%d/", port)

	cases := []struct {
		name    string
		policy  Policy
		url     string
		wantErr string
	}{
		{"ip literal refused by default", Policy{}, srv.URL, "127.0.0.1 is a loopback address"},
		{"localhost refused by name before dialing", Policy{}, byName, "localhost names a loopback address"},
		{"private setting is not enough", Policy{AllowPrivate: true}, srv.URL, "--allow-loopback-callbacks"},
		{"reachable with AllowLoopback", Policy{AllowLoopback: true}, srv.URL, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := tc.policy.HTTPClient(5 * time.Second).Get(tc.url)
			checkErr(t, err, tc.wantErr)
			if err != nil {
				if r, ok := IsRefused(err); !ok || r.Kind != KindLoopback {
					t.Errorf("IsRefused(%v) = %v, %v; want a loopback refusal", err, r, ok)
				}
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if string(body) != "ok" {
				t.Errorf("body = %q", body)
			}
		})
	}
}

func TestDialContext(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	cases := []struct {
		name    string
		policy  Policy
		addr    string
		wantErr string
	}{
		{"refused", Policy{}, ln.Addr().String(), "loopback"},
		{"refused by name", Policy{}, strings.Replace(ln.Addr().String(), "127.0.0.1", "localhost", 1), "loopback"},
		{"allowed", Policy{AllowLoopback: true}, ln.Addr().String(), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.policy.DialContext(context.Background(), "tcp", tc.addr)
			checkErr(t, err, tc.wantErr)
			if c != nil {
				c.Close()
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	// target is a second loopback server standing in for an internal host:
	// the test dialer refuses its port, as Control refuses internal IPs.
	var targetHits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		io.WriteString(w, "internal")
	}))
	defer target.Close()
	targetPort := tcpPort(t, target.Listener.Addr())

	var loops atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/to-metadata", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
	})
	mux.HandleFunc("/to-userinfo", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://admin:x@"+r.Host+"/ok", http.StatusFound)
	})
	mux.HandleFunc("/to-internal", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/hops/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/hops/"), "%d", &n)
		loops.Add(1)
		if n == 0 {
			io.WriteString(w, "ok")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/hops/%d", n-1), http.StatusFound)
	})
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	policy := Policy{AllowLoopback: true}
	dialer := policy.Dialer(5 * time.Second)
	dialer.Control = func(network, address string, c syscall.RawConn) error {
		if err := policy.Control(network, address, c); err != nil {
			return err
		}
		if ap, err := netip.ParseAddrPort(address); err == nil && int(ap.Port()) == targetPort {
			return &RefusedError{Target: address, Reason: "test: stands in for an internal address", Kind: KindPrivate}
		}
		return nil
	}
	client := policy.httpClient(5*time.Second, dialer)

	cases := []struct {
		name      string
		path      string
		wantErr   string
		wantLoops int32
	}{
		{name: "to a metadata ip literal", path: "/to-metadata", wantErr: "169.254.169.254 is a cloud metadata address"},
		{name: "to a url with credentials", path: "/to-userinfo", wantErr: "must not contain a user name"},
		{name: "to a host refused at dial time", path: "/to-internal", wantErr: "stands in for an internal address"},
		{name: "five redirects are followed", path: "/hops/5", wantLoops: 6},
		{name: "six redirects are not", path: "/hops/6", wantErr: "stopped after 5 redirects", wantLoops: 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loops.Store(0)
			resp, err := client.Get(srv.URL + tc.path)
			if resp != nil {
				resp.Body.Close()
			}
			checkErr(t, err, tc.wantErr)
			if tc.wantLoops != 0 && loops.Load() != tc.wantLoops {
				t.Errorf("server saw %d requests, want %d", loops.Load(), tc.wantLoops)
			}
		})
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("the refused server received %d requests", n)
	}
}

func TestHTTPClientIgnoresProxyEnvironment(t *testing.T) {
	c := Policy{}.HTTPClient(time.Second)
	tr, ok := c.Transport.(*checkedTransport)
	if !ok {
		t.Fatalf("transport is %T", c.Transport)
	}
	if h, ok := tr.next.(*http.Transport); !ok || h.Proxy != nil {
		t.Errorf("inner transport %T has a proxy function", tr.next)
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not contain %q", err, want)
	}
}

// tcpPort is the port of a TCP listener's address.
func tcpPort(t *testing.T, addr net.Addr) int {
	t.Helper()
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		t.Fatalf("listener address %v is a %T, not TCP", addr, addr)
	}
	return tcp.Port
}
