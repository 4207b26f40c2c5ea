package contacts

import "time"

// Settings are a tenant's settings of the contacts service.
type Settings struct {
	// DefaultRegion is the region (ISO 3166-1 alpha-2) phone numbers typed
	// without an international prefix are read in; one of PhoneRegions.
	DefaultRegion string    `json:"defaultRegion" db:"default_region"`
	UpdatedAt     time.Time `json:"updatedAt" db:"updated_at"`
	Version       int64     `json:"version" db:"version"`
}

// DefaultRegion is the region of a tenant that has not chosen one.
const DefaultRegion = "US"
