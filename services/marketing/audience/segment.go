package audience

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// The kinds of segment.
const (
	KindDynamic = "dynamic" // membership decided by the filter, kept by the service
	KindStatic  = "static"  // a list: members added and removed by hand
)

// maxName and maxDescription bound a segment's texts, in characters.
const (
	maxName        = 200
	maxDescription = 2000
)

// Segment is a dynamic segment or a static list of the tenant's audience.
type Segment struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Kind        string          `json:"kind"`
	Filter      json.RawMessage `json:"filter,omitempty"`
	MemberCount int64           `json:"memberCount"`
	CreatedBy   string          `json:"createdBy"`
	CreatedAt   time.Time       `json:"createdAt"`
	UpdatedAt   time.Time       `json:"updatedAt"`
	Version     int64           `json:"version"`
}

// createReadOnly are the fields a create may not set; patchReadOnly those
// a merge patch may not change.
var (
	createReadOnly = []string{"id", "memberCount", "createdBy", "createdAt", "updatedAt", "version"}
	patchReadOnly  = append([]string{"kind"}, createReadOnly...)
)

// normalize trims s's texts and checks every field, the filter compiled
// against the audience's fields (an unknown field is named at its path,
// "filter/and/0/field"); relative reports whether the filter has a
// time-relative condition.
func (s *Segment) normalize() (relative bool, err error) {
	s.Name, s.Description = strings.TrimSpace(s.Name), strings.TrimSpace(s.Description)
	v := errs.NewValidator()
	v.Check(s.Name != "", "name", "is required")
	v.Check(utf8.RuneCountInString(s.Name) <= maxName, "name", "is longer than 200 characters")
	v.Check(utf8.RuneCountInString(s.Description) <= maxDescription, "description", "is longer than 2000 characters")
	v.Check(s.Kind == KindDynamic || s.Kind == KindStatic, "kind", `must be "dynamic" or "static"`)
	if string(s.Filter) == "null" {
		s.Filter = nil
	}
	v.Check(s.Kind != KindDynamic || s.Filter != nil, "filter", "is required for a dynamic segment")
	v.Check(s.Kind != KindStatic || s.Filter == nil, "filter", "is not allowed on a static list")
	if err := v.Err(); err != nil {
		return false, err
	}
	if s.Filter == nil {
		return false, nil
	}
	f, err := parseFilter(s.Filter)
	if err != nil {
		return false, err
	}
	if s.Filter, err = json.Marshal(f.node); err != nil {
		return false, err
	}
	return f.relative, nil
}
