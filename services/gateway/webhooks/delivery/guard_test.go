package delivery

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/rapport-crm/rapport/libs/errs"
)

// TestDeliveryGuard: the addresses refused, and loopback allowed only
// with the development setting.
func TestDeliveryGuard(t *testing.T) {
	for _, tt := range []struct {
		addr        string
		strict, dev bool
	}{
		{"93.184.216.34", true, true}, {"2606:2800:220:1:248:1893:25c8:1946", true, true},
		{"127.0.0.1", false, true}, {"::1", false, true}, {"::ffff:127.0.0.1", false, true},
		{"10.0.0.1", false, false}, {"172.16.5.4", false, false}, {"192.168.1.1", false, false},
		{"169.254.169.254", false, false}, {"fe80::1", false, false}, {"fc00::1", false, false}, {"fd12::1", false, false},
		{"100.64.0.1", false, false}, {"0.0.0.0", false, false}, {"::", false, false}, {"224.0.0.1", false, false},
		{"::ffff:10.0.0.1", false, false}, {"::ffff:169.254.169.254", false, false},
	} {
		a := netip.MustParseAddr(tt.addr)
		if got := (Guard{}).Allowed(a); got != tt.strict {
			t.Errorf("Allowed(%s) = %v, want %v", tt.addr, got, tt.strict)
		}
		if got := (Guard{AllowLoopback: true}).Allowed(a); got != tt.dev {
			t.Errorf("with loopback, Allowed(%s) = %v, want %v", tt.addr, got, tt.dev)
		}
	}
	if err := (Guard{}).Control("tcp4", "10.1.2.3:443", nil); !errors.Is(err, ErrAddressForbidden) {
		t.Errorf("Control(10.1.2.3) = %v", err)
	}
	if err := (Guard{}).Control("tcp4", "93.184.216.34:443", nil); err != nil {
		t.Errorf("Control(public) = %v", err)
	}
}

// TestDeliveryCheckURL: what the API refuses at subscription create and
// update, each an Invalid error naming the field url.
func TestDeliveryCheckURL(t *testing.T) {
	for _, tt := range []struct {
		url  string
		dev  bool
		want *errs.Error // nil: accepted
	}{
		{"https://93.184.216.34/hooks", false, nil},
		{"https://[2606:2800:220:1:248:1893:25c8:1946]/hooks", false, nil},
		{"http://93.184.216.34/hooks", false, ErrURLScheme},
		{"http://93.184.216.34/hooks", true, nil},
		{"ftp://93.184.216.34/", true, ErrURLScheme},
		{"https://127.0.0.1/", false, ErrURLForbidden},
		{"http://127.0.0.1:8080/", true, nil},
		{"https://localhost/", false, ErrURLForbidden},
		{"https://localhost/", true, nil},
		{"https://10.0.0.1/", true, ErrURLForbidden},
		{"https://169.254.169.254/latest/meta-data/", true, ErrURLForbidden},
		{"https://[fc00::1]/", false, ErrURLForbidden},
		{"https://100.64.1.1/", false, ErrURLForbidden},
		{"https://user:pw@93.184.216.34/", false, ErrURLInvalid},
		{"/relative", false, ErrURLInvalid},
		{"https://", false, ErrURLInvalid},
		{"https://no-such-host.invalid/", false, ErrURLUnresolved},
	} {
		err := CheckURL(t.Context(), tt.url, tt.dev)
		if tt.want == nil {
			if err != nil {
				t.Errorf("CheckURL(%q, %v) = %v, want nil", tt.url, tt.dev, err)
			}
			continue
		}
		e, ok := errs.As(err)
		if !ok || !errors.Is(err, tt.want) || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "url" {
			t.Errorf("CheckURL(%q, %v) = %#v, want %s naming url", tt.url, tt.dev, err, tt.want.Slug)
		}
	}
}

// TestDeliverySign: Sign agrees with the Standard Webhooks library's own
// signer, for new secrets and the specification's example secret, and
// NewSecret makes distinct whsec_ secrets of 32 bytes.
func TestDeliverySign(t *testing.T) {
	ts := time.Unix(1614265330, 0)
	body := []byte(`{"test": 2432232314}`)
	for _, secret := range []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", NewSecret(), NewSecret()} {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		want, err := wh.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body)
		if err != nil {
			t.Fatal(err)
		}
		if got := Sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body); got != want {
			t.Errorf("Sign with %s = %s, want %s", secret, got, want)
		}
	}
	if got := Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, body); got != "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=" {
		t.Errorf("the specification's example signs as %s", got)
	}
	a, b := NewSecret(), NewSecret()
	if a == b || len(a) != len("whsec_")+44 || a[:6] != "whsec_" {
		t.Errorf("NewSecret: %s, %s", a, b)
	}
	if id := MessageID("01a25148-6a20-74c5-8e26-60ca8bd7326d"); id != "msg_01a251486a2074c58e2660ca8bd7326d" {
		t.Errorf("MessageID = %s", id)
	}
}

// TestDeliveryRedirects: a delivery follows a redirect (307 keeps the POST
// and its body) but not a fourth one, nor one to a scheme refused.
func TestDeliveryRedirects(t *testing.T) {
	e := newEnv(t)
	var mu sync.Mutex
	var hops int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/here", http.StatusTemporaryRedirect)
		case "/here":
			if r.Method != http.MethodPost || !bytes.Contains(body, []byte("specversion")) {
				w.WriteHeader(http.StatusBadRequest)
			}
		default: // /loop/n redirects for ever
			mu.Lock()
			hops++
			mu.Unlock()
			http.Redirect(w, r, "/loop"+r.URL.Path, http.StatusTemporaryRedirect)
		}
	}))
	defer srv.Close()
	moved := e.delivery(t, e.subscription(t, srv.URL+"/moved", NewSecret()), "a")
	loop := e.delivery(t, e.subscription(t, srv.URL+"/loop", NewSecret()), "a")
	e.run(t, Config{Schedule: []time.Duration{0}})
	eventually(t, "the moved delivery made", func() bool { return e.read(t, moved).Status == "succeeded" })
	eventually(t, "the looping delivery failed", func() bool { return e.read(t, loop).Status == "failed" })
	if as := e.attempts(t, loop); len(as) != 1 || !strings.Contains(as[0].Error, "more than 3 redirects") {
		t.Errorf("looping attempts %+v", as)
	}
	mu.Lock()
	defer mu.Unlock()
	if hops != 4 {
		t.Errorf("%d requests of the loop, want 4 (the first and 3 redirects)", hops)
	}

	client := NewClient(Guard{}, false, time.Second)
	to, _ := http.NewRequest(http.MethodPost, "http://93.184.216.34/", nil)
	from, _ := http.NewRequest(http.MethodPost, "https://93.184.216.34/", nil)
	if err := client.CheckRedirect(to, []*http.Request{from}); !errors.Is(err, ErrRedirect) {
		t.Errorf("a redirect from https to http: %v, want ErrRedirect", err)
	}
}
