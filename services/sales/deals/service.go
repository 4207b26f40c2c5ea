package deals

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rapport-crm/rapport/libs/auth"
	"github.com/rapport-crm/rapport/libs/ids"
	"github.com/rapport-crm/rapport/libs/mergepatch"
	"github.com/rapport-crm/rapport/libs/pg"
	"github.com/rapport-crm/rapport/libs/pgrecord"

	"github.com/rapport-crm/rapport/services/sales/internal/pgstore"
)

// Service manages the tenant's pipelines. Its first use by a tenant creates
// the tenant's default pipeline (DefaultPipeline). Patches are JSON merge
// patches (RFC 7396); ifMatch is the version the caller last saw (0: none).
type Service interface {
	ListPipelines(ctx context.Context) ([]Pipeline, error)
	CreatePipeline(ctx context.Context, p Pipeline) (*Pipeline, error)
	GetPipeline(ctx context.Context, id string) (*Pipeline, error)
	// UpdatePipeline renames a pipeline or changes its stages: a patch's
	// "stages" replaces the list, in which a stage with an id is that stage
	// changed or moved, one without is new, and one left out is removed.
	// It returns the fields the patch changed.
	UpdatePipeline(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Pipeline, []string, error)
	// DeletePipeline removes a pipeline other than the default.
	DeletePipeline(ctx context.Context, id string, ifMatch int64) error
}

type service struct {
	store *Store
	now   func() time.Time
}

// NewService returns the Service on store.
func NewService(store *Store) Service { return &service{store: store, now: time.Now} }

// timestamp is the current time as PostgreSQL stores it.
func (s *service) timestamp() time.Time { return pg.Timestamp(s.now()) }

// caller returns the request's principal, after making sure its tenant
// has its default pipeline.
func (s *service) caller(ctx context.Context) (auth.Principal, error) {
	p, ok := auth.PrincipalFrom(ctx)
	if !ok {
		return p, auth.ErrUnauthenticated
	}
	return p, s.store.EnsureDefault(ctx, p.TenantID, func() *Pipeline {
		d := DefaultPipeline(s.timestamp())
		d.ID = ids.New()
		return d
	})
}

// callerOf is caller for a request naming the pipeline id: an id that is
// no UUID names no pipeline.
func (s *service) callerOf(ctx context.Context, id string) (auth.Principal, error) {
	p, err := s.caller(ctx)
	if err == nil && !ids.Valid(id) {
		err = ErrPipelineNotFound
	}
	return p, err
}

// ListPipelines implements Service.
func (s *service) ListPipelines(ctx context.Context) ([]Pipeline, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	return s.store.Pipelines(ctx, p.TenantID)
}

// CreatePipeline implements Service.
func (s *service) CreatePipeline(ctx context.Context, in Pipeline) (*Pipeline, error) {
	p, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := in.normalize(nil); err != nil {
		return nil, err
	}
	now := s.timestamp()
	in.ID, in.IsDefault, in.CreatedAt, in.UpdatedAt, in.Version = ids.New(), false, now, now, 1
	return &in, s.store.Create(ctx, p.TenantID, &in)
}

// GetPipeline implements Service.
func (s *service) GetPipeline(ctx context.Context, id string) (*Pipeline, error) {
	p, err := s.callerOf(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.store.Pipeline(ctx, p.TenantID, id)
}

// UpdatePipeline implements Service. A patch that changes nothing keeps
// the version and publishes nothing.
func (s *service) UpdatePipeline(ctx context.Context, id string, ifMatch int64, patch json.RawMessage) (*Pipeline, []string, error) {
	p, err := s.callerOf(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if ifMatch == 0 {
		return nil, nil, ErrIfMatchRequired
	}
	out, ch, err := s.store.Update(ctx, p.TenantID, id, func(old *Pipeline) (*Pipeline, pgrecord.Change, error) {
		if old.Version != ifMatch {
			return nil, pgrecord.Change{}, ErrVersionMismatch
		}
		next := &Pipeline{}
		if err := mergepatch.Apply(old, patch, readOnlyFields, next); err != nil {
			return nil, pgrecord.Change{}, err
		}
		if err := next.normalize(old.Stages); err != nil {
			return nil, pgrecord.Change{}, err
		}
		next.ID, next.IsDefault, next.CreatedAt, next.UpdatedAt, next.Version = old.ID, old.IsDefault, old.CreatedAt, s.timestamp(), old.Version+1
		return pgrecord.Updated(old, next)
	})
	return out, ch.Fields, err
}

// DeletePipeline implements Service.
func (s *service) DeletePipeline(ctx context.Context, id string, ifMatch int64) error {
	p, err := s.callerOf(ctx, id)
	if err != nil {
		return err
	}
	_, _, err = s.store.Update(ctx, p.TenantID, id, func(old *Pipeline) (*Pipeline, pgrecord.Change, error) {
		switch {
		case ifMatch != 0 && old.Version != ifMatch:
			return nil, pgrecord.Change{}, ErrVersionMismatch
		case old.IsDefault:
			return nil, pgrecord.Change{}, ErrDefaultPipeline
		}
		return old, pgrecord.Change{Verb: pgstore.VerbDeleted}, nil
	})
	return err
}
