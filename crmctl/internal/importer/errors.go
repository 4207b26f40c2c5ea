package importer

import (
	"errors"
	"fmt"
)

// The errors of imports.
var (
	// ErrUnknownKind is a kind of record crmctl does not import.
	ErrUnknownKind = errors.New("crmctl imports contacts, accounts or leads")
	// ErrRowsFailed is an import that ended with rows in its error report.
	ErrRowsFailed = errors.New("rows failed")
	// ErrJobEnded is an import that ended failed or cancelled.
	ErrJobEnded = errors.New("the import did not complete")
	// ErrBadMapping is a --mapping that is not name=field pairs.
	ErrBadMapping = errors.New("--mapping takes header=field pairs separated by commas, or @file.json")
)

// Interrupted is an import whose command was interrupted while its job went
// on in the service.
type Interrupted struct {
	// Kind and File are what was imported; ID is the job and Path its
	// collection.
	Kind, File, ID, Path string
}

// Error says where the job is and how to follow or stop it.
func (e *Interrupted) Error() string {
	if e.ID == "" {
		return "interrupted while uploading " + e.File + ": nothing was imported; run the command again"
	}
	return fmt.Sprintf("interrupted: import %s goes on in the service; follow it with `crmctl import %s %s --job %s`, "+
		"or cancel it with `crmctl api DELETE %s/%s`", e.ID, e.Kind, e.File, e.ID, e.Path, e.ID)
}
