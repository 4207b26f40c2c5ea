package delivery

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// maxRedirects bounds the redirects one attempt follows.
const maxRedirects = 3

// ErrRedirect is the error of an attempt whose redirects are too many or
// lead to a scheme the configuration refuses.
var ErrRedirect = errors.New("delivery: redirect refused")

// NewClient returns the HTTP client of deliveries: its dialer's Control is
// guard (checked on the resolved address of every connection), it uses no
// proxy from the environment (a proxy would connect for it, unchecked),
// follows at most 3 redirects, each to https (or http with allowHTTP), and
// gives up on an attempt after timeout.
func NewClient(guard Guard, allowHTTP bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: guard.Control}
	transport := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: timeout,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
		ForceAttemptHTTP2:   true,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return fmt.Errorf("%w: more than %d redirects", ErrRedirect, maxRedirects)
			}
			if req.URL.Scheme != "https" && !(allowHTTP && req.URL.Scheme == "http") {
				return fmt.Errorf("%w: to a %s URL", ErrRedirect, req.URL.Scheme)
			}
			return nil
		},
	}
}
