package tags

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rapport-crm/rapport/libs/errs"
)

// fields returns the fields err names, or nil.
func fields(err error) []string {
	var e *errs.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestNormalize(t *testing.T) {
	tag := Tag{Name: "  VIP ", Colour: "#1e88e5", Description: " top "}
	if err := tag.Normalize(); err != nil {
		t.Fatal(err)
	}
	if tag.Name != "VIP" || tag.Colour != "#1E88E5" || tag.Description != "top" {
		t.Errorf("normalised = %+v", tag)
	}
	plain := Tag{Name: "客户"}
	if err := plain.Normalize(); err != nil || plain.Colour != DefaultColour {
		t.Errorf("a tag without colour: %+v, %v; want colour %s", plain, err, DefaultColour)
	}
	bad := Tag{Name: strings.Repeat("名", MaxName+1), Colour: "blue", Description: strings.Repeat("x", MaxDescription+1)}
	if got := fields(bad.Normalize()); !slices.Equal(got, []string{"name", "colour", "description"}) {
		t.Errorf("invalid tag names fields %v, want name, colour, description", got)
	}
}

func TestNames(t *testing.T) {
	v := errs.NewValidator()
	got := Names(v, "tags", []string{" VIP", "vip", "客户", "", strings.Repeat("a", MaxName+1)})
	if want := []string{"VIP", "客户", "", strings.Repeat("a", MaxName+1)}; !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
	if got := fields(v.Err()); !slices.Equal(got, []string{"tags/3", "tags/4"}) {
		t.Errorf("invalid names %v, want tags/3 and tags/4", got)
	}
	if got := Names(errs.NewValidator(), "add", nil); got == nil || len(got) != 0 {
		t.Errorf("Names(nil) = %#v, want an empty list", got)
	}
}
