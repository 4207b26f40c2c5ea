package contracts

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/rapport-crm/rapport/libs/outbox"
	"github.com/rapport-crm/rapport/libs/pg"

	"github.com/rapport-crm/rapport/services/support/internal/supportdb"
)

// ExpiryEvery is how often an instance looks for contracts to remind of
// and to expire: the day's work is done within about this long of the
// day's start (UTC), whenever instances restart.
const ExpiryEvery = time.Hour

// Bounds of one round of the expiry: how many tenants it takes on at a
// time, how many contracts one transaction takes.
const (
	expiryTenants = 64
	expiryBatch   = 200
)

// Expiring is the payload of contract.expiring: the contract and the days
// left until its end date.
type Expiring struct {
	*Contract
	DaysLeft int `json:"daysLeft"`
}

// Expiry is the contracts' daily work across tenants: contract.expiring
// once per contract, renewalReminderDays before its end date, and
// contract.expired with the status expired once its end date is past.
// Contracts are claimed with FOR UPDATE SKIP LOCKED, so every instance
// runs it together.
type Expiry struct {
	db     *outbox.DB
	logger *slog.Logger
	now    func() time.Time
}

// NewExpiry returns the Expiry of db, logging what it does.
func NewExpiry(db *outbox.DB, logger *slog.Logger) *Expiry {
	return &Expiry{db: db, logger: logger, now: time.Now}
}

// Run does the day's work of every tenant: the tenants with some, until
// none is left or a round does nothing (what is left is another
// instance's).
func (x *Expiry) Run(ctx context.Context) error {
	day := today(x.now())
	total := 0
	defer func() {
		if total > 0 {
			x.logger.InfoContext(ctx, "contracts reminded of or expired", "contracts", total)
		}
	}()
	for {
		var tenants []string
		if err := x.db.Pool().SelectContext(ctx, &tenants, "SELECT tenant_id FROM contract_tenants_due($1, $2)", day, expiryTenants); err != nil {
			return fmt.Errorf("find contracts due: %w", pg.MapError(err))
		}
		round := 0
		for _, tenant := range tenants {
			n, err := x.tenant(ctx, tenant, day)
			if err != nil {
				return err
			}
			round += n
		}
		total += round
		if round == 0 {
			return nil
		}
	}
}

// tenant does a batch of the day's work of tenant in one transaction and
// returns for how many contracts.
func (x *Expiry) tenant(ctx context.Context, tenant, day string) (n int, err error) {
	now := pg.Timestamp(x.now()).UTC()
	err = x.db.InTx(ctx, tenant, func(tx *outbox.Tx) error {
		due, err := dueContracts(ctx, tx, day, expiryBatch)
		if err != nil {
			return err
		}
		n = len(due)
		for i := range due {
			if err := expire(ctx, tx, &due[i], day, now); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// expire publishes the reminder of c (active, due) or expires it, on day.
func expire(ctx context.Context, tx *outbox.Tx, c *Contract, day string, now time.Time) error {
	c.UpdatedAt, c.Version = now, c.Version+1
	if c.EndDate < day {
		c.Status = StatusExpired
		if err := saveContract(ctx, tx, c, false); err != nil {
			return err
		}
		return tx.Emit(ctx, supportdb.EntityContract, supportdb.VerbExpired, c.ID, c, nil)
	}
	c.ExpiringAt = &now
	if err := saveContract(ctx, tx, c, false); err != nil {
		return err
	}
	end, _ := time.Parse(dateLayout, c.EndDate)
	start, _ := time.Parse(dateLayout, day)
	return tx.Emit(ctx, supportdb.EntityContract, supportdb.VerbExpiring, c.ID, Expiring{c, int(end.Sub(start).Hours() / 24)}, nil)
}
