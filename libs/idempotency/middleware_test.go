package idempotency_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/idempotency"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/testkit"
)

// TestALargeBodyReachesTheHandlerWhole checks a body longer than
// kitx.DefaultBodyLimit sent with a key, as an upload is: the handler reads
// all of it (the middleware used to hand on its first MiB only), a retry
// with the same body is replayed, and one of another length is refused.
func TestALargeBodyReachesTheHandlerWhole(t *testing.T) {
	db := testkit.Postgres(t)
	admin := testkit.Open(t, db.AdminURL)
	if err := pg.Migrate(context.Background(), admin.DB, slog.New(slog.DiscardHandler), db.AppRole, idempotency.Migrations()); err != nil {
		t.Fatal(err)
	}
	app := testkit.Open(t, db.AppURL)
	var runs int
	h := idempotency.Middleware(idempotency.NewStore(app), nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		runs++
		n, _ := io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(strconv.FormatInt(n, 10)))
	}))
	p := auth.Principal{TenantID: uuid.NewString(), UserID: uuid.NewString()}
	body := make([]byte, 3*kitx.DefaultBodyLimit+17)
	_, _ = rand.Read(body)
	send := func(b []byte) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/v1/uploads", bytes.NewReader(b)).WithContext(auth.WithPrincipal(context.Background(), p))
		req.Header.Set(idempotency.Header, "k1")
		req.Header.Set("Content-Type", "application/octet-stream")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w
	}
	if w := send(body); w.Code != http.StatusAccepted || w.Body.String() != strconv.Itoa(len(body)) {
		t.Fatalf("first request: %d, the handler read %s bytes of %d", w.Code, w.Body, len(body))
	}
	if w := send(body); w.Code != http.StatusAccepted || w.Header().Get("Idempotent-Replayed") != "true" || runs != 1 {
		t.Errorf("retry: %d replayed %q after %d runs, want the first answer replayed", w.Code, w.Header().Get("Idempotent-Replayed"), runs)
	}
	if w := send(body[:len(body)-1]); w.Code != http.StatusConflict {
		t.Errorf("a body one byte shorter with the key: %d %s, want 409", w.Code, w.Body)
	}
}
