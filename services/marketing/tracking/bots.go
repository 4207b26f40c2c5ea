package tracking

import (
	"net/netip"
	"strings"
	"time"
)

// Hit is a request on a tracking link as the gateway forwards it: the
// method (HEAD for a prefetch that only looks), the client's User-Agent
// and address (X-Forwarded-For's first), and when it came.
type Hit struct {
	Method, UserAgent, IP string
	At                    time.Time
}

// The reasons an open or a click is taken for a machine's (message_events'
// bot_reason).
const (
	BotHead          = "head request"
	BotNoAgent       = "no user agent"
	BotAgent         = "scanner user agent"
	BotScannerNet    = "scanner network soon after the send"
	BotClickBeforeOp = "click before any open soon after the send"
)

// scannerAgents are lower-case fragments of the User-Agents of mail
// scanners, link checkers, crawlers and HTTP libraries: no person reads
// mail with them. No maintained Go module lists mail scanners (the crawler
// lists miss them), so the list is ours: security gateways that fetch
// every link of a mail on arrival (Barracuda, Mimecast, Proofpoint,
// Cisco IronPort, Symantec/Broadcom, Forcepoint, Trend Micro, Fortinet,
// Microsoft Safe Links), preview fetchers, and the generic words.
// GoogleImageProxy and Apple's Mail Privacy Protection fetch for a person
// who opened (or may open) the mail and are not in it.
var scannerAgents = []string{
	"bot", "crawler", "spider", "slurp", "preview", "scanner", "scan/",
	"barracuda", "mimecast", "proofpoint", "ironport", "symantec", "broadcom", "forcepoint", "trend micro",
	"trendmicro", "fortiguard", "fortinet", "safelinks", "linkchecker", "link checker",
	"python-requests", "python-urllib", "aiohttp", "go-http-client", "curl/", "wget/", "okhttp", "java/",
	"apache-httpclient", "libwww", "headlesschrome", "phantomjs",
}

// scannerNets are published outbound ranges of mail security gateways
// that fetch links as mail arrives (Microsoft Exchange Online Protection,
// Mimecast, Proofpoint, Barracuda). A hit from one of them within
// scanWindow of the send is the gateway's, not the reader's; later, it
// may be a reader behind the gateway's proxy.
var scannerNets = []netip.Prefix{
	netip.MustParsePrefix("40.92.0.0/15"), netip.MustParsePrefix("40.107.0.0/16"),
	netip.MustParsePrefix("52.100.0.0/14"), netip.MustParsePrefix("104.47.0.0/17"),
	netip.MustParsePrefix("205.139.110.0/24"), netip.MustParsePrefix("207.211.30.0/24"),
	netip.MustParsePrefix("148.163.128.0/19"), netip.MustParsePrefix("67.231.144.0/20"),
	netip.MustParsePrefix("209.222.80.0/21"), netip.MustParsePrefix("64.235.144.0/20"),
}

// scanWindow is how soon after a send a hit from a scanner network is
// the scanner's.
const scanWindow = 30 * time.Second

// clickWindow is how soon after a send a click with no open before it is
// a prefetch: no reader clicks within 2 s of delivery without the mail
// having loaded its images (or, where images are off, few do; the rule
// counts them out rather than count a scanner in).
const clickWindow = 2 * time.Second

// botReason returns why a hit of kind on a message sent at sent (zero:
// not known) on channel, opened before or not, is a machine's; "" for a
// person's.
func botReason(h Hit, kind Kind, channel string, sent time.Time, opened bool) string {
	ua := strings.ToLower(h.UserAgent)
	switch {
	case h.Method == "HEAD":
		return BotHead
	case strings.TrimSpace(ua) == "":
		return BotNoAgent
	}
	for _, frag := range scannerAgents {
		if strings.Contains(ua, frag) {
			return BotAgent
		}
	}
	if sent.IsZero() {
		return ""
	}
	since := h.At.Sub(sent)
	if since < scanWindow && fromScanner(h.IP) {
		return BotScannerNet
	}
	if kind == KindClick && channel == "email" && !opened && since < clickWindow {
		return BotClickBeforeOp
	}
	return ""
}

// fromScanner reports whether ip is in one of scannerNets.
func fromScanner(ip string) bool {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	addr = addr.Unmap()
	for _, n := range scannerNets {
		if n.Contains(addr) {
			return true
		}
	}
	return false
}
