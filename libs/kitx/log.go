package kitx

import (
	"context"
	"log/slog"
)

// RequestIDLogKey is the attribute under which log records carry the request id.
const RequestIDLogKey = "request_id"

// LogHandler wraps h so that every record logged with a context carrying a
// request id (logger.InfoContext(ctx, ...)) gets a request_id attribute,
// unless the record already has one. Attributes added this way follow any
// group opened with WithGroup.
func LogHandler(h slog.Handler) slog.Handler {
	return logHandler{h}
}

type logHandler struct{ next slog.Handler }

// Enabled implements slog.Handler.
func (h logHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle implements slog.Handler.
func (h logHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" && !hasAttr(r, RequestIDLogKey) {
		r = r.Clone()
		r.AddAttrs(slog.String(RequestIDLogKey, id))
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h logHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return logHandler{h.next.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h logHandler) WithGroup(name string) slog.Handler {
	return logHandler{h.next.WithGroup(name)}
}

// hasAttr reports whether r has a top-level attribute named key.
func hasAttr(r slog.Record, key string) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		found = a.Key == key
		return !found
	})
	return found
}
