package audience

import "time"

// HistoryEntry is a contact entering or leaving a segment or list.
type HistoryEntry struct {
	ID        string    `json:"id"`
	ContactID string    `json:"contactId"`
	Action    string    `json:"action"` // "entered" or "left"
	At        time.Time `json:"at"`
}
