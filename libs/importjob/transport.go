package importjob

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/kitx"
	"github.com/rapport-crm/rapport/libs/resource"
	"github.com/rapport-crm/rapport/libs/starter"
)

// RouteConfig is where a service serves its imports and who may use them.
type RouteConfig struct {
	// Path is the imports' collection ("/v1/imports"): an import is at
	// Path/{id}.
	Path string
	// Permission is what every route needs: importing is writing the
	// records, and an import's error report holds the file's rows
	// ("contacts:write").
	Permission string
	// Operation names the routes' operationIds: "Import" makes
	// startImport, previewImport, listImports, getImport, cancelImport
	// and importErrors.
	Operation string
}

// Routes returns the routes of imports on s as c says. The service's
// api/openapi.yaml documents each (Name is its operationId).
func Routes(s Service, c RouteConfig) []starter.Route {
	e := MakeEndpoints(s, c.Path)
	op, write := c.Operation, c.Permission
	return resource.Routes(
		starter.Route{Name: "start" + op, Method: "POST", Path: c.Path, Permission: write, Endpoint: e.StartImport,
			Decode: decodeUpload(true)},
		starter.Route{Name: "preview" + op, Method: "POST", Path: c.Path + "/preview", Permission: write, Endpoint: e.PreviewImport,
			Decode: decodeUpload(false)},
		starter.Route{Name: "list" + op + "s", Method: "GET", Path: c.Path, Permission: write, Endpoint: e.ListImports, Decode: decodeList},
		starter.Route{Name: "get" + op, Method: "GET", Path: c.Path + "/{id}", Permission: write, Endpoint: e.GetImport, Decode: resource.DecodeID},
		starter.Route{Name: "cancel" + op, Method: "DELETE", Path: c.Path + "/{id}", Permission: write, Endpoint: e.CancelImport,
			Decode: resource.DecodeID},
		starter.Route{Name: strings.ToLower(op[:1]) + op[1:] + "Errors", Method: "GET", Path: c.Path + "/{id}/errors", Permission: write,
			Endpoint: e.ImportErrors, Decode: resource.DecodeID, Encode: encodeErrors},
	)
}

// multipartOverhead is what a multipart body may hold beside the file: the
// options part and the parts' headers and boundaries.
const multipartOverhead = 2 << 20

// decodeList reads a page's limit and cursor.
func decodeList(_ context.Context, r *http.Request) (any, error) {
	limit, err := kitx.Limit(r)
	return listRequest{Limit: limit, Cursor: r.URL.Query().Get("cursor")}, err
}

// decodeUpload returns the decoder of an upload: a multipart/form-data body
// of an "options" part (JSON Options; needed when options is set) and then
// a "file" part, which the service streams from the request (parts after it
// are not read). A body announcing more than MaxFileBytes is refused at once.
func decodeUpload(options bool) func(context.Context, *http.Request) (any, error) {
	return func(_ context.Context, r *http.Request) (any, error) {
		if r.ContentLength > MaxFileBytes+multipartOverhead {
			return nil, ErrFileTooLarge.WithDetail("the upload is %d bytes: the file may be at most %d bytes (1 GiB)", r.ContentLength, int64(MaxFileBytes))
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, ErrNotMultipart.WithDetail("send multipart/form-data with an options part (JSON) and then a file part: %s", err.Error())
		}
		var up Upload
		seen := false
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return nil, badPart("file", "the upload has no file part")
			}
			if err != nil {
				return nil, ErrBadUpload.WithDetail("the multipart body could not be read: %s", err.Error())
			}
			switch part.FormName() {
			case "options":
				if seen {
					return nil, badPart("options", "the upload has two options parts")
				}
				seen = true
				data, err := io.ReadAll(io.LimitReader(part, kitx.DefaultBodyLimit+1))
				switch {
				case err != nil:
					return nil, ErrBadUpload.WithDetail("the options part could not be read: %s", err.Error())
				case len(data) > int(kitx.DefaultBodyLimit):
					return nil, badPart("options", "the options part is larger than 1 MiB")
				}
				if err := kitx.DecodeJSON(data, &up.Options); err != nil {
					return nil, err
				}
			case "file":
				if options && !seen {
					return nil, badPart("options", "an options part with the mapping must come before the file part")
				}
				up.FileName, up.File = part.FileName(), part
				return up, nil
			default:
				return nil, badPart(part.FormName(), fmt.Sprintf("unknown part %q: send an options part and a file part", part.FormName()))
			}
		}
	}
}

// badPart is ErrBadUpload naming the part at fault.
func badPart(name, reason string) error {
	e := ErrBadUpload.WithDetail("%s", reason)
	e.Fields = []errs.FieldError{{Field: name, Reason: reason}}
	return e
}

// encodeErrors streams an import's error report as CSV in UTF-8 with a
// byte order mark, one line per fault (row, column, value, reason), values
// defused as exports defuse them (CellText). Once the first line is
// written an error can only cut the response off, so that a client never
// takes a cut-off report for a whole one.
func encodeErrors(_ context.Context, w http.ResponseWriter, resp any) error {
	report, ok := resp.(*ErrorReport)
	if !ok {
		return fmt.Errorf("importjob: %T is no error report", resp)
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="import-`+report.Import.ID+`-errors.csv"`)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	out := csv.NewWriter(w)
	_, err := w.Write([]byte("\uFEFF"))
	if err == nil {
		err = out.Write([]string{"row", "column", "value", "reason"})
	}
	if err == nil {
		err = report.Stream(func(e RowError) error {
			return out.Write([]string{strconv.FormatInt(e.Row, 10), CellText(e.Column), CellText(e.Value), e.Reason})
		})
	}
	if err == nil {
		out.Flush()
		err = out.Error()
	}
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	return nil
}
