package campaigns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/marketing/internal/marketingdb"
)

// memberColumns are the columns of a Member.
const memberColumns = "campaign_id, contact_id, status, added_at, updated_at"

// raise moves the contact's membership of the campaign to status at at
// when that is higher than its own, adding the member when it is none,
// records the move in the member's history with source and publishes
// campaign_member.added or campaign_member.status_changed. It reports
// whether anything changed (a status at or below the member's changes
// nothing). The campaign must exist.
func raise(ctx context.Context, tx *outbox.Tx, campaignID, contactID, status, source string, at time.Time) (bool, error) {
	at = pg.Timestamp(at).UTC()
	res, err := tx.SQL().ExecContext(ctx, `INSERT INTO campaign_members (tenant_id, campaign_id, contact_id, status, rank, added_at, updated_at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $5) ON CONFLICT DO NOTHING`, campaignID, contactID, status, rank(status), at)
	if err != nil {
		return false, fmt.Errorf("add campaign member: %w", pg.MapError(err))
	}
	ev := memberEvent{CampaignID: campaignID, ContactID: contactID, Status: status, At: at}
	verb := marketingdb.VerbAdded
	if n, _ := res.RowsAffected(); n == 0 {
		var cur string
		if err := tx.SQL().GetContext(ctx, &cur, "SELECT status FROM campaign_members WHERE campaign_id = $1 AND contact_id = $2 FOR UPDATE",
			campaignID, contactID); err != nil {
			return false, fmt.Errorf("read campaign member: %w", pg.MapError(err))
		}
		if rank(status) <= rank(cur) {
			return false, nil
		}
		if _, err := tx.SQL().ExecContext(ctx, "UPDATE campaign_members SET status = $3, rank = $4, updated_at = $5 WHERE campaign_id = $1 AND contact_id = $2",
			campaignID, contactID, status, rank(status), at); err != nil {
			return false, fmt.Errorf("move campaign member: %w", pg.MapError(err))
		}
		ev.PreviousStatus, verb = cur, marketingdb.VerbStatusChanged
	}
	if _, err := tx.SQL().ExecContext(ctx, `INSERT INTO campaign_member_history (tenant_id, id, campaign_id, contact_id, status, previous_status, source, at)
		VALUES (`+pgrecord.CurrentTenant+`, $1, $2, $3, $4, $5, $6, $7)`, ids.New(), campaignID, contactID, status, ev.PreviousStatus, source, at); err != nil {
		return false, fmt.Errorf("record campaign member's history: %w", pg.MapError(err))
	}
	return true, tx.Emit(ctx, marketingdb.EntityCampaignMember, verb, campaignID, ev, nil)
}

// campaignExists reports whether the tenant has the campaign id.
func campaignExists(ctx context.Context, tx *outbox.Tx, id string) (bool, error) {
	var ok bool
	if err := tx.SQL().GetContext(ctx, &ok, "SELECT EXISTS (SELECT 1 FROM campaigns WHERE id = $1)", id); err != nil {
		return false, fmt.Errorf("read campaign: %w", pg.MapError(err))
	}
	return ok, nil
}

// missingContacts are those of contactIDs the audience has no contact of.
func missingContacts(ctx context.Context, tx *outbox.Tx, contactIDs []string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT x FROM unnest($1::uuid[]) AS x
		WHERE NOT EXISTS (SELECT 1 FROM audience_contacts a WHERE a.id = x)`, pq.Array(contactIDs)); err != nil {
		return nil, fmt.Errorf("read audience contacts: %w", pg.MapError(err))
	}
	return out, nil
}

// listMembers reads up to n members of the campaign with status ("" for
// any), by contact id after after.
func listMembers(ctx context.Context, tx *outbox.Tx, campaignID, status, after string, n int) ([]Member, error) {
	q := pgrecord.Query{Args: []any{campaignID}, Conds: []string{"campaign_id = $1"}}
	if status != "" {
		q.Add("status = ?", status)
	}
	if after != "" {
		q.Add("contact_id > ?", after)
	}
	var out []Member
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT "+memberColumns+" FROM campaign_members"+q.Where()+
		fmt.Sprintf(" ORDER BY contact_id LIMIT %d", n), q.Args...); err != nil {
		return nil, fmt.Errorf("list campaign members: %w", pg.MapError(err))
	}
	return out, nil
}

// getMember reads the contact's membership of the campaign.
func getMember(ctx context.Context, tx *outbox.Tx, campaignID, contactID string) (Member, error) {
	var m Member
	err := tx.SQL().GetContext(ctx, &m, "SELECT "+memberColumns+" FROM campaign_members WHERE campaign_id = $1 AND contact_id = $2",
		campaignID, contactID)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrMemberNotFound
	}
	if err != nil {
		return m, fmt.Errorf("read campaign member: %w", pg.MapError(err))
	}
	return m, nil
}

// memberHistory reads the statuses the member took in the order it took
// them: as a status only rises, by rank (the events' times, which are
// when each happened and not when it was applied, need not agree).
func memberHistory(ctx context.Context, tx *outbox.Tx, campaignID, contactID string) ([]HistoryEntry, error) {
	out := []HistoryEntry{}
	if err := tx.SQL().SelectContext(ctx, &out, `SELECT status, previous_status, source, at FROM campaign_member_history
		WHERE campaign_id = $1 AND contact_id = $2 ORDER BY array_position($3::text[], status)`,
		campaignID, contactID, pq.Array(MemberStatuses)); err != nil {
		return nil, fmt.Errorf("read campaign member's history: %w", pg.MapError(err))
	}
	return out, nil
}

// memberCampaigns are the campaigns the contact is a member of below
// status.
func memberCampaigns(ctx context.Context, tx *outbox.Tx, contactID, below string) ([]string, error) {
	var out []string
	if err := tx.SQL().SelectContext(ctx, &out, "SELECT campaign_id FROM campaign_members WHERE contact_id = $1 AND rank < $2 ORDER BY campaign_id",
		contactID, rank(below)); err != nil {
		return nil, fmt.Errorf("read contact's campaigns: %w", pg.MapError(err))
	}
	return out, nil
}
