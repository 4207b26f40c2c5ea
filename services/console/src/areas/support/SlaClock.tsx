import { ClockCircleOutlined } from "@ant-design/icons";
import { Tag, Tooltip } from "antd";
import { useEffect, useState } from "react";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { clock, clockColors, defaultWarningMinutes, formatSpan } from "./sla";

/** useNow is the time, read again every minute so clocks tick. */
export function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const id = setInterval(() => setNow(new Date()), 60_000);
    return () => clearInterval(id);
  }, []);
  return now;
}

/**
 * SlaClock shows a due time as the time left (green), within the warning
 * window (amber) or overdue (red), with the due time itself on hover; a
 * stopped clock (paused) shows no countdown.
 */
export function SlaClock({ dueAt, warningMinutes = defaultWarningMinutes, testId = "sla-clock" }: { dueAt?: string | null; warningMinutes?: number; testId?: string }) {
  const { t, locale } = useI18n();
  const now = useNow();
  const c = clock(dueAt, now, warningMinutes);
  if (c.state === "none") return <span data-testid={testId} data-state="none">—</span>;
  const span = formatSpan(c.leftMs, locale);
  const text = c.state === "overdue" ? t("support.sla.overdueBy", { span }) : t("support.sla.left", { span });
  return (
    <Tooltip title={t("support.sla.dueAt", { at: formatDateTime(dueAt, locale) })}>
      <Tag color={clockColors[c.state]} icon={<ClockCircleOutlined />} data-testid={testId} data-state={c.state} tabIndex={0}>
        {text}
      </Tag>
    </Tooltip>
  );
}
