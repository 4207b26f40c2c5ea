package proxy

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestCachedTenants(t *testing.T) {
	calls := 0
	fail := false
	dir := tenantsFunc(func(_ context.Context, id string) (string, bool, error) {
		calls++
		if fail {
			return "", false, errors.New("store down")
		}
		return "slug-" + id, id == "b", nil
	})
	now := time.Unix(1_700_000_000, 0)
	c := CachedTenants(dir, time.Minute).(*tenantCache)
	c.now = func() time.Time { return now }

	steps := []struct {
		name          string
		advance       time.Duration
		fail          bool
		id            string
		wantSlug      string
		wantDedicated bool
		wantErr       bool
		wantCalls     int
	}{
		{"first lookup asks", 0, false, "a", "slug-a", false, false, 1},
		{"second is cached", 10 * time.Second, false, "a", "slug-a", false, false, 1},
		{"another tenant asks", 0, false, "b", "slug-b", true, false, 2},
		{"cached despite a failing store", 0, true, "a", "slug-a", false, false, 2},
		{"expired, store fails", time.Minute, true, "a", "", false, true, 3},
		{"errors are not cached", 0, false, "a", "slug-a", false, false, 4},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			now = now.Add(s.advance)
			fail = s.fail
			slug, dedicated, err := c.Tenant(t.Context(), s.id)
			if (err != nil) != s.wantErr || slug != s.wantSlug || dedicated != s.wantDedicated {
				t.Errorf("got %q %v %v, want %q %v error %v", slug, dedicated, err, s.wantSlug, s.wantDedicated, s.wantErr)
			}
			if calls != s.wantCalls {
				t.Errorf("store calls = %d, want %d", calls, s.wantCalls)
			}
		})
	}
}
