import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Descriptions, Table, Tag } from "antd";
import type { HTMLAttributes } from "react";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { ScrollRegion } from "../../components/ScrollRegion";
import { useI18n, type T } from "../../i18n/I18n";
import type { Locale } from "../../i18n/types";
import { formatDateTime, formatNumber } from "../../lib/dates";
import { formatPValue, formatRate, leader, type SendABResults, type SendABVariantResult } from "./abtest";
import { marketingKey } from "./api";

/** testKey is the text key of the test the API names (its name in English), or none for a test it does not know. */
function testKey(test: string): string | undefined {
  if (test.startsWith("two-proportion z-test")) return "marketing.ab.test.z";
  if (test.startsWith("chi-square")) return "marketing.ab.test.chi";
  return undefined;
}

/**
 * ABResultsCard is a send's A/B test: each variant's messages sent, opens
 * and clicks with their rates (the leader or the winner marked), the test
 * with its statistic and p-value, the best against the runner-up, the
 * rest held back, and the decision with what made it. It reads the results
 * again every five seconds until decided, and shows nothing for a send
 * without a test (a 404).
 */
export function ABResultsCard({ sendId, live }: { sendId: string; live: boolean }) {
  const { t, locale } = useI18n();
  const q = useQuery({
    queryKey: marketingKey("sends", sendId, "ab-results"),
    queryFn: () => unwrap(api.GET("/v1/sends/{id}/ab-results", { params: { path: { id: sendId } } })),
    retry: (n, err) => !(isApiError(err) && err.status === 404) && n < 3,
    refetchInterval: (query) => (query.state.data?.state === "decided" && !live ? false : query.state.error ? false : 5000),
  });
  if (q.isError && isApiError(q.error) && q.error.status === 404) return null;
  if (q.isError) return <Alert type="error" showIcon message={q.error.message} style={{ marginTop: 16 }} />;
  const r = q.data;
  if (!r) return <Card loading style={{ marginTop: 16 }} />;
  return <Results r={r} t={t} locale={locale} />;
}

/** Results draws the results r. */
function Results({ r, t, locale }: { r: SendABResults; t: T; locale: Locale }) {
  const top = leader(r);
  const n = (x: number) => formatNumber(x, locale);
  const test = (name: string) => {
    const k = testKey(name);
    return k ? t(k) : name;
  };
  const statistic = (x: number, df?: number) => (df ? `χ² = ${x.toFixed(3)} (df ${df})` : `z = ${x.toFixed(3)}`);
  const d = r.decision;
  return (
    <Card
      title={t("marketing.ab.title")}
      style={{ marginTop: 16 }}
      data-testid="ab-results"
      data-state={r.state}
      data-winner={d?.winner ?? ""}
      extra={<Tag data-testid="ab-state">{t(`marketing.ab.state.${r.state}`)}</Tag>}
    >
      {d && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="ab-decision"
          message={t("marketing.ab.decided", { winner: d.winner, by: t(`marketing.ab.by.${d.by}`), at: formatDateTime(d.at, locale) })}
          description={`${test(d.test)} · ${statistic(d.statistic, r.degreesOfFreedom)} · p = ${formatPValue(d.pValue)}`}
        />
      )}
      <ScrollRegion label={t("marketing.ab.variants")}>
        <Table<SendABVariantResult>
          size="small"
          pagination={false}
          rowKey="name"
          dataSource={r.variants}
          data-testid="ab-variants"
          onRow={(x) => ({ "data-testid": `ab-variant-${x.name}`, "data-sent": x.sent } as HTMLAttributes<HTMLElement>)}
          columns={[
            { title: t("marketing.ab.variant"), key: "name", render: (_: unknown, x) => (x.name === top ? <>{x.name} <Tag color="#237804">{t(d ? "marketing.ab.winner" : "marketing.ab.leading")}</Tag></> : x.name) },
            { title: t("marketing.ab.sent"), key: "sent", align: "right", render: (_: unknown, x) => n(x.sent) },
            { title: t("marketing.ab.opens"), key: "opens", align: "right", render: (_: unknown, x) => n(x.opens) },
            { title: t("marketing.ab.openRate"), key: "openRate", align: "right", render: (_: unknown, x) => formatRate(x.openRate) },
            { title: t("marketing.ab.clicks"), key: "clicks", align: "right", render: (_: unknown, x) => n(x.clicks) },
            { title: t("marketing.ab.clickRate"), key: "clickRate", align: "right", render: (_: unknown, x) => formatRate(x.clickRate) },
            { title: t("marketing.ab.pending"), key: "pending", align: "right", render: (_: unknown, x) => n(x.pending) },
          ]}
        />
      </ScrollRegion>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        style={{ marginTop: 12 }}
        data-testid="ab-test"
        items={[
          { key: "metric", label: t("marketing.ab.metric"), children: t(`marketing.ab.metric.${r.metric}`) },
          { key: "share", label: t("marketing.ab.testShare"), children: `${r.abTest.testShare}%` },
          { key: "test", label: t("marketing.ab.test"), children: test(r.test) },
          { key: "statistic", label: t("marketing.ab.statistic"), children: statistic(r.statistic, r.degreesOfFreedom) },
          { key: "p", label: t("marketing.ab.pValue"), children: <span data-testid="ab-p-value">{formatPValue(r.pValue)}</span> },
          {
            key: "comparison",
            label: t("marketing.ab.comparison"),
            children: t("marketing.ab.comparisonValue", { best: r.comparison.best, runnerUp: r.comparison.runnerUp, z: r.comparison.z.toFixed(3), p: formatPValue(r.comparison.pValue) }),
          },
          { key: "significant", label: t("marketing.ab.significant"), children: t(r.significant ? "marketing.ab.yes" : "marketing.ab.no", { confidence: `${((r.abTest.minConfidence ?? 0.95) * 100).toFixed(0)}%` }) },
          { key: "decideAt", label: t("marketing.ab.decideAt"), children: formatDateTime(r.abTest.decideAt, locale) },
          { key: "rest", label: t("marketing.ab.rest"), children: t("marketing.ab.restValue", { held: n(r.rest.held), pending: n(r.rest.pending), sent: n(r.rest.sent) }) },
        ]}
      />
    </Card>
  );
}
