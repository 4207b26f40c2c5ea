import { useQuery } from "@tanstack/react-query";
import { Card, Collapse, List, Space, Tag, Timeline, Typography } from "antd";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { formatSpan } from "./sla";
import { SlaClock } from "./SlaClock";

/** SLAClock is one target's clock of a case (GET /v1/cases/{id}/sla). */
type SLAClock = components["schemas"]["CaseSLA"]["clocks"][number];

/** statusColors are the Tag colours of a clock's statuses, readable with white text. */
const statusColors: Record<SLAClock["status"], string> = {
  running: "#0958d9",
  paused: "#595959",
  met: "#237804",
  stopped: "default",
  breached: "#a8071a",
};

/**
 * CaseSla shows a case's SLA clocks: per target its status, the due time
 * as a live clock while it runs (amber within its policy's warning), the business time left (or past due) and
 * its history; a case no policy applied to says so.
 */
export function CaseSla({ caseId }: { caseId: string }) {
  const { t, locale } = useI18n();
  const policies = useQuery({ queryKey: ["support", "sla-policies"], queryFn: () => unwrap(api.GET("/v1/sla-policies")), staleTime: 300_000 });
  const warnBefore = (policyId: string) => policies.data?.items.find((p) => p.id === policyId)?.warnBeforeMinutes;
  const sla = useQuery({ queryKey: ["support", "cases", "sla", caseId], queryFn: () => unwrap(api.GET("/v1/cases/{id}/sla", { params: { path: { id: caseId } } })) });
  const title = <h2 style={{ fontSize: 16, margin: 0 }}>{t("support.sla.title")}</h2>;
  if (sla.isError) return <ErrorState error={sla.error} onRetry={() => sla.refetch()} />;
  const clocks = sla.data?.clocks ?? [];
  return (
    <Card size="small" title={title} loading={sla.isLoading} data-testid="case-sla" style={{ marginBottom: 12 }}>
      {clocks.length === 0 ? (
        <Typography.Text type="secondary">{t("support.sla.none")}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={clocks}
          rowKey="target"
          renderItem={(c) => (
            <List.Item data-testid="sla-target" data-target={c.target} data-status={c.status} style={{ display: "block" }}>
              <Space wrap>
                <Typography.Text strong>{t(`support.sla.target.${c.target}`)}</Typography.Text>
                <Tag color={statusColors[c.status]}>{t(`support.sla.status.${c.status}`)}</Tag>
                {c.status === "running" && <SlaClock dueAt={c.dueAt} warningMinutes={warnBefore(c.policyId)} testId={`sla-${c.target}`} />}
                <Typography.Text type="secondary">
                  {c.remainingSeconds < 0
                    ? t("support.sla.businessOver", { span: formatSpan(c.remainingSeconds * 1000, locale) })
                    : t("support.sla.businessLeft", { span: formatSpan(c.remainingSeconds * 1000, locale) })}
                </Typography.Text>
              </Space>
              <Collapse
                ghost
                size="small"
                items={[
                  {
                    key: "history",
                    label: t("support.sla.history"),
                    children: (
                      <Timeline
                        items={c.history.map((h) => ({
                          children: (
                            <span>
                              {t(`support.sla.event.${h.event}`)} · {formatDateTime(h.at, locale)}
                              {h.detail ? ` · ${h.detail}` : ""}
                            </span>
                          ),
                        }))}
                      />
                    ),
                  },
                ]}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
