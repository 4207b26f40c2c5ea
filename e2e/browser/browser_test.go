package browser

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestMain(m *testing.M) {
	code := m.Run()
	Close()
	os.Exit(code)
}

// recorder is a test whose Errorf is recorded rather than failing it, to
// see what a page reports.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// site serves the pages of the tests: a form whose button echoes the
// field, a page setting an HttpOnly cookie on a path, one that alerts on a
// click, one that throws, and two for axe.
func site(t *testing.T) string {
	mux := http.NewServeMux()
	page := func(path, body string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width"><title>t</title></head><body><main>%s</main></body></html>`, body)
		})
	}
	page("/form", `<label for="name">Name</label><input id="name" value="old">
		<button data-testid="echo" onclick="document.getElementById('out').textContent = 'typed ' + document.getElementById('name').value + ' at ' + innerWidth">Echo</button>
		<p id="out" data-testid="out"></p>`)
	mux.HandleFunc("/cookie", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "secret", Value: "s1", Path: "/v1/auth", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		http.SetCookie(w, &http.Cookie{Name: "visible", Value: "v1", Path: "/"})
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<!doctype html><title>c</title><p>cookies</p>`)
	})
	page("/alert", `<button data-testid="go" onclick="alert('xss')">Go</button><p id="after">after</p>`)
	page("/throw", `<script>setTimeout(() => { throw new Error("boom") }, 0)</script><p>thrown</p>`)
	page("/clean", `<h1>Clean</h1><p>Nothing wrong here.</p>`)
	page("/broken", `<h1>Broken</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">`)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestFillClickText(t *testing.T) {
	base := site(t)
	for _, width := range []int{1440, 375} {
		p := NewPage(t, width, 800)
		p.Go(base + "/form")
		p.Fill("#name", "Zoë 张")
		p.ClickText("button", "Echo")
		if got, want := p.Text(TestID("out")), fmt.Sprintf("typed Zoë 张 at %d", width); got != want {
			t.Errorf("width %d: %q, want %q", width, got, want)
		}
		var title string
		p.Eval(`Promise.resolve(document.title)`, &title)
		if title != "t" {
			t.Errorf("title %q", title)
		}
		p.Fill("#name", "again")
		p.Click(TestID("echo"))
		if got := p.Text(TestID("out")); !strings.HasPrefix(got, "typed again ") {
			t.Errorf("width %d: %q after the second click", width, got)
		}
	}
}

func TestCookiesArePerPage(t *testing.T) {
	base := site(t)
	a := NewPage(t, 800, 600)
	a.Go(base + "/cookie")
	var secret *string
	for _, c := range a.Cookies() {
		if c.Name == "secret" {
			secret = &c.Value
			if !c.HTTPOnly || c.Path != "/v1/auth" || c.SameSite != "Strict" {
				t.Errorf("secret cookie %+v", c)
			}
		}
	}
	if secret == nil || *secret != "s1" {
		t.Fatalf("the HttpOnly cookie on /v1/auth is not listed: %+v", a.Cookies())
	}
	var jar string
	a.Eval(`document.cookie`, &jar)
	if jar != "visible=v1" {
		t.Errorf("document.cookie = %q", jar)
	}
	b := NewPage(t, 800, 600)
	b.Go(base + "/form")
	if got := b.Cookies(); len(got) != 0 {
		t.Errorf("a second page sees %d cookies of the first", len(got))
	}
}

func TestDialogsAndExceptionsFail(t *testing.T) {
	base := site(t)
	r := &recorder{}
	t.Run("page", func(t *testing.T) {
		r.TB = t
		p := NewPage(r, 800, 600)
		p.Go(base + "/alert")
		p.Click(TestID("go"))
		p.Wait("#after") // the dialog was dismissed: the page goes on
		p.Go(base + "/throw")
		p.Wait("p")
		var done bool
		p.Eval(`new Promise(r => setTimeout(() => r(true), 50))`, &done)
	})
	all := strings.Join(r.errors, "\n")
	if !strings.Contains(all, `alert dialog: "xss"`) || !strings.Contains(all, "Error: boom") || len(r.errors) != 2 {
		t.Errorf("recorded:\n%s", all)
	}
}

func TestAxe(t *testing.T) {
	base := site(t)
	r := &recorder{}
	t.Run("page", func(t *testing.T) {
		r.TB = t
		p := NewPage(r, 800, 600)
		p.Go(base + "/clean")
		p.Axe("clean")
		if len(r.errors) != 0 {
			t.Errorf("a clean page: %v", r.errors)
		}
		p.Go(base + "/broken")
		p.Axe("broken")
	})
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "axe on broken: image-alt (critical)") {
		t.Errorf("recorded: %q", r.errors)
	}
}

func TestScreenshot(t *testing.T) {
	base := site(t)
	p := NewPage(t, 375, 812)
	p.Go(base + "/clean")
	file := filepath.Join(t.TempDir(), "shots", "clean.png")
	p.Screenshot(file)
	b, err := os.ReadFile(file)
	if err != nil || !strings.HasPrefix(string(b), "\x89PNG") {
		t.Fatalf("%s: %v %.8q", file, err, b)
	}
}
