import { useQuery } from "@tanstack/react-query";
import { Alert, Space, Tag, Tooltip, Typography } from "antd";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { reportsKey } from "./api";

/** highLag is the consumer lag (events not yet applied) from which the figures are called behind. */
export const highLag = 1000;

/**
 * Freshness says how fresh the read models are (GET /v1/reports/freshness):
 * per source, the newest event applied and the events still to apply, with
 * a warning when a source lags far behind.
 */
export function Freshness() {
  const { t, locale } = useI18n();
  const q = useQuery({ queryKey: reportsKey("freshness"), queryFn: () => unwrap(api.GET("/v1/reports/freshness")), refetchInterval: 60_000 });
  if (!q.data) return null;
  const behind = q.data.contexts.filter((c) => (c.lag ?? 0) >= highLag);
  return (
    <div data-testid="freshness" style={{ marginBottom: 12 }}>
      <Space wrap size={4}>
        <Typography.Text type="secondary">{t("reports.freshness")}</Typography.Text>
        {q.data.contexts.map((c) => (
          <Tooltip key={c.context} title={t("reports.freshness.lag", { n: c.lag === null ? "?" : String(c.lag) })}>
            <Tag color={(c.lag ?? 0) >= highLag ? "orange" : undefined} data-testid={`freshness-${c.context}`}>
              {t(`reports.context.${c.context}`)}: {c.asOf ? formatDateTime(c.asOf, locale) : t("reports.freshness.none")}
            </Tag>
          </Tooltip>
        ))}
      </Space>
      {behind.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginTop: 8 }}
          data-testid="freshness-warning"
          message={t("reports.freshness.behind", { contexts: behind.map((c) => t(`reports.context.${c.context}`)).join(", ") })}
        />
      )}
    </div>
  );
}
