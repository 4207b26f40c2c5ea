package webhooks

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/filter"
)

// The states of a subscription.
const (
	StatusActive   = "active"
	StatusDisabled = "disabled"
)

// Subscription is a webhook subscription as the API shows it. Secret is
// set only in the answers of creation and rotation.
type Subscription struct {
	ID             string       `json:"id"`
	URL            string       `json:"url"`
	Description    string       `json:"description"`
	EventTypes     []string     `json:"eventTypes"`
	Filter         *filter.Node `json:"filter"`
	Status         string       `json:"status"`
	DisabledReason string       `json:"disabledReason"`
	DisabledAt     *time.Time   `json:"disabledAt"`
	FailingSince   *time.Time   `json:"failingSince"`
	CreatedAt      time.Time    `json:"createdAt"`
	UpdatedAt      time.Time    `json:"updatedAt"`
	Version        int64        `json:"version"`
	Secret         string       `json:"secret,omitempty"`
}

// subscriptionRow is a webhook_subscriptions row but its secret.
type subscriptionRow struct {
	ID             string         `db:"id"`
	URL            string         `db:"url"`
	Description    string         `db:"description"`
	EventTypes     pq.StringArray `db:"event_types"`
	Filter         []byte         `db:"filter"`
	Status         string         `db:"status"`
	DisabledReason string         `db:"disabled_reason"`
	DisabledAt     *time.Time     `db:"disabled_at"`
	FailingSince   *time.Time     `db:"failing_since"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
	Version        int64          `db:"version"`
}

const subscriptionColumns = `id, url, description, event_types, filter, status, disabled_reason, disabled_at,
	failing_since, created_at, updated_at, version`

// subscription converts r.
func (r subscriptionRow) subscription() (Subscription, error) {
	s := Subscription{
		ID: r.ID, URL: r.URL, Description: r.Description, EventTypes: []string(r.EventTypes), Status: r.Status,
		DisabledReason: r.DisabledReason, DisabledAt: utc(r.DisabledAt), FailingSince: utc(r.FailingSince),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Version: r.Version,
	}
	if len(r.Filter) > 0 {
		n, err := filter.Parse(r.Filter)
		if err != nil {
			return s, fmt.Errorf("webhooks: stored filter of %s: %w", r.ID, err)
		}
		s.Filter = n
	}
	return s, nil
}

// filterJSON is the jsonb of n, nil (NULL) without a filter.
func filterJSON(n *filter.Node) ([]byte, error) {
	if n == nil {
		return nil, nil
	}
	return json.Marshal(n)
}

// utc returns t in UTC, nil for nil.
func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
