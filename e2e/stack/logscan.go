package stack

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// stackLog is the output of every process a test started, one file, each
// line prefixed with the process's name; LogScan checks it when the test
// ends.
type stackLog struct {
	mu   sync.Mutex
	file *os.File
	path string
}

// logs holds each test's stackLog.
var logs sync.Map // testing.TB → *stackLog

// logFor returns t's stackLog, making it (and registering its scan as a
// cleanup, which then runs after every process started later has stopped)
// on first use.
func logFor(t testing.TB) *stackLog {
	t.Helper()
	if l, ok := logs.Load(t); ok {
		return l.(*stackLog)
	}
	path := filepath.Join(t.TempDir(), "stack.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatalf("stack log: %v", err)
	}
	l := &stackLog{file: f, path: path}
	logs.Store(t, l)
	t.Cleanup(func() {
		logs.Delete(t)
		if err := f.Close(); err != nil {
			t.Errorf("stack log: %v", err)
		}
		ScanLog(t, path)
	})
	return l
}

// writer returns the io.Writer of process name's output.
func (l *stackLog) writer(name string) *prefixWriter {
	return &prefixWriter{log: l, prefix: name + ": "}
}

// tail returns up to the last n bytes of name's lines.
func (l *stackLog) tail(name string, n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	data, err := os.ReadFile(l.path)
	if err != nil {
		return err.Error()
	}
	var b strings.Builder
	for line := range strings.SplitAfterSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, name+": "); ok {
			b.WriteString(rest)
		}
	}
	s := b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}

// prefixWriter writes whole lines into a stackLog, each after its prefix.
type prefixWriter struct {
	log     *stackLog
	prefix  string
	partial []byte
}

// Write implements io.Writer; proc calls it from one goroutine.
func (w *prefixWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	i := strings.LastIndexByte(string(w.partial), '\n')
	if i < 0 {
		return len(p), nil
	}
	var b strings.Builder
	for line := range strings.SplitAfterSeq(string(w.partial[:i+1]), "\n") {
		if line == "" {
			continue // after the last newline
		}
		b.WriteString(w.prefix)
		b.WriteString(line)
	}
	w.partial = append(w.partial[:0], w.partial[i+1:]...)
	w.log.mu.Lock()
	defer w.log.mu.Unlock()
	if _, err := w.log.file.WriteString(b.String()); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes a last line without its newline; proc calls it once the
// process has exited.
func (w *prefixWriter) Flush() {
	if len(w.partial) > 0 {
		_, _ = w.Write([]byte("\n"))
	}
}

// secrets are the credentials the tests have set or received: passwords,
// tokens, API keys, webhook secrets, cookies. No log line may hold one.
var secrets sync.Map // string → what it is

// minSecret is the length below which a value is too common to be a
// credential worth looking for (a role name, "Bearer").
const minSecret = 8

// RememberSecret adds s to the credentials no log line may hold.
func RememberSecret(what, s string) {
	if len(s) >= minSecret {
		secrets.LoadOrStore(s, what)
	}
}

// rememberExchange remembers the credentials of one call: its bearer
// token, the cookies it was given, and every string of its JSON bodies
// under a key naming a password, token or secret.
func rememberExchange(token string, reqBody any, res *http.Response, resBody []byte) {
	RememberSecret("a bearer token", token)
	for _, c := range res.Cookies() {
		RememberSecret("cookie "+c.Name, c.Value)
	}
	if data, err := json.Marshal(reqBody); err == nil && reqBody != nil {
		rememberJSON(data)
	}
	if strings.Contains(res.Header.Get("Content-Type"), "json") {
		rememberJSON(resBody)
	}
}

// rememberJSON walks a JSON document for credential-named string values.
func rememberJSON(data []byte) {
	var v any
	if json.Unmarshal(data, &v) == nil {
		walkSecrets("", v)
	}
}

func walkSecrets(key string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			walkSecrets(k, x)
		}
	case []any:
		for _, x := range v {
			walkSecrets(key, x)
		}
	case string:
		k := strings.ToLower(key)
		if (strings.Contains(k, "password") || strings.Contains(k, "token") || strings.Contains(k, "secret")) &&
			!strings.HasSuffix(k, "type") && !strings.HasSuffix(k, "hint") && !strings.HasSuffix(k, "prefix") {
			RememberSecret("the "+key+" of a call", v)
		}
	}
}

// leakPatterns are credentials recognised by their form.
var leakPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a bearer token", regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/-]{16,}`)},
	{"a JWT", regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)},
	{"an API key", regexp.MustCompile(`rpk_[A-Za-z0-9]+_[A-Za-z0-9]{16,}`)},
	{"a webhook secret", regexp.MustCompile(`whsec_[A-Za-z0-9+/=]{16,}`)},
	{"a private key", regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)},
	{"a password", regexp.MustCompile(`(?i)"?(password|passwd|pwd)"?\s*[:=]\s*"?[^"\s,}{\[*][^"\s,}{]{3,}`)},
	{"a cookie", regexp.MustCompile(`(?i)\b(set-)?cookie"?\s*[:=]\s*"?\[?"?[A-Za-z0-9_.-]+=[^;"\s]{8,}`)},
}

// cardCandidate is a run of 13 to 19 digits, possibly grouped by spaces or
// dashes, standing alone.
var cardCandidate = regexp.MustCompile(`(?:^|[^0-9A-Za-z_.:-])(\d(?:[ -]?\d){12,18})(?:$|[^0-9A-Za-z_-])`)

// ScanLog fails t for every line of the log at path that holds a
// remembered credential or one recognised by its form (LeakIn).
func ScanLog(t testing.TB, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Errorf("log scan: %v", err)
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	found, n := 0, 0
	for sc.Scan() {
		n++
		if what := LeakIn(sc.Text()); what != "" {
			if found++; found <= 20 {
				t.Errorf("log scan: line %d holds %s: %.300s", n, what, sc.Text())
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Errorf("log scan: %v", err)
	}
	if found > 20 {
		t.Errorf("log scan: %d lines in all hold a credential", found)
	}
	t.Logf("log scan: %d lines read, %d hold a credential", n, found)
}

// LeakIn describes the credential line holds, or returns "" when it holds
// none: a secret the tests remembered, a token, key, secret, password or
// cookie by its form, or a card-like number (13 to 19 digits passing Luhn).
func LeakIn(line string) string {
	what := ""
	secrets.Range(func(k, v any) bool {
		if strings.Contains(line, k.(string)) {
			what = fmt.Sprint(v)
			return false
		}
		return true
	})
	if what != "" {
		return what
	}
	for _, p := range leakPatterns {
		if p.re.MatchString(line) {
			return p.what
		}
	}
	for _, m := range cardCandidate.FindAllStringSubmatch(line, -1) {
		digits := strings.NewReplacer(" ", "", "-", "").Replace(m[1])
		if len(digits) >= 13 && len(digits) <= 19 && luhn(digits) {
			return "a card-like number"
		}
	}
	return ""
}

// luhn reports whether digits pass the Luhn check.
func luhn(digits string) bool {
	sum := 0
	for i := range len(digits) {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
