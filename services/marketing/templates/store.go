package templates

import (
	"time"
)

// templateRow is a row of templates.
type templateRow struct {
	ID          string    `db:"id"`
	Name        string    `db:"name"`
	Channel     string    `db:"channel"`
	Subject     string    `db:"subject"`
	HTML        string    `db:"html"`
	Text        string    `db:"text"`
	Body        string    `db:"body"`
	Description string    `db:"description"`
	CreatedBy   string    `db:"created_by"`
	CreatedAt   time.Time `db:"created_at"`
	UpdatedAt   time.Time `db:"updated_at"`
	Version     int64     `db:"version"`
}

// templateColumns are the columns of a templateRow.
const templateColumns = "id, name, channel, subject, html, text, body, description, created_by, created_at, updated_at, version"

// template is the Template of r.
func (r templateRow) template() Template {
	return Template{ID: r.ID, Name: r.Name, Channel: r.Channel, Subject: r.Subject, HTML: r.HTML, Text: r.Text, Body: r.Body,
		Description: r.Description, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Version: r.Version}
}
