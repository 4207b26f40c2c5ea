// Package importjob is the CSV import of records that services share
// (contacts' contacts, sales' leads): a file of up to MaxFileBytes streamed
// into the service's database with a column mapping and a duplicate
// policy, then imported in the background as a job that any replica may
// run and that survives a restart (it resumes after its last committed
// chunk). The package does what is the same for every kind of record: the
// upload and the stored file, the text encoding (detected, converted with
// x/text), a bounded CSV reader that recovers from a malformed row, the
// preview and the checks of a mapping against the header, the job table
// and its states, the runner that claims jobs with FOR UPDATE SKIP LOCKED,
// progress, cancel, the error report, the provenance of imported records
// and the HTTP routes. What a record is — the fields a column may fill,
// what a mapping needs, how a chunk of rows is validated, checked for
// duplicates and written in its transaction — is the service's Domain.
//
// The tables live in each service's database (Migrations, under row-level
// security); the job's end is published as the service's
// <entity>.completed event (Config.Entity).
package importjob

import (
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/errs"
)

// MaxFileBytes is the largest file an import takes: 1 GiB.
const MaxFileBytes = 1 << 30

// The states of an import. An upload is stored first (uploading), then the
// job waits for a runner (queued), runs, and ends completed, failed or
// cancelled.
const (
	StateUploading = "uploading"
	StateQueued    = "queued"
	StateRunning   = "running"
	StateCompleted = "completed"
	StateFailed    = "failed"
	StateCancelled = "cancelled"
)

// The duplicate policies: what a row does that matches a live record the
// importer may see, or an earlier row of the file. skip leaves the record
// as it is; update writes the row's non-empty cells over it; create
// creates a new record all the same. A Domain says which it takes
// (Target.Check) and how a row matches.
const (
	PolicySkip   = "skip"
	PolicyUpdate = "update"
	PolicyCreate = "create"
)

// Policies are the duplicate policies.
var Policies = []string{PolicySkip, PolicyUpdate, PolicyCreate}

// The verb of the event that ends an import, and the actions its
// provenance notes.
const (
	VerbCompleted = "completed"
	ActionCreated = "created"
	ActionUpdated = "updated"
)

// Options are an import's settings: the column mapping (header → field;
// "" leaves a column out), the duplicate policy (default skip), and the
// file's encoding and delimiter when they are not to be detected.
type Options struct {
	Mapping         map[string]string `json:"mapping"`
	DuplicatePolicy string            `json:"duplicatePolicy,omitempty"`
	Encoding        string            `json:"encoding,omitempty"`
	Delimiter       string            `json:"delimiter,omitempty"`
}

// Import is an import job as the API shows it.
type Import struct {
	ID              string         `json:"id" db:"id"`
	State           string         `json:"state" db:"state"`
	FailureReason   string         `json:"failureReason,omitempty" db:"failure_reason"`
	FileName        string         `json:"fileName" db:"file_name"`
	SizeBytes       int64          `json:"sizeBytes" db:"size_bytes"`
	Encoding        string         `json:"encoding" db:"encoding"`
	Delimiter       string         `json:"delimiter" db:"delimiter"`
	Header          pq.StringArray `json:"header" db:"header"`
	Mapping         Mapping        `json:"mapping" db:"mapping"`
	DuplicatePolicy string         `json:"duplicatePolicy" db:"duplicate_policy"`
	RowsRead        int64          `json:"rowsRead" db:"rows_read"`
	Created         int64          `json:"created" db:"created"`
	Updated         int64          `json:"updated" db:"updated"`
	Skipped         int64          `json:"skipped" db:"skipped"`
	Failed          int64          `json:"failed" db:"failed"`
	RowsPerSecond   float64        `json:"rowsPerSecond" db:"-"`
	Progress        float64        `json:"progress" db:"-"`
	CreatedBy       string         `json:"createdBy" db:"created_by"`
	CreatedAt       time.Time      `json:"createdAt" db:"created_at"`
	StartedAt       *time.Time     `json:"startedAt,omitempty" db:"started_at"`
	FinishedAt      *time.Time     `json:"finishedAt,omitempty" db:"finished_at"`

	// What the runner keeps beside what the API shows: the file's line
	// break, how much text was stored and how far the job has read it (the
	// offset and row of the next record), and how long it has worked.
	LineBreak  string `json:"-" db:"line_break"`
	TextBytes  int64  `json:"-" db:"text_bytes"`
	NextOffset int64  `json:"-" db:"next_offset"`
	NextRow    int64  `json:"-" db:"next_row"`
	BusyMS     int64  `json:"-" db:"busy_ms"`
}

