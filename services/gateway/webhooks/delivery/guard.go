package delivery

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"syscall"
)

// ErrAddressForbidden is the error of a connection Guard refuses.
var ErrAddressForbidden = errors.New("delivery: address forbidden")

// cgnat is the carrier-grade NAT range (RFC 6598), which netip does not
// class as private.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Guard decides which addresses webhooks may be sent to: never loopback,
// private (RFC 1918, fc00::/7), link-local (169.254/16 with the clouds'
// metadata 169.254.169.254, fe80::/10), unspecified, multicast or CGNAT
// (100.64/10); loopback only when AllowLoopback (the development setting).
type Guard struct {
	AllowLoopback bool
}

// Allowed reports whether addr may be connected to.
func (g Guard) Allowed(addr netip.Addr) bool {
	addr = addr.Unmap()
	switch {
	case !addr.IsValid():
		return false
	case addr.IsLoopback():
		return g.AllowLoopback
	case addr.IsPrivate(), addr.IsLinkLocalUnicast(), addr.IsLinkLocalMulticast(), addr.IsInterfaceLocalMulticast(),
		addr.IsMulticast(), addr.IsUnspecified(), cgnat.Contains(addr):
		return false
	}
	return true
}

// Control is a net.Dialer's Control: it refuses a connection whose
// resolved address is not Allowed. As the dialer calls it for every
// connection, after resolving, it covers redirects and DNS rebinding.
func (g Guard) Control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", ErrAddressForbidden, address, err)
	}
	if !g.Allowed(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrAddressForbidden, ap.Addr())
	}
	return nil
}

// CheckURL validates a subscription's URL for the API: absolute, https
// (http too when dev, the development setting, which allows loopback as
// well), without user information, and a host that resolves only to
// addresses Guard allows. Its errors are *errs.Error naming field "url".
func CheckURL(ctx context.Context, raw string, dev bool) error {
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Hostname() == "" || u.Opaque != "" {
		return urlError(ErrURLInvalid, "must be an absolute URL such as https://example.com/hooks")
	}
	if u.User != nil {
		return urlError(ErrURLInvalid, "must not carry a user name or password")
	}
	if u.Scheme != "https" && !(dev && u.Scheme == "http") {
		return urlError(ErrURLScheme, "must be an https URL")
	}
	g := Guard{AllowLoopback: dev}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		if !g.Allowed(a) {
			return urlError(ErrURLForbidden, "must not be a private, loopback or link-local address")
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return urlError(ErrURLUnresolved, "its host "+host+" does not resolve")
	}
	for _, a := range addrs {
		if !g.Allowed(a) {
			return urlError(ErrURLForbidden, "its host "+host+" resolves to a private, loopback or link-local address")
		}
	}
	return nil
}
