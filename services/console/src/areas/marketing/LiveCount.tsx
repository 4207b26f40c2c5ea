import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Space, Statistic, Typography } from "antd";
import { api, unwrap } from "../../api/client";
import type { FilterNode } from "../../components/filter/model";
import { useI18n } from "../../i18n/I18n";
import { formatNumber } from "../../lib/dates";
import { useDebounced } from "../../lib/useDebounced";
import { marketingKey } from "./api";

/**
 * LiveCount shows how many contacts of the audience filter selects now,
 * and a few of them, asking the service (POST /v1/segments/preview) once
 * the conditions have stayed the same for 400 ms; a filter the service
 * refuses shows its problem. The count is data-count on
 * data-testid="segment-count" (empty while it is read).
 */
export function LiveCount({ filter }: { filter: FilterNode | undefined }) {
  const { t, locale } = useI18n();
  const json = useDebounced(JSON.stringify(filter ?? null), 400);
  const preview = useQuery({
    queryKey: marketingKey("segments", "preview", json),
    enabled: json !== "null",
    queryFn: () => unwrap(api.POST("/v1/segments/preview", { body: { filter: JSON.parse(json) as Record<string, never> } })),
    retry: false,
  });
  const settled = json === JSON.stringify(filter ?? null) && !preview.isFetching;
  const count = json === "null" ? undefined : preview.data?.count;
  return (
    <Card size="small" title={t("marketing.segment.liveCount")} aria-live="polite" data-testid="segment-preview">
      {json === "null" ? (
        <Typography.Text type="secondary">{t("marketing.segment.noConditions")}</Typography.Text>
      ) : preview.isError ? (
        <Alert type="error" showIcon message={preview.error instanceof Error ? preview.error.message : String(preview.error)} data-testid="segment-preview-error" />
      ) : (
        <Space direction="vertical" style={{ width: "100%" }}>
          <Statistic
            title={t("marketing.segment.matching")}
            value={count === undefined ? "…" : formatNumber(count, locale)}
            data-testid="segment-count"
            data-count={settled && count !== undefined ? String(count) : ""}
          />
          {(preview.data?.sample.length ?? 0) > 0 && (
            <div>
              <Typography.Text type="secondary">{t("marketing.segment.sample")}</Typography.Text>
              <ul style={{ margin: 0, paddingInlineStart: 20 }} data-testid="segment-sample">
                {preview.data!.sample.map((c) => (
                  <li key={c.id}>
                    {c.displayName || c.email || c.id}
                    {c.email && c.displayName ? <Typography.Text type="secondary"> · {c.email}</Typography.Text> : null}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </Space>
      )}
    </Card>
  );
}
