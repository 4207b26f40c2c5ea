// Package customers matches a customer's email address to a contact of
// the contacts service, and its account: a case opened from a mail, the
// portal or a chat without a contact gets the one live contact whose
// address it is (any of its addresses, regardless of case); an address no
// contact has, or several share, gets none.
//
// The support service keeps its own copy of what it matches on (each
// contact's addresses and account, tables customer_contacts and
// customer_emails), fed by contacts' events in the consumer group
// ConsumerGroup, instead of asking contacts when a mail arrives: the SMTP
// listener and the portal serve no user whose authority contacts would
// answer (the gateway exchanges only a caller's token, and the portal's
// principal holds no contacts permission), and services call each other
// only where a user waits on the answer (DESIGN.md). The match is one
// indexed read in the case's own transaction: it never delays a mail, and
// contacts being down changes nothing. A contact deleted or merged away
// stops matching, an erased one is forgotten, and an account merged into
// another is followed.
package customers

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/registry"
)

// ConsumerGroup is the consumer group of the Handler on contacts' topic.
const ConsumerGroup = "support-customers"

// Contexts are the contexts whose topics the Handler reads.
var Contexts = []string{registry.Contacts}

// Match is the outcome of matching an address: the contact and its account
// ("" when it has none) when exactly one live contact has the address;
// Candidates is how many do (0, 1, or 2 for "several").
type Match struct {
	ContactID, AccountID string
	Candidates           int
}

// Ambiguous reports whether several contacts have the address, so none is
// chosen.
func (m Match) Ambiguous() bool { return m.Candidates > 1 }

// Found reports whether the address is the one contact's.
func (m Match) Found() bool { return m.Candidates == 1 }

// Find matches address to the live contacts of tx's tenant, regardless of
// case; an empty address matches none.
func Find(ctx context.Context, tx *outbox.Tx, address string) (Match, error) {
	key := normalize(address)
	if key == "" {
		return Match{}, nil
	}
	var rows []struct {
		ContactID string  `db:"contact_id"`
		AccountID *string `db:"account_id"`
	}
	if err := tx.SQL().SelectContext(ctx, &rows, `SELECT e.contact_id, c.account_id FROM customer_emails e
		JOIN customer_contacts c ON c.tenant_id = e.tenant_id AND c.contact_id = e.contact_id
		WHERE e.address = $1 ORDER BY e.contact_id LIMIT 2`, key); err != nil {
		return Match{}, fmt.Errorf("match a customer's address: %w", pg.MapError(err))
	}
	m := Match{Candidates: len(rows)}
	if len(rows) == 1 {
		m.ContactID = rows[0].ContactID
		if rows[0].AccountID != nil {
			m.AccountID = *rows[0].AccountID
		}
	}
	return m, nil
}

// normalize is address as it is matched: trimmed and lower-cased.
func normalize(address string) string { return strings.ToLower(strings.TrimSpace(address)) }
