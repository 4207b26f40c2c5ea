package kb

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Category is a node of the tree of categories articles are filed in,
// with its name in each locale it is named in.
type Category struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId,omitempty"`
	// Names are the category's names by locale (BCP 47): one at least.
	Names     map[string]string `json:"names"`
	Position  int               `json:"position"`
	CreatedAt time.Time         `json:"createdAt"`
	UpdatedAt time.Time         `json:"updatedAt"`
	Version   int64             `json:"version"`
}

// The bounds of a category.
const (
	maxCategoryName  = 100
	maxCategoryNames = 50
	maxCategoryPos   = 1_000_000
)

// categoryReadOnly are the fields of a Category the service sets.
var categoryReadOnly = []string{"id", "createdAt", "updatedAt", "version"}

// The errors of categories.
var (
	ErrCategoryNotFound = errs.New(errs.NotFound, "kb-category-not-found", "category not found")
	ErrCategoryInUse    = errs.New(errs.Conflict, "kb-category-in-use", "the category has subcategories or articles; move them first")
	errCategoryRef      = errs.Invalidf([]errs.FieldError{{Field: "categoryId", Reason: "must be a category of the knowledge base"}},
		"the category does not exist")
	errParentRef = errs.Invalidf([]errs.FieldError{{Field: "parentId", Reason: "must be another category, not one under this one"}},
		"the parent category does not exist or is under this one")
)

// normalize validates c: names keyed by canonical locales, trimmed.
func (c *Category) normalize() error {
	v := errs.NewValidator()
	c.ParentID = strings.TrimSpace(c.ParentID)
	v.Check(len(c.Names) >= 1 && len(c.Names) <= maxCategoryNames, "names", fmt.Sprintf("must name the category in 1 to %d locales", maxCategoryNames))
	names := make(map[string]string, len(c.Names))
	for _, k := range slices.Sorted(maps.Keys(c.Names)) {
		locale, ok := Locale(k)
		v.Check(ok, "names/"+k, "must be keyed by a BCP 47 language tag such as zh-CN or en")
		name := strings.TrimSpace(c.Names[k])
		v.Check(name != "" && utf8.RuneCountInString(name) <= maxCategoryName, "names/"+k, fmt.Sprintf("must be 1 to %d characters", maxCategoryName))
		names[locale] = name
	}
	c.Names = names
	v.Check(c.Position >= 0 && c.Position <= maxCategoryPos, "position", fmt.Sprintf("must be 0 to %d", maxCategoryPos))
	return v.Err()
}
