package tracking_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/services/marketing/tracking"
)

var testKey = bytes.Repeat([]byte("s"), 32)

func testRef() tracking.Ref {
	return tracking.Ref{TenantID: uuid.NewString(), MessageID: uuid.NewString(), ContactID: uuid.NewString(),
		CampaignID: uuid.NewString(), Channel: "email"}
}

// tokenOf returns the token of a link made by Links under base, checking
// its route.
func tokenOf(t *testing.T, link, base string, r tracking.Ref, route string) string {
	t.Helper()
	prefix := base + "/m/" + r.TenantID + "/" + route + "/"
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("link %q, want it under %q", link, prefix)
	}
	return strings.TrimPrefix(link, prefix)
}

func TestLinksRoundTripEveryKind(t *testing.T) {
	l := tracking.NewLinks("https://crm.example.com/", testKey)
	r := testRef()
	for _, c := range []struct {
		link, route string
		kind        tracking.Kind
	}{
		{l.Open(r), "t/o", tracking.KindOpen},
		{l.Click(r, "https://shop.example.com/a?b=c"), "t/c", tracking.KindClick},
		{l.Unsubscribe(r), "u", tracking.KindUnsubscribe},
		{l.Preferences(r), "preferences", tracking.KindPreferences},
	} {
		tok := tokenOf(t, c.link, "https://crm.example.com", r, c.route)
		got, err := l.Parse(c.kind, r.TenantID, tok)
		if err != nil {
			t.Fatalf("%s: %v", c.route, err)
		}
		want := r
		if c.kind == tracking.KindOpen || c.kind == tracking.KindClick { // the message's row has the rest
			want = tracking.Ref{TenantID: r.TenantID, MessageID: r.MessageID}
		}
		if got.Ref != want {
			t.Fatalf("%s: ref %+v, want %+v", c.route, got.Ref, want)
		}
		if _, err := l.Parse(c.kind, uuid.NewString(), tok); err != tracking.ErrToken {
			t.Fatalf("%s token accepted for another tenant: %v", c.route, err)
		}
		if c.kind == tracking.KindClick && got.Target != "https://shop.example.com/a?b=c" {
			t.Fatalf("target %q", got.Target)
		}
		if other := tracking.KindOpen; c.kind != other {
			if _, err := l.Parse(other, r.TenantID, tok); err != tracking.ErrToken {
				t.Fatalf("%s token accepted as an open: %v", c.route, err)
			}
		}
	}
}

func TestLinksRejectForgedAndTamperedTokens(t *testing.T) {
	l := tracking.NewLinks("https://crm.example.com", testKey)
	r := testRef()
	tok := tokenOf(t, l.Click(r, "https://shop.example.com/"), "https://crm.example.com", r, "t/c")
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		t.Fatal(err)
	}
	// The target is just before the MAC: point it elsewhere.
	evil := bytes.Replace(raw, []byte("shop.example.com"), []byte("evil.example.com"), 1)
	forged := tracking.NewLinks("https://crm.example.com", bytes.Repeat([]byte("x"), 32)).Click(r, "https://evil.example.com/")
	for name, bad := range map[string]string{
		"retargeted":  base64.RawURLEncoding.EncodeToString(evil),
		"other key":   tokenOf(t, forged, "https://crm.example.com", r, "t/c"),
		"truncated":   tok[:len(tok)-3],
		"not base64":  tok + "!",
		"empty":       "",
		"bit flipped": base64.RawURLEncoding.EncodeToString(append(bytes.Clone(raw[:5]), append([]byte{raw[5] ^ 1}, raw[6:]...)...)),
	} {
		if _, err := l.Parse(tracking.KindClick, r.TenantID, bad); err != tracking.ErrToken {
			t.Errorf("%s: err %v, want ErrToken", name, err)
		}
	}
}

func TestLinksKeepNonUUIDFields(t *testing.T) {
	l := tracking.NewLinks("http://127.0.0.1:8080", testKey)
	r := tracking.Ref{TenantID: "acme", MessageID: "m-1", ContactID: "C-2", Channel: "sms"}
	got, err := l.Parse(tracking.KindUnsubscribe, r.TenantID, tokenOf(t, l.Unsubscribe(r), "http://127.0.0.1:8080", r, "u"))
	if err != nil || got.Ref != r {
		t.Fatalf("ref %+v err %v, want %+v", got.Ref, err, r)
	}
}

var hrefs = regexp.MustCompile(`href="([^"]*)"`)

