package tenantdata

import (
	"time"

	"github.com/rapport-crm/rapport/libs/errs"
)

// Format is the version of the part and archive layout this package writes;
// it reads every format up to it.
const Format = 1

// PartFile is the name of a part's first entry.
const PartFile = "part.json"

// ManifestFile is the name of an archive's first entry.
const ManifestFile = "manifest.json"

// Part describes one service's rows of a tenant.
type Part struct {
	Format  int              `json:"format"`
	Service string           `json:"service"`
	Tenant  string           `json:"tenant"`           // the tenant id the rows were read with
	Schema  map[string]int64 `json:"schema"`           // goose source → version
	Tables  []TableData      `json:"tables"`           // in load order
	Time    time.Time        `json:"time"`             // when the snapshot was taken
	Skipped []string         `json:"skipped,omitzero"` // tenant-owned tables deliberately left out
}

// TableData is one table of a part: its entry is File, one JSON array of
// Columns' text values per line.
type TableData struct {
	Table
	File   string `json:"file"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"` // hex, of the entry's bytes
	// Left is, in Import's answer, how many rows were left out: unique on
	// the whole database, and held by another tenant there.
	Left int64 `json:"left,omitzero"`
}

// Manifest is an archive's manifest.json.
type Manifest struct {
	Format    int       `json:"format"`
	Tenant    string    `json:"tenant"`
	Slug      string    `json:"slug"`
	CreatedAt time.Time `json:"createdAt"`
	Parts     []Part    `json:"parts"`
}

// The errors of an export or an import.
var (
	// ErrNotEmpty refuses an import into a tenant that holds rows.
	ErrNotEmpty = errs.New(errs.Conflict, "tenant-not-empty", "the tenant already holds data")
	// ErrChecksum refuses an entry whose bytes or rows differ from the manifest.
	ErrChecksum = errs.New(errs.Invalid, "archive-checksum", "the archive does not match its checksums")
	// ErrArchive refuses an archive that is not one.
	ErrArchive = errs.New(errs.Invalid, "invalid-archive", "the body is not a tenant archive")
	// ErrUnsupported refuses an archive of a newer format or of a schema the
	// target does not have.
	ErrUnsupported = errs.New(errs.Unprocessable, "archive-unsupported", "the archive was written by a newer version")
	// ErrTenant refuses a tenant id that is not one.
	ErrTenant = errs.New(errs.Invalid, "invalid-tenant", "the tenant id is not a UUID")
)
