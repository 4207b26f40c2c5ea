import { useQuery } from "@tanstack/react-query";
import { Alert, Progress, Select, Table, Tabs, Tooltip, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { PersonName } from "../../lib/people";
import { reportsKey, type AccountPrediction, type OpportunityPrediction, type PredictionFactor } from "./api";
import type { Figures } from "./figures";
import { ModelStatus } from "./ModelStatus";
import { PageTitle } from "./PageTitle";
import { ReportChart } from "./ReportChart";

/** Unavailable shows a prediction that cannot be made yet (422: not enough data, not trained) as a notice, any other failure as an error. */
function Unavailable({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  const { t } = useI18n();
  if (isApiError(error) && error.status === 422) return <Alert type="info" showIcon message={t("reports.predictions.unavailable")} description={error.message} data-testid="prediction-unavailable" />;
  return <ErrorState error={error} onRetry={onRetry} />;
}

/** Factors lists a prediction's top factors in words, each marked raising or lowering it. */
function Factors({ factors }: { factors: PredictionFactor[] }) {
  return (
    <ul style={{ margin: 0, paddingInlineStart: 16 }}>
      {factors.map((f) => (
        <li key={f.feature}>
          <Tooltip title={`${f.feature} = ${f.value}`}>
            <Typography.Text type={f.effect >= 0 ? "success" : "danger"}>{f.effect >= 0 ? "▲ " : "▼ "}</Typography.Text>
            {f.text}
          </Tooltip>
        </li>
      ))}
    </ul>
  );
}

/** percent draws a probability as a bar with its percent. */
function percent(p: number) {
  return <Progress percent={Math.round(p * 100)} size="small" style={{ minWidth: 120 }} />;
}

/** Opportunities lists the open opportunities with their win probability, likeliest first. */
function Opportunities() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: reportsKey("predictions", "opportunities"), queryFn: () => unwrap(api.GET("/v1/predictions/opportunities", { params: { query: { limit: 200 } } })), retry: false });
  if (q.isError) return <Unavailable error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Table<OpportunityPrediction>
      size="small" rowKey="opportunityId" loading={q.isLoading} dataSource={q.data?.items ?? []} scroll={{ x: "max-content" }}
      onRow={() => ({ "data-testid": "win-row" }) as object}
      columns={[
        { title: t("reports.predictions.opportunity"), key: "name", render: (_: unknown, r) => <Link to={`/opportunities/${r.opportunityId}`}>{r.name}</Link> },
        { title: t("reports.predictions.owner"), key: "owner", render: (_: unknown, r) => <PersonName id={r.ownerId} /> },
        { title: t("reports.predictions.probability"), key: "p", render: (_: unknown, r) => percent(r.probability) },
        { title: t("reports.predictions.factors"), key: "factors", render: (_: unknown, r) => <Factors factors={r.factors} /> },
      ]}
    />
  );
}

/** Accounts lists the customer accounts by churn risk, riskiest first. */
function Accounts() {
  const { t } = useI18n();
  const q = useQuery({ queryKey: reportsKey("predictions", "accounts"), queryFn: () => unwrap(api.GET("/v1/predictions/accounts", { params: { query: { limit: 200 } } })), retry: false });
  if (q.isError) return <Unavailable error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Table<AccountPrediction>
      size="small" rowKey="accountId" loading={q.isLoading} dataSource={q.data?.items ?? []} scroll={{ x: "max-content" }}
      onRow={() => ({ "data-testid": "churn-row" }) as object}
      columns={[
        { title: t("reports.predictions.account"), key: "name", render: (_: unknown, r) => <Link to={`/accounts/${r.accountId}`}>{r.name}</Link> },
        { title: t("reports.predictions.owner"), key: "owner", render: (_: unknown, r) => <PersonName id={r.ownerId} /> },
        { title: t("reports.predictions.churnRisk"), key: "risk", render: (_: unknown, r) => percent(r.churnRisk) },
        { title: t("reports.predictions.factors"), key: "factors", render: (_: unknown, r) => <Factors factors={r.factors} /> },
      ]}
    />
  );
}

/** Demand draws each queue's forecast cases for the coming weeks as lines, one queue or all. */
function Demand() {
  const { t } = useI18n();
  const [queue, setQueue] = useState<string | undefined>();
  const q = useQuery({ queryKey: reportsKey("predictions", "demand"), queryFn: () => unwrap(api.GET("/v1/predictions/demand")), retry: false });
  const shown = useMemo(() => (q.data?.items ?? []).filter((f) => !queue || f.queue === queue), [q.data, queue]);
  const figs = useMemo<Figures>(() => {
    const weeks = [...new Set(shown.flatMap((f) => f.weeks.map((w) => w.week)))].sort();
    return {
      categories: weeks,
      series: shown.map((f) => ({ name: f.queue, figures: weeks.map((w) => ({ label: w, value: Math.round((f.weeks.find((x) => x.week === w)?.cases ?? 0) * 10) / 10, cells: [] })) })),
    };
  }, [shown]);
  if (q.isError) return <Unavailable error={q.error} onRetry={() => q.refetch()} />;
  return (
    <div data-testid="demand">
      <Select allowClear style={{ width: 220, marginBottom: 8 }} placeholder={t("reports.predictions.allQueues")} value={queue} onChange={setQueue}
        aria-label={t("reports.predictions.queue")} options={(q.data?.items ?? []).map((f) => ({ value: f.queue, label: f.queue }))} />
      <div style={{ height: 320 }}>
        <ReportChart chart="line" figures={figs} label={t("reports.predictions.demand")} onFigure={() => undefined} testId="demand-chart" />
      </div>
      <Typography.Paragraph type="secondary">
        {shown.map((f) => t("reports.predictions.demandError", { queue: f.queue, mae: f.mae.toFixed(1), weeks: f.historyWeeks })).join(" · ")}
      </Typography.Paragraph>
    </div>
  );
}

/**
 * PredictionsPage shows the tenant's predictions: open opportunities'
 * win probability, customer accounts' churn risk (each with its top
 * factors), the case demand per queue for the next weeks, and the models'
 * status.
 */
export default function PredictionsPage() {
  const { t } = useI18n();
  return (
    <div data-testid="page-predictions">
      <PageTitle title={t("reports.predictions.title")} />
      <Tabs
        items={[
          { key: "win", label: t("reports.predictions.win"), children: <Opportunities /> },
          { key: "churn", label: t("reports.predictions.churn"), children: <Accounts /> },
          { key: "demand", label: t("reports.predictions.demand"), children: <Demand /> },
          { key: "models", label: t("reports.predictions.models"), children: <ModelStatus /> },
        ]}
      />
    </div>
  );
}
