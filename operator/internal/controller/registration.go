package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/rapport-crm/rapport/libs/gatewayadmin"
	"github.com/rapport-crm/rapport/operator/api/v1alpha1"
)

// register makes the gateway hold t: created with its first administrator's
// invitation (kept in a Secret) when it has no such tenant, adopted when it
// has one with t's slug, then brought to t's name, domains, tier and
// suspension.
func (r *TenantReconciler) register(ctx context.Context, t *v1alpha1.Tenant) (string, error) {
	gt, err := r.gatewayTenant(ctx, t)
	if err != nil {
		return "", gatewayFailure(err)
	}
	if gt.Status == gatewayadmin.StatusDeleted {
		return "", permanentf(v1alpha1.ReasonSlugTaken, "the gateway keeps slug %s for a deleted tenant (%s); give the Tenant another name", t.Name, gt.ID)
	}
	if t.Status.GatewayID != gt.ID {
		if err := r.recordGatewayID(ctx, t, gt.ID); err != nil {
			return "", err
		}
	}
	var ch gatewayadmin.Changes
	if gt.Name != t.Spec.DisplayName {
		ch.Name = &t.Spec.DisplayName
	}
	if domains := nonNil(t.Spec.Domains); !slices.Equal(sorted(gt.Domains), sorted(domains)) {
		ch.Domains = &domains
	}
	if tier := string(t.Spec.Tier); gt.Tier != tier {
		ch.Tier = &tier
	}
	if ch != (gatewayadmin.Changes{}) {
		if gt, err = r.gateway.Update(ctx, gt.ID, ch); err != nil {
			return "", gatewayFailure(err)
		}
		r.event(t, corev1.EventTypeNormal, "GatewayUpdated", "Provision", "updated the gateway's tenant %s", gt.ID)
	}
	switch {
	case t.Spec.Suspended && gt.Status == gatewayadmin.StatusActive:
		if gt, err = r.gateway.Suspend(ctx, gt.ID); err != nil {
			return "", gatewayFailure(err)
		}
		r.event(t, corev1.EventTypeNormal, "Suspended", "Suspend", "the gateway refuses tenant %s", t.Name)
	case !t.Spec.Suspended && gt.Status == gatewayadmin.StatusSuspended:
		if gt, err = r.gateway.Resume(ctx, gt.ID); err != nil {
			return "", gatewayFailure(err)
		}
		r.event(t, corev1.EventTypeNormal, "Resumed", "Resume", "the gateway lets tenant %s in again", t.Name)
	}
	return fmt.Sprintf("gateway tenant %s is %s", gt.ID, gt.Status), nil
}

// gatewayTenant returns the gateway's record of t: the one its status
// names, else a new one, else the one holding its slug.
func (r *TenantReconciler) gatewayTenant(ctx context.Context, t *v1alpha1.Tenant) (gatewayadmin.Tenant, error) {
	if id := t.Status.GatewayID; id != "" {
		gt, err := r.gateway.Get(ctx, id)
		if !errors.Is(err, gatewayadmin.ErrNotFound) {
			return gt, err
		}
	}
	gt, inv, err := r.gateway.Create(ctx, gatewayadmin.NewTenant{
		Slug: t.Name, Name: t.Spec.DisplayName, Domains: t.Spec.Domains, Tier: string(t.Spec.Tier),
		Admin: gatewayadmin.Admin{Email: t.Spec.Admin.Email, Name: t.Spec.Admin.Name},
	})
	if errors.Is(err, gatewayadmin.ErrSlugTaken) {
		return r.adopt(ctx, t)
	}
	if err != nil {
		return gt, err
	}
	r.event(t, corev1.EventTypeNormal, "Registered", "Provision", "created gateway tenant %s and invited %s", gt.ID, t.Spec.Admin.Email)
	return gt, r.keepInvitation(ctx, t, inv)
}

// adopt returns the gateway's tenant holding t's slug, which an earlier
// pass created but did not record (the operator stopped, or keeping the
// invitation failed). When the invitation's Secret is missing, the gateway
// issues a new one while the administrator has not joined, so that it is
// never lost.
func (r *TenantReconciler) adopt(ctx context.Context, t *v1alpha1.Tenant) (gatewayadmin.Tenant, error) {
	gt, err := r.gateway.FindBySlug(ctx, t.Name)
	if err != nil || gt.Status == gatewayadmin.StatusDeleted {
		return gt, err
	}
	sec := &corev1.Secret{}
	err = r.APIReader.Get(ctx, types.NamespacedName{Namespace: r.Config.Namespace, Name: InvitationSecret(t.Name)}, sec)
	if !apierrors.IsNotFound(err) {
		return gt, err
	}
	inv, err := r.gateway.Reinvite(ctx, gt.ID)
	if errors.Is(err, gatewayadmin.ErrAdminJoined) {
		return gt, nil
	}
	if err != nil {
		return gt, err
	}
	r.event(t, corev1.EventTypeNormal, "Reinvited", "Provision", "issued a new invitation for %s in gateway tenant %s", t.Spec.Admin.Email, gt.ID)
	return gt, r.keepInvitation(ctx, t, inv)
}

// keepInvitation stores the first administrator's invitation in a Secret
// of the operator's namespace, owned by t, for the platform team to hand
// over: the gateway sends no email.
func (r *TenantReconciler) keepInvitation(ctx context.Context, t *v1alpha1.Tenant, inv gatewayadmin.Invitation) error {
	sec := &corev1.Secret{}
	sec.Namespace, sec.Name = r.Config.Namespace, InvitationSecret(t.Name)
	_, err := controllerutil.CreateOrUpdate(ctx, r.Client, sec, func() error {
		sec.Labels = merged(sec.Labels, tenantLabels(t))
		sec.Data = map[string][]byte{"email": []byte(t.Spec.Admin.Email), "token": []byte(inv.Token), "link": []byte(inv.Link)}
		return controllerutil.SetControllerReference(t, sec, r.Scheme)
	})
	if err != nil {
		return failuref(v1alpha1.ReasonGatewayRejected, "keep the invitation in Secret %s/%s: %w", sec.Namespace, sec.Name, err)
	}
	return nil
}

// recordGatewayID writes t's gateway id into its status at once, so a
// failure later in the pass does not lose it.
func (r *TenantReconciler) recordGatewayID(ctx context.Context, t *v1alpha1.Tenant, id string) error {
	patch, err := json.Marshal(map[string]any{"status": map[string]string{"gatewayID": id}})
	if err != nil {
		return err
	}
	// A copy takes the server's answer, so the conditions of this pass stay.
	if err := r.Status().Patch(ctx, t.DeepCopy(), client.RawPatch(types.MergePatchType, patch)); err != nil {
		return fmt.Errorf("record gateway id: %w", err)
	}
	t.Status.GatewayID = id
	return nil
}

// gatewayFailure gives a gateway error its condition reason.
func gatewayFailure(err error) error {
	if errors.Is(err, gatewayadmin.ErrUnreachable) {
		return failure(v1alpha1.ReasonGatewayUnreachable, err)
	}
	return failure(v1alpha1.ReasonGatewayRejected, err)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}
