package specmerge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rapport-crm/rapport/libs/discovery"
)

// SpecPath is where every service serves its own document, and where the
// gateway serves the merged one.
const SpecPath = "/openapi.json"

// maxSpecSize bounds a fetched service document.
const maxSpecSize = 8 << 20

// Config configures a Handler.
type Config struct {
	// Gateway is the gateway's own document (required).
	Gateway []byte
	// Specs are service documents known at construction (service →
	// document); fetched documents replace them.
	Specs map[string][]byte
	// Resolver, when set, is asked for an instance of each of Services
	// (shared deployment) whose /openapi.json Refresh fetches. Services may
	// name services not deployed here; they are left out quietly.
	Resolver discovery.Resolver
	Services []string
	// Client fetches the documents (default: 5 s timeout).
	Client *http.Client
	// Logger receives fetch failures (default slog.Default()).
	Logger *slog.Logger
}

// document is one merged document as served.
type document struct {
	body  []byte
	etag  string
	lists map[string][]string // list GETs' path templates → their items' members
}

// Handler serves the merged document at GET /openapi.json. It is safe for
// concurrent use.
type Handler struct {
	cfg Config
	doc atomic.Pointer[document]

	mu    sync.Mutex        // serialises Refresh
	specs map[string][]byte // the last good document of each service
}

// New merges cfg.Gateway with cfg.Specs and returns a Handler serving the
// result; call Refresh or Run to add the fetched documents.
func New(cfg Config) (*Handler, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 5 * time.Second}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &Handler{cfg: cfg, specs: maps.Clone(cfg.Specs)}
	if h.specs == nil {
		h.specs = map[string][]byte{}
	}
	if err := h.publish(); err != nil {
		return nil, err
	}
	return h, nil
}

// publish merges the current documents and serves the result.
func (h *Handler) publish() error {
	body, err := Merge(h.cfg.Gateway, h.specs)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	h.doc.Store(&document{body: body, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, lists: listIndex(body)})
	return nil
}

// ListFields returns the member names of the items of the list a GET of path
// answers, as the merged document describes them; ok is false when no list
// GET of the document matches path. It is the ergonomics package's
// Config.Fields.
func (h *Handler) ListFields(path string) (names []string, ok bool) {
	best := -1
	for p, n := range h.doc.Load().lists {
		if literal, match := matchTemplate(p, path); match && literal > best {
			best, names = literal, n
		}
	}
	return names, best >= 0
}

// Refresh fetches every service's document, keeps those that are valid on
// their own, and serves the new merge. A service whose fetch fails keeps its
// last good document (or stays out); the error lists every failure. A
// service that is not deployed (discovery.ErrNotDeployed) is no failure: it
// stays out of the merge.
func (h *Handler) Refresh(ctx context.Context) error {
	if h.cfg.Resolver == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	var failures []error
	changed := false
	for _, svc := range h.cfg.Services {
		b, err := h.fetch(ctx, svc)
		if errors.Is(err, discovery.ErrNotDeployed) {
			// Not a failure: this installation does not run svc, so its
			// document leaves the merge.
			if _, had := h.specs[svc]; had {
				delete(h.specs, svc)
				changed = true
			}
			continue
		}
		if err == nil {
			_, err = Merge(h.cfg.Gateway, map[string][]byte{svc: b})
		}
		if err != nil {
			failures = append(failures, fmt.Errorf("%s: %w", svc, err))
			continue
		}
		if string(h.specs[svc]) != string(b) {
			h.specs[svc], changed = b, true
		}
	}
	if changed {
		if err := h.publish(); err != nil {
			failures = append(failures, err)
		}
	}
	return errors.Join(failures...)
}

// fetch gets one service's document from one of its shared instances.
func (h *Handler) fetch(ctx context.Context, service string) ([]byte, error) {
	instances, err := h.cfg.Resolver.Resolve(ctx, service, "")
	if err != nil {
		return nil, err
	}
	if len(instances) == 0 {
		return nil, discovery.ErrNoInstances
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+instances[0].Address+SpecPath, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", req.URL, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSpecSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxSpecSize {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", req.URL, maxSpecSize)
	}
	return b, nil
}

// Run refreshes now and then every interval until ctx is done, logging
// failures. While a running service's document could not be fetched (it
// started after the gateway, say), it tries again sooner: from a second,
// doubling up to interval. Services with no instance at all wait the full
// interval.
func (h *Handler) Run(ctx context.Context, interval time.Duration) {
	retry := time.Second
	for {
		wait := interval
		if err := h.Refresh(ctx); err != nil && ctx.Err() == nil {
			h.cfg.Logger.WarnContext(ctx, "openapi: some service documents could not be refreshed", "error", err.Error())
			if h.missingRunning() {
				wait, retry = min(retry, interval), min(retry*2, interval)
			}
		} else {
			retry = time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// missingRunning reports whether a service that has an instance has no
// document yet.
func (h *Handler) missingRunning() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, svc := range h.cfg.Services {
		if _, ok := h.specs[svc]; ok {
			continue
		}
		if _, err := h.cfg.Resolver.Resolve(context.Background(), svc, ""); err == nil {
			return true
		}
	}
	return false
}

// ServeHTTP serves the merged document, with an ETag for conditional GETs.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	d := h.doc.Load()
	w.Header().Set("ETag", d.etag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == d.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(d.body)
}
