package tracking

import (
	"testing"
	"time"
)

func TestBotReason(t *testing.T) {
	sent := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	person := "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
	for _, c := range []struct {
		name    string
		h       Hit
		kind    Kind
		channel string
		opened  bool
		want    string
	}{
		{"a person's open", Hit{Method: "GET", UserAgent: person, IP: "198.51.100.7", At: sent.Add(time.Second)}, KindOpen, "email", false, ""},
		{"a HEAD", Hit{Method: "HEAD", UserAgent: person, At: sent.Add(time.Hour)}, KindOpen, "email", false, BotHead},
		{"no user agent", Hit{Method: "GET", At: sent.Add(time.Hour)}, KindClick, "email", true, BotNoAgent},
		{"a scanner's agent", Hit{Method: "GET", UserAgent: "Mozilla/5.0 (compatible; Proofpoint URL Defense)", At: sent.Add(time.Hour)}, KindClick, "email", true, BotAgent},
		{"a scanner network soon", Hit{Method: "GET", UserAgent: person, IP: "40.107.22.9", At: sent.Add(3 * time.Second)}, KindOpen, "email", false, BotScannerNet},
		{"a scanner network later", Hit{Method: "GET", UserAgent: person, IP: "40.107.22.9", At: sent.Add(time.Hour)}, KindOpen, "email", false, ""},
		{"a click before any open, soon", Hit{Method: "GET", UserAgent: person, IP: "198.51.100.7", At: sent.Add(time.Second)}, KindClick, "email", false, BotClickBeforeOp},
		{"a click after an open, soon", Hit{Method: "GET", UserAgent: person, IP: "198.51.100.7", At: sent.Add(time.Second)}, KindClick, "email", true, ""},
		{"an SMS click, soon", Hit{Method: "GET", UserAgent: person, IP: "198.51.100.7", At: sent.Add(time.Second)}, KindClick, "sms", false, ""},
		{"a click before any open, later", Hit{Method: "GET", UserAgent: person, IP: "198.51.100.7", At: sent.Add(time.Minute)}, KindClick, "email", false, ""},
	} {
		if got := botReason(c.h, c.kind, c.channel, sent, c.opened); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}
