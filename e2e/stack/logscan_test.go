package stack

import "testing"

func TestSweepLeakIn(t *testing.T) {
	RememberSecret("a test password", "pw-0123456789abcdef")
	for _, tt := range []struct {
		line string
		leak bool
	}{
		{`time=2026-12-07T19:00:00Z level=INFO msg="gateway ready" keys=[k1]`, false},
		{`level=WARN msg="login failed" email=a@b.test password=pw-0123456789abcdef`, true},
		{`level=WARN msg=x note="echo pw-0123456789abcdef"`, true},
		{`level=INFO msg=x authorization="Bearer abcdefghijklmnopqrstuvwxyz012345"`, true},
		{`level=INFO msg=x token=eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ`, true},
		{`level=INFO msg=x key=rpk_abcdefgh_ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`, true},
		{`level=INFO msg=x key=rpk_abcdefgh`, false},
		{`level=INFO msg=x secret=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, true},
		{`-----BEGIN PRIVATE KEY-----`, true},
		{`level=INFO msg=x "password":"[REDACTED]"`, false},
		{`level=INFO msg=x cookie="rapport_refresh=0123456789abcdef"`, true},
		{`level=INFO msg=x card=4111111111111111`, true},
		{`level=INFO msg=x card="4111 1111 1111 1111"`, true},
		{`level=INFO msg=x n=4111111111111112`, false},
		{`level=INFO msg=x offset=1234 elapsed=15ms id=01JF8ZQ7X4B3N2M1K0H9G8F7E6`, false},
	} {
		if got := LeakIn(tt.line); (got != "") != tt.leak {
			t.Errorf("LeakIn(%q) = %q, want a leak %v", tt.line, got, tt.leak)
		}
	}
}

func TestSweepLuhn(t *testing.T) {
	for digits, ok := range map[string]bool{"4111111111111111": true, "5555555555554444": true, "378282246310005": true, "4111111111111112": false} {
		if luhn(digits) != ok {
			t.Errorf("luhn(%s) = %v", digits, !ok)
		}
	}
}

func TestSweepStackLogLines(t *testing.T) {
	l := logFor(t)
	a, b := l.writer("a"), l.writer("b")
	for _, w := range []struct {
		pw   *prefixWriter
		text string
	}{{a, "one\ntw"}, {b, "uno\n"}, {a, "o\nthree"}, {b, "dos\n"}} {
		if _, err := w.pw.Write([]byte(w.text)); err != nil {
			t.Fatal(err)
		}
	}
	a.Flush()
	if got, want := l.tail("a", 100), "one\ntwo\nthree\n"; got != want {
		t.Errorf("tail of a = %q, want %q", got, want)
	}
	if got, want := l.tail("b", 100), "uno\ndos\n"; got != want {
		t.Errorf("tail of b = %q, want %q", got, want)
	}
}
