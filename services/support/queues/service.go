package queues

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/errs"
	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// Service is the API of queues: the tenant's queues, routing rules and
// agents' presence. An agent coming online has the waiting cases of
// their queues assigned after the presence commits; a queue's change
// has its waiting cases assigned by the Handler (support_queue.updated).
type Service struct {
	db  *outbox.DB
	now func() time.Time
}

// NewService returns the Service on db.
func NewService(db *outbox.DB) *Service { return &Service{db: db, now: time.Now} }

// caller is the caller; an id in idList that is not a UUID is notFound.
func caller(ctx context.Context, notFound error, idList ...string) (auth.Principal, error) {
	p, err := auth.Caller(ctx)
	if err != nil {
		return p, err
	}
	for _, id := range idList {
		if !ids.Valid(id) {
			return p, notFound
		}
	}
	return p, nil
}

// ListQueues returns the tenant's queues by name.
func (s *Service) ListQueues(ctx context.Context) (out []Queue, err error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = listQueues(ctx, tx)
		return err
	})
	return out, err
}

// GetQueue returns the queue id.
func (s *Service) GetQueue(ctx context.Context, id string) (out *Queue, err error) {
	p, err := caller(ctx, ErrQueueNotFound, id)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = getQueue(ctx, tx, id, false)
		return err
	})
	return out, err
}

// CreateQueue validates and stores a new queue; publishes
// support_queue.created.
func (s *Service) CreateQueue(ctx context.Context, in Queue) (*Queue, error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(); err != nil {
		return nil, err
	}
	now := pg.Timestamp(s.now()).UTC()
	in.ID, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), now, now, 1
	return &in, s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if err := saveQueue(ctx, tx, &in, true); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntitySupportQueue, supportdb.VerbCreated, in.ID, in, nil)
	})
}

// UpdateQueue applies a merge patch at version ifMatch; publishes
// support_queue.updated (on which the Handler assigns what the queue's
// new members, capacities or mode allow of its waiting cases).
func (s *Service) UpdateQueue(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Queue, []string, error) {
	p, err := caller(ctx, ErrQueueNotFound, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := pgrecord.Update(ctx, s.db, p.TenantID, id, queueRows, func(old *Queue) (*Queue, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := &Queue{}
		if err := mergepatch.Apply(old, patch, queueReadOnly, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.normalize(); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.CreatedAt, pg.Timestamp(s.now()).UTC(), old.Version+1
		return pgrecord.Updated(old, next)
	})
	return out, ch.Fields, err
}

// DeleteQueue deletes the queue id, at version ifMatch when given, unless
// routing rules send cases to it; its cases keep its id and are assigned
// no more. Publishes support_queue.deleted.
func (s *Service) DeleteQueue(ctx context.Context, id string, ifMatch int64) error {
	p, err := caller(ctx, ErrQueueNotFound, id)
	if err != nil {
		return err
	}
	_, _, err = pgrecord.Update(ctx, s.db, p.TenantID, id, queueRows, func(old *Queue) (*Queue, pgrecord.Change, error) {
		if ifMatch != 0 && old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		return old, pgrecord.Change{Verb: events.VerbDeleted}, nil
	})
	return err
}

// Presence returns userID's presence.
func (s *Service) Presence(ctx context.Context, userID string) (out Presence, err error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return out, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		out, err = getPresence(ctx, tx, userID)
		return err
	})
	return out, err
}

// SetPresence sets userID's presence to status: the caller's own, or
// anyone's with support:admin. Coming online then assigns what it can of
// the waiting cases of the agent's queues, each queue in a transaction of
// its own; should that fail, the error is the answer, the presence stays
// set (setting it again is harmless) and the Retrier assigns them.
func (s *Service) SetPresence(ctx context.Context, userID, status string) (out Presence, err error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return out, err
	}
	if userID != p.UserID && !p.Can(supportdb.PermAdmin) {
		return out, ErrNotYourPresence
	}
	v := errs.NewValidator()
	v.Check(slices.Contains(Statuses, status), "status", "must be one of "+strings.Join(Statuses, ", "))
	if err := v.Err(); err != nil {
		return out, err
	}
	at := pg.Timestamp(s.now()).UTC()
	out = Presence{UserID: userID, Status: status, UpdatedAt: &at}
	var member []string
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		if err := setPresence(ctx, tx, out); err != nil {
			return err
		}
		list, err := listQueues(ctx, tx)
		for _, q := range list {
			if q.member(userID) != nil {
				member = append(member, q.ID)
			}
		}
		return err
	})
	if err == nil && status == StatusOnline && len(member) > 0 {
		_, err = assignWaiting(ctx, s.db, p.TenantID, member)
	}
	return out, err
}

// Agents returns the members of the tenant's queues and the agents with a
// presence, by user id: their presence, open cases and queues.
func (s *Service) Agents(ctx context.Context) (out []Agent, err error) {
	p, err := caller(ctx, nil)
	if err != nil {
		return nil, err
	}
	err = s.db.InTx(ctx, p.TenantID, func(tx *outbox.Tx) error {
		list, err := listQueues(ctx, tx)
		if err != nil {
			return err
		}
		presence, err := listPresence(ctx, tx)
		if err != nil {
			return err
		}
		byUser := map[string]*Agent{}
		agent := func(u string) *Agent {
			if byUser[u] == nil {
				pr, ok := presence[u]
				if !ok {
					pr = Presence{Status: StatusOffline}
				}
				byUser[u] = &Agent{UserID: u, Status: pr.Status, UpdatedAt: pr.UpdatedAt, QueueIDs: []string{}}
			}
			return byUser[u]
		}
		for _, q := range list {
			for _, m := range q.Members {
				a := agent(m.UserID)
				a.QueueIDs = append(a.QueueIDs, q.ID)
			}
		}
		for u := range presence {
			agent(u)
		}
		users := make([]string, 0, len(byUser))
		for u := range byUser {
			users = append(users, u)
		}
		slices.Sort(users)
		open, err := openCases(ctx, tx, users)
		out = make([]Agent, 0, len(users))
		for _, u := range users {
			a := byUser[u]
			a.OpenCases = open[u]
			out = append(out, *a)
		}
		return err
	})
	return out, err
}
