import { Tag } from "antd";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import type { DeliveryStatus, Subscription } from "./api";

/** colours are the tags' solid colours, dark enough for white text (WCAG AA). */
export const colours = { ok: "#237804", warn: "#874d00", bad: "#a8071a", busy: "#0958d9" };

/**
 * SubscriptionStatus is a subscription's state as a coloured tag: active
 * (green), failing (orange: active, but its deliveries fail since a time)
 * or disabled (red).
 */
export function SubscriptionStatus({ s }: { s: Subscription }) {
  const { t, locale } = useI18n();
  if (s.status === "disabled") return <Tag color={colours.bad} data-testid="webhook-status" data-status="disabled">{t("webhooks.status.disabled")}</Tag>;
  if (s.failingSince)
    return (
      <Tag color={colours.warn} data-testid="webhook-status" data-status="failing" title={t("webhooks.failingSinceAt", { at: formatDateTime(s.failingSince, locale) })}>
        {t("webhooks.status.failing")}
      </Tag>
    );
  return <Tag color={colours.ok} data-testid="webhook-status" data-status="active">{t("webhooks.status.active")}</Tag>;
}

const deliveryColour: Record<DeliveryStatus, string> = { pending: colours.busy, succeeded: colours.ok, failed: colours.bad };

/** DeliveryStatusTag is a delivery's state as a coloured tag. */
export function DeliveryStatusTag({ status }: { status: DeliveryStatus }) {
  const { t } = useI18n();
  return (
    <Tag color={deliveryColour[status]} data-testid="delivery-status" data-status={status}>
      {t(`webhooks.delivery.status.${status}`)}
    </Tag>
  );
}
