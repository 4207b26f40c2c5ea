import type { T } from "../../i18n/I18n";
import type { Locale } from "../../i18n/types";
import { formatDateTime } from "../../lib/dates";
import type { Notification } from "./stream";

/**
 * notificationText is a notification's text in the current language: its
 * kind's text in the catalog with its params, times formatted and record
 * types translated. A kind the console does not know says so.
 */
export function notificationText(t: T, locale: Locale, n: Notification): string {
  const key = `notifications.kind.${n.kind}`;
  const text = t(key);
  if (text === key) return t("notifications.kind.unknown", { kind: n.kind });
  const p: Record<string, string> = { actor: t("notifications.someone"), ...n.params };
  if (p.due) p.due = formatDateTime(p.due, locale);
  if (p.entity) p.entity = t(`notifications.entity.${p.entity}`);
  return t(key, p);
}
