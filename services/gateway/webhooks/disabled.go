package webhooks

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/rapport-crm/rapport/libs/events"
	"github.com/rapport-crm/rapport/services/gateway/notify"
)

// KindDisabled is the notification the tenant's active admins get when the
// dispatcher disables a subscription: in the console, and by email when
// the gateway has an SMTP server (notify's consumer reads the disabled
// event and makes it).
const KindDisabled = "webhook.disabled"

func init() {
	notify.Register(notify.Kind{Name: KindDisabled, InApp: true, Email: true,
		Subject: map[string]string{"en": "Webhook disabled: {url}", "zh-CN": "Webhook 已停用：{url}"},
		Text: map[string]string{
			"en":    "The webhook subscription to {url} was disabled: {reason}. Fix the endpoint, then enable it again.",
			"zh-CN": "发往 {url} 的 Webhook 订阅已停用：{reason}。请修复接收端后重新启用。",
		}})
	notify.On(TypeDisabled, disabledNotifications)
}

// disabledData is what the disabled event's payload adds to the
// subscription: the admins told of it.
type disabledData struct {
	ID             string   `json:"id"`
	URL            string   `json:"url"`
	DisabledReason string   `json:"disabledReason"`
	AdminIDs       []string `json:"adminIds"`
}

// disabledNotifications is notify's rule of the disabled event: one
// notification per admin it names.
func disabledNotifications(ev events.Event) ([]notify.Draft, error) {
	var d disabledData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		return nil, fmt.Errorf("webhooks: %s %s: %w", ev.Type, ev.ID, err)
	}
	out := make([]notify.Draft, 0, len(d.AdminIDs))
	for _, id := range d.AdminIDs {
		out = append(out, notify.Draft{UserID: id, Kind: KindDisabled, Link: "/admin/webhooks/" + d.ID,
			Params: map[string]string{"url": d.URL, "reason": d.DisabledReason}})
	}
	return out, nil
}

// OnDisabled is the dispatcher's delivery.Config.OnDisabled: in tx, the
// transaction of tenant that disabled subscription sub, it adds the
// disabled event (naming the tenant's active admins, whom notify's
// consumer then tells) to the outbox.
func (s *Store) OnDisabled(ctx context.Context, tx *sqlx.Tx, tenant, sub, reason string) error {
	cur, err := getTx(ctx, tx, sub, false)
	if err != nil {
		return err
	}
	if cur.DisabledReason == "" {
		cur.DisabledReason = reason
	}
	admins := []string{}
	if err := tx.SelectContext(ctx, &admins, `SELECT u.id FROM users u
		JOIN user_roles ur ON ur.tenant_id = u.tenant_id AND ur.user_id = u.id
		JOIN roles r ON r.tenant_id = ur.tenant_id AND r.id = ur.role_id
		WHERE r.builtin AND r.name = 'admin' AND u.status = 'active' ORDER BY u.id`); err != nil {
		return fmt.Errorf("webhooks: read admins: %w", err)
	}
	if s.cache != nil {
		s.cache.Forget(tenant)
	}
	return s.emit(ctx, tx, tenant, TypeDisabled, cur, map[string]any{"adminIds": admins, "disabledReason": cur.DisabledReason})
}
