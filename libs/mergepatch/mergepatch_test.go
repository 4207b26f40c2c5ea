package mergepatch_test

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/mergepatch"
)

// TestMergeFollowsRFC7396 runs the examples of RFC 7396's appendix A.
func TestMergeFollowsRFC7396(t *testing.T) {
	for _, tt := range []struct{ target, patch, want string }{
		{`{"a":"b"}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"b"}`, `{"b":"c"}`, `{"a":"b","b":"c"}`},
		{`{"a":"b"}`, `{"a":null}`, `{}`},
		{`{"a":"b","b":"c"}`, `{"a":null}`, `{"b":"c"}`},
		{`{"a":["b"]}`, `{"a":"c"}`, `{"a":"c"}`},
		{`{"a":"c"}`, `{"a":["b"]}`, `{"a":["b"]}`},
		{`{"a":{"b":"c"}}`, `{"a":{"b":"d","c":null}}`, `{"a":{"b":"d"}}`},
		{`{"a":[{"b":"c"}]}`, `{"a":[1]}`, `{"a":[1]}`},
		{`["a","b"]`, `["c","d"]`, `["c","d"]`},
		{`{"a":"b"}`, `["c"]`, `["c"]`},
		{`{"a":"foo"}`, `null`, `null`},
		{`{"a":"foo"}`, `"bar"`, `"bar"`},
		{`{"e":null}`, `{"a":1}`, `{"a":1,"e":null}`},
		{`[1,2]`, `{"a":"b","c":null}`, `{"a":"b"}`},
		{`{}`, `{"a":{"bb":{"ccc":null}}}`, `{"a":{"bb":{}}}`},
	} {
		var target, patch any
		if err := json.Unmarshal([]byte(tt.target), &target); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(tt.patch), &patch); err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(mergepatch.Merge(target, patch))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("merge %s into %s = %s, want %s", tt.patch, tt.target, got, tt.want)
		}
	}
}

// doc is a resource; its raw members keep the JSON they are given.
type doc struct {
	ID     string                    `json:"id"`
	Name   string                    `json:"name,omitempty"`
	Amount jsontext.Value            `json:"amount,omitempty"`
	Extra  map[string]jsontext.Value `json:"extra,omitempty"`
}

func TestApply(t *testing.T) {
	current := doc{ID: "1", Name: "Ada", Amount: jsontext.Value("12500.50"), Extra: map[string]jsontext.Value{"k": jsontext.Value(`"v"`)}}
	var got doc
	if err := mergepatch.Apply(current, json.RawMessage(`{"name":null,"extra":{"n":0.10000000000000000001}}`), []string{"id"}, &got); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if want := `{"id":"1","amount":12500.50,"extra":{"k":"v","n":0.10000000000000000001}}`; string(b) != want {
		t.Errorf("applied: %s, want %s (numbers as written)", b, want)
	}
	for _, tt := range []struct {
		patch, field string
		want         error
	}{
		{`[1]`, "", mergepatch.ErrNotObject},
		{`null`, "", mergepatch.ErrNotObject},
		{`"x"`, "", mergepatch.ErrNotObject},
		{`{"id":"2","name":"B"}`, "id", nil},
		{`{"nickname":"x"}`, "nickname", nil},
	} {
		err := mergepatch.Apply(current, json.RawMessage(tt.patch), []string{"id"}, &got)
		var e *errs.Error
		switch {
		case tt.want != nil && !errors.Is(err, tt.want):
			t.Errorf("patch %s: %v, want %v", tt.patch, err, tt.want)
		case tt.want == nil && (!errors.As(err, &e) || errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error()+fieldsOf(e), tt.field)):
			t.Errorf("patch %s: %v, want an invalid %s", tt.patch, err, tt.field)
		}
	}
}

// fieldsOf lists the fields an error names.
func fieldsOf(e *errs.Error) string {
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return strings.Join(out, ",")
}

func TestCheckContentType(t *testing.T) {
	for _, tt := range []struct {
		contentType string
		want        error
	}{
		{mergepatch.ContentType, nil},
		{mergepatch.ContentType + "; charset=utf-8", nil},
		{"application/json", mergepatch.ErrNotMergePatch},
		{"", mergepatch.ErrNotMergePatch},
	} {
		r := httptest.NewRequest("PATCH", "/x", strings.NewReader(`{"a":1}`))
		if tt.contentType != "" {
			r.Header.Set("Content-Type", tt.contentType)
		}
		if err := mergepatch.CheckContentType(r); !errors.Is(err, tt.want) {
			t.Errorf("Content-Type %q: %v; want %v", tt.contentType, err, tt.want)
		}
	}
}
