package kb

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Feedback is a reader's verdict on an article: helpful or not, with an
// optional comment.
type Feedback struct {
	ID        string    `json:"-"`
	ArticleID string    `json:"-"`
	Helpful   *bool     `json:"helpful"`
	Comment   string    `json:"comment,omitempty"`
	CreatedBy string    `json:"-"`
	CreatedAt time.Time `json:"-"`
}

// FeedbackCounts are an article's counts of feedback.
type FeedbackCounts struct {
	HelpfulCount    int64 `json:"helpfulCount" db:"helpful_count"`
	NotHelpfulCount int64 `json:"notHelpfulCount" db:"not_helpful_count"`
}

// normalize validates f, trimming its comment.
func (f *Feedback) normalize() error {
	v := errs.NewValidator()
	v.Check(f.Helpful != nil, "helpful", "is required")
	f.Comment = strings.TrimSpace(f.Comment)
	v.Check(utf8.RuneCountInString(f.Comment) <= maxComment, "comment", fmt.Sprintf("must be at most %d characters", maxComment))
	return v.Err()
}

// helpful is 1 for helpful feedback, 0 for not.
func (f *Feedback) helpful() int {
	if *f.Helpful {
		return 1
	}
	return 0
}