// fill computes the shown figures from the stored ones.
func (im *Import) fill() {
	if im.BusyMS > 0 {
		im.RowsPerSecond = float64(im.RowsRead) * 1000 / float64(im.BusyMS)
	}
	switch {
	case im.State == StateCompleted:
		im.Progress = 1
	case im.TextBytes > 0:
		im.Progress = min(1, float64(im.NextOffset)/float64(im.TextBytes))
	}
	im.CreatedAt = im.CreatedAt.UTC()
	for _, t := range []**time.Time{&im.StartedAt, &im.FinishedAt} {
		if *t != nil {
			u := (*t).UTC()
			*t = &u
		}
	}
}

// Final reports whether an import in state has ended.
func Final(state string) bool {
	return state == StateCompleted || state == StateFailed || state == StateCancelled
}

// Preview is what the first rows of a file say: its encoding, delimiter,
// header, first rows and a suggested mapping.
type Preview struct {
	Encoding         string     `json:"encoding"`
	Delimiter        string     `json:"delimiter"`
	Header           []string   `json:"header"`
	Rows             [][]string `json:"rows"`
	SuggestedMapping Mapping    `json:"suggestedMapping"`
	Fields           []string   `json:"fields"`
}

// Page is a page of imports; NextCursor, when set, reads the next.
type Page struct {
	Items      []Import `json:"items"`
	NextCursor string   `json:"nextCursor,omitempty"`
}

// RowError is one line of an import's error report: a row of the file
// (the header is row 1), the column at fault ("" for the whole row), its
// value and why the row was not imported.
type RowError struct {
	Row    int64  `db:"row_no"`
	Column string `db:"col"`
	Value  string `db:"value"`
	Reason string `db:"reason"`
}

// The errors of imports; libs/kitx maps their kinds to HTTP statuses.
var (
	ErrImportNotFound  = errs.New(errs.NotFound, "import-not-found", "import not found")
	ErrImportFinished  = errs.New(errs.Conflict, "import-finished", "the import has already ended")
	ErrEmptyFile       = errs.New(errs.Invalid, "empty-file", "the file is empty")
	ErrFileTooLarge    = errs.New(errs.TooLarge, "file-too-large", "the file is larger than 1 GiB")
	ErrNotCSV          = errs.New(errs.Invalid, "not-csv", "the file is not CSV text")
	ErrUnknownEncoding = errs.New(errs.Invalid, "unknown-encoding", "the file's text encoding is not recognised")
	ErrMixedEncodings  = errs.New(errs.Invalid, "mixed-encodings", "the file mixes text encodings")
	ErrBadHeader       = errs.New(errs.Invalid, "bad-header", "the file's header row is not well-formed CSV")
	ErrNothingMapped   = errs.New(errs.Invalid, "nothing-mapped", "the mapping maps no column of the file's header")
	ErrBadUpload       = errs.New(errs.Invalid, "bad-upload", "the upload is not a multipart form with an options part and a file part")
	ErrNotMultipart    = errs.New(errs.UnsupportedMediaType, "not-multipart", "the upload must be multipart/form-data")
	ErrUploadCancelled = errs.New(errs.Conflict, "import-cancelled", "the import was cancelled while its file was uploaded")
	ErrImportRunning   = errs.New(errs.Conflict, "import-running",
		"an import that created or updated the record has not ended, and its stored file holds the record's row; erase the record once the import has ended, or cancel the import")
)