func TestDecorateTracksHTTPLinksWithUTMAndAddsThePixel(t *testing.T) {
	l := tracking.NewLinks("https://crm.example.com", testKey)
	r := testRef()
	unsub := l.Unsubscribe(r)
	doc := `<html><body><p>Hi <b>there</b></p>` +
		`<a class="btn" href="https://shop.example.com/sale?x=1&amp;y=2">Sale</a>` +
		`<a href="mailto:a@example.com">mail</a><a href="#top">top</a>` +
		`<a href="https://shop.example.com/?utm_source=keep">kept</a>` +
		`<a href="` + unsub + `">unsubscribe</a></BODY></html>`
	out := l.Decorate(doc, r, tracking.UTM{Source: "rapport", Medium: "email", Campaign: "spring"})
	if !strings.HasPrefix(out, `<html><body><p>Hi <b>there</b></p>`) {
		t.Fatalf("document changed around the links: %s", out)
	}
	var targets []string
	for _, m := range hrefs.FindAllStringSubmatch(out, -1) {
		h := strings.ReplaceAll(m[1], "&amp;", "&")
		if !strings.HasPrefix(h, "https://crm.example.com/m/"+r.TenantID+"/t/c/") {
			targets = append(targets, h)
			continue
		}
		tok, err := l.Parse(tracking.KindClick, r.TenantID, strings.TrimPrefix(h, "https://crm.example.com/m/"+r.TenantID+"/t/c/"))
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, tok.Target)
	}
	want := []string{
		"https://shop.example.com/sale?x=1&y=2&utm_campaign=spring&utm_medium=email&utm_source=rapport",
		"mailto:a@example.com", "#top",
		"https://shop.example.com/?utm_source=keep&utm_campaign=spring&utm_medium=email",
		unsub,
	}
	if strings.Join(targets, "\n") != strings.Join(want, "\n") {
		t.Fatalf("targets\n%s\nwant\n%s", strings.Join(targets, "\n"), strings.Join(want, "\n"))
	}
	if !strings.Contains(out, `class="btn"`) {
		t.Fatalf("attributes lost: %s", out)
	}
	pixel := `<img src="` + l.Open(r) + `"`
	if i := strings.Index(out, pixel); i < 0 || !strings.HasSuffix(out[i:], "</BODY></html>") || strings.Contains(out[i:], "<a") {
		t.Fatalf("pixel not just before </body>: %s", out)
	}
	if got := l.Decorate("<p>no body</p>", r, tracking.UTM{}); !strings.HasPrefix(got, "<p>no body</p><img ") {
		t.Fatalf("pixel not at the end: %s", got)
	}
}

func TestShortenTextTracksURLsInText(t *testing.T) {
	l := tracking.NewLinks("https://crm.example.com", testKey)
	r := testRef()
	r.Channel = "sms"
	out := l.ShortenText("Sale today: https://shop.example.com/s?a=1. Reply STOP", r, tracking.UTM{Medium: "sms"})
	m := regexp.MustCompile(`^Sale today: https://crm\.example\.com/m/[^/]+/t/c/([A-Za-z0-9_-]+)\. Reply STOP$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("text %q", out)
	}
	tok, err := l.Parse(tracking.KindClick, r.TenantID, m[1])
	if err != nil || tok.Target != "https://shop.example.com/s?a=1&utm_medium=sms" {
		t.Fatalf("target %q err %v", tok.Target, err)
	}
	if _, err := url.Parse(out[strings.Index(out, "https://crm"):strings.Index(out, ". Reply")]); err != nil {
		t.Fatal(err)
	}
}

func TestLinksFromEnv(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	env := func(vars map[string]string) func(string) string { return func(k string) string { return vars[k] } }
	key := base64.StdEncoding.EncodeToString(testKey)
	l, err := tracking.LinksFromEnv(env(map[string]string{tracking.EnvPublicURL: "https://crm.example.com", tracking.EnvLinkKey: key}), quiet)
	if err != nil {
		t.Fatal(err)
	}
	r := testRef()
	if _, err := tracking.NewLinks("https://crm.example.com", testKey).Parse(tracking.KindOpen, r.TenantID, tokenOf(t, l.Open(r), "https://crm.example.com", r, "t/o")); err != nil {
		t.Fatalf("env key not the key: %v", err)
	}
	if _, err := tracking.LinksFromEnv(env(map[string]string{tracking.EnvLinkKey: base64.StdEncoding.EncodeToString([]byte("short"))}), quiet); err != tracking.ErrLinkKey {
		t.Fatalf("short key: %v", err)
	}
	if _, err := tracking.LinksFromEnv(env(map[string]string{tracking.EnvPublicURL: "ftp://x"}), quiet); err == nil {
		t.Fatal("ftp public URL accepted")
	}
	l, err = tracking.LinksFromEnv(env(nil), quiet)
	if err != nil || !strings.HasPrefix(l.Open(r), "http://127.0.0.1:8080/m/") {
		t.Fatalf("defaults: %v %s", err, l.Open(r))
	}
}
