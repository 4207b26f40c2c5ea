package controller

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// domainHolder returns one of t's domains that another Tenant holds, and
// that Tenant; empty strings when t may have all its domains.
//
// A domain belongs to the oldest Tenant claiming it that holds all its
// domains: Tenants are taken oldest first (by creation, then name), and
// each holds its domains unless one of them is already held. So a Tenant
// that lost a domain claims none of its others, and the answer depends on
// no status.
func (r *TenantReconciler) domainHolder(ctx context.Context, t *v1alpha1.Tenant) (domain, holder string, err error) {
	if len(t.Spec.Domains) == 0 {
		return "", "", nil
	}
	var list v1alpha1.TenantList
	if err := r.List(ctx, &list); err != nil {
		return "", "", fmt.Errorf("list tenants: %w", err)
	}
	slices.SortFunc(list.Items, func(a, b v1alpha1.Tenant) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
	held := map[string]string{} // domain → the tenant holding it
	for _, o := range list.Items {
		if o.Name == t.Name {
			break
		}
		if slices.ContainsFunc(o.Spec.Domains, func(d string) bool { return held[d] != "" }) {
			continue
		}
		for _, d := range o.Spec.Domains {
			held[d] = o.Name
		}
	}
	for _, d := range t.Spec.Domains {
		if h := held[d]; h != "" {
			return d, h, nil
		}
	}
	return "", "", nil
}
