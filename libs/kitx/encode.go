package kitx

import (
	"context"
	"encoding/json"
	"net/http"
)

// StatusCoder is implemented by responses whose status is not 200, such as
// 201 Created or 204 No Content.
type StatusCoder interface {
	StatusCode() int
}

// ETagger is implemented by responses that carry an entity tag, typically
// ETag(version) of the aggregate they hold.
type ETagger interface {
	ETag() string
}

// EncodeJSON is the go-kit response encoder of every Rapport endpoint. It
// writes response as JSON with the status of StatusCoder (200 otherwise) and
// the ETag of ETagger. A nil response or a 204 status writes no body.
func EncodeJSON(_ context.Context, w http.ResponseWriter, response any) error {
	status := http.StatusOK
	if sc, ok := response.(StatusCoder); ok {
		status = sc.StatusCode()
	}
	if et, ok := response.(ETagger); ok {
		if tag := et.ETag(); tag != "" {
			w.Header().Set("ETag", tag)
		}
	}
	if response == nil || status == http.StatusNoContent {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(response)
}
