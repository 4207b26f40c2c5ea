import { useQuery } from "@tanstack/react-query";
import { Card, Col, DatePicker, Row, Segmented, Select, Space, Statistic, Table, Typography } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatNumber } from "../../lib/dates";
import { PersonName } from "../../lib/people";
import { useQueues } from "./queues";

/** Result is one group's (or the total's) survey counts. */
type Result = components["schemas"]["SurveyResult"];
/** Kind is a survey's kind. */
type Kind = "csat" | "nps";
/** GroupBy is what the results are grouped by. */
type GroupBy = "agent" | "queue" | "month";

/**
 * SurveysPage shows the survey results of a period: CSAT (average score,
 * share satisfied) or NPS (promoters, passives, detractors, the score), in
 * total and by agent, queue or month.
 */
export default function SurveysPage() {
  const { t, locale } = useI18n();
  const queues = useQueues();
  const [kind, setKind] = useState<Kind>("csat");
  const [groupBy, setGroupBy] = useState<GroupBy>("agent");
  const [period, setPeriod] = useState<[Dayjs, Dayjs]>(() => [dayjs().subtract(30, "day").startOf("day"), dayjs().add(1, "day").startOf("day")]);
  const query = { kind, groupBy, from: period[0].toISOString(), to: period[1].toISOString() };
  const results = useQuery({ queryKey: ["support", "surveys", "results", query], queryFn: () => unwrap(api.GET("/v1/surveys/results", { params: { query } })) });
  const num = (n: number | undefined, digits = 1) => (n === undefined ? "—" : formatNumber(Math.round(n * 10 ** digits) / 10 ** digits, locale));
  const key = (r: Result) => {
    if (!r.key) return t("support.surveys.none");
    if (groupBy === "agent") return <PersonName id={r.key} />;
    if (groupBy === "queue") return queues.name(r.key);
    return r.key;
  };
  const columns = [
    { title: t(`support.surveys.by.${groupBy}`), key: "key", render: (_: unknown, r: Result) => key(r) },
    { title: t("support.surveys.sent"), dataIndex: "sent", align: "right" as const },
    { title: t("support.surveys.answered"), dataIndex: "answered", align: "right" as const },
    ...(kind === "csat"
      ? [
          { title: t("support.surveys.average"), key: "average", align: "right" as const, render: (_: unknown, r: Result) => num(r.average, 2) },
          { title: t("support.surveys.satisfied"), key: "satisfied", align: "right" as const, render: (_: unknown, r: Result) => (r.satisfiedPercent === undefined ? "—" : `${num(r.satisfiedPercent)}%`) },
        ]
      : [
          { title: t("support.surveys.promoters"), dataIndex: "promoters", align: "right" as const },
          { title: t("support.surveys.passives"), dataIndex: "passives", align: "right" as const },
          { title: t("support.surveys.detractors"), dataIndex: "detractors", align: "right" as const },
          { title: "NPS", key: "nps", align: "right" as const, render: (_: unknown, r: Result) => num(r.nps) },
        ]),
  ];
  const total = results.data?.total;
  return (
    <div data-testid="page-surveys">
      <Typography.Title level={1} style={{ fontSize: 22, marginTop: 0 }}>
        {t("support.surveys.title")}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented<Kind> aria-label={t("support.surveys.kind")} value={kind} onChange={setKind} options={[{ value: "csat", label: "CSAT" }, { value: "nps", label: "NPS" }]} />
        <Select<GroupBy>
          aria-label={t("support.surveys.groupBy")}
          value={groupBy}
          onChange={setGroupBy}
          options={(["agent", "queue", "month"] as const).map((g) => ({ value: g, label: t(`support.surveys.by.${g}`) }))}
          style={{ minWidth: 140 }}
        />
        <DatePicker.RangePicker
          aria-label={t("support.surveys.period")}
          allowClear={false}
          value={period}
          onChange={(v) => {
            if (v?.[0] && v[1]) setPeriod([v[0].startOf("day"), v[1].add(1, "day").startOf("day")]);
          }}
        />
      </Space>
      {results.isError ? (
        <ErrorState error={results.error} onRetry={() => results.refetch()} />
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }} data-testid="survey-totals">
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t("support.surveys.sent")} value={total?.sent ?? 0} loading={results.isLoading} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                <Statistic title={t("support.surveys.answered")} value={total?.answered ?? 0} loading={results.isLoading} />
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                {kind === "csat" ? (
                  <Statistic title={t("support.surveys.average")} value={num(total?.average, 2)} loading={results.isLoading} />
                ) : (
                  <Statistic title="NPS" value={num(total?.nps)} loading={results.isLoading} />
                )}
              </Card>
            </Col>
            <Col xs={12} md={6}>
              <Card size="small">
                {kind === "csat" ? (
                  <Statistic title={t("support.surveys.satisfied")} value={total?.satisfiedPercent === undefined ? "—" : `${num(total.satisfiedPercent)}%`} loading={results.isLoading} />
                ) : (
                  <Statistic title={t("support.surveys.promoters")} value={total?.promoters ?? 0} loading={results.isLoading} />
                )}
              </Card>
            </Col>
          </Row>
          <Table<Result>
            size="middle"
            rowKey={(r) => r.key ?? ""}
            columns={columns}
            dataSource={results.data?.groups ?? []}
            loading={results.isLoading}
            pagination={false}
            scroll={{ x: "max-content" }}
            locale={{ emptyText: <Typography.Text type="secondary">{t("support.surveys.noAnswers")}</Typography.Text> }}
            title={() => <span className="sr-only">{t("support.surveys.title")}</span>}
          />
        </>
      )}
    </div>
  );
}
