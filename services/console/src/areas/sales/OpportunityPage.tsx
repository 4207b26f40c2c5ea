import { Card, Col, Descriptions, Row, Space, Table, Tag, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import type { T } from "../../i18n/I18n";
import { formatDate, formatDateTime } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { PersonName } from "../../lib/people";
import { useIsPhone } from "../../lib/useIsPhone";
import { customValue, useCustomLabels } from "./customFields";
import { LineItemsEditor } from "./LineItemsEditor";

/** duration writes a number of seconds as days and hours, or minutes under an hour. */
function duration(seconds: number, t: T): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  if (d > 0) return t("sales.history.days", { d, h });
  if (h > 0) return t("sales.history.hours", { h });
  return t("sales.history.minutes", { m: Math.floor(seconds / 60) });
}

/** OpportunityPage is one opportunity: its fields, its account and contact, its line items and its stage history. */
export default function OpportunityPage() {
  const { id = "" } = useParams();
  const { t, locale } = useI18n();
  const phone = useIsPhone();
  const labels = useCustomLabels("opportunity");
  const opp = useQuery({ queryKey: ["opportunity", id], queryFn: () => unwrap(api.GET("/v1/opportunities/{id}", { params: { path: { id } } })) });
  const pipelineId = opp.data?.pipelineId;
  const pipeline = useQuery({ queryKey: ["pipeline", pipelineId], enabled: !!pipelineId, queryFn: () => unwrap(api.GET("/v1/pipelines/{id}", { params: { path: { id: pipelineId ?? "" } } })) });
  const history = useQuery({ queryKey: ["opportunity", id, "history", opp.data?.version], enabled: !!opp.data, queryFn: () => unwrap(api.GET("/v1/opportunities/{id}/stage-history", { params: { path: { id } } })) });
  if (opp.isError) return <div data-testid="page-opportunity"><ErrorState error={opp.error} onRetry={() => opp.refetch()} /></div>;
  const o = opp.data;
  if (!o) return <div data-testid="page-opportunity"><Card loading /></div>;
  const stage = pipeline.data?.stages.find((s) => s.id === o.stageId);
  const custom = Object.entries(o.customFields ?? {});
  const h2 = (key: string) => <h2 style={{ fontSize: 16, margin: 0 }}>{t(key)}</h2>;
  return (
    <div data-testid="page-opportunity">
      <Space wrap style={{ marginBottom: 16 }}>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }} data-testid="opportunity-name">
          {o.name}
        </Typography.Title>
        {stage ? (
          <Tag color={o.status === "won" ? "green" : o.status === "lost" ? "red" : "blue"} data-testid="opportunity-stage">
            {stage.name}
          </Tag>
        ) : null}
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={10}>
          <Card title={h2("sales.opp.details")}>
            <Descriptions column={1} size="small" data-testid="opportunity-fields">
              <Descriptions.Item label={t("sales.opp.pipeline")}>
                <Link to={`/pipelines/${o.pipelineId}/board`}>{pipeline.data?.name ?? ""}</Link>
              </Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.stage")}>{stage?.name ?? ""}</Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.status")}>{t(`sales.oppStatus.${o.status}`)}</Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.amount")}>
                <span data-testid="opportunity-amount">{o.amount ? formatMinor(o.amount.minor, o.amount.currency, locale) : ""}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.probability")}>{`${o.probability}%`}</Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.forecastCategory")}>{t(`sales.forecast.${o.forecastCategory}`)}</Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.closeDate")}>{formatDate(o.closeDate, locale)}</Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.account")}>
                {o.accountId ? <Link to={`/accounts/${o.accountId}`} data-testid="opportunity-account">{t("sales.opp.openAccount")}</Link> : ""}
              </Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.primaryContact")}>
                {o.primaryContactId ? <Link to={`/contacts/${o.primaryContactId}`} data-testid="opportunity-contact">{t("sales.opp.openContact")}</Link> : ""}
              </Descriptions.Item>
              <Descriptions.Item label={t("sales.opp.owner")}><PersonName id={o.ownerId} /></Descriptions.Item>
              {o.nextStep ? <Descriptions.Item label={t("sales.opp.nextStep")}>{o.nextStep}</Descriptions.Item> : null}
              {o.lostReason ? <Descriptions.Item label={t("sales.opp.lostReason")}>{o.lostReason}</Descriptions.Item> : null}
              {o.competitors.length ? <Descriptions.Item label={t("sales.opp.competitors")}>{o.competitors.join(", ")}</Descriptions.Item> : null}
              {o.tags.length ? <Descriptions.Item label={t("sales.lead.tags")}>{o.tags.map((g) => <Tag key={g}>{g}</Tag>)}</Descriptions.Item> : null}
              {custom.map(([k, v]) => (
                <Descriptions.Item key={k} label={labels.get(k) ?? k}>{customValue(v)}</Descriptions.Item>
              ))}
              <Descriptions.Item label={t("sales.lead.created")}>{formatDateTime(o.createdAt, locale)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Space direction="vertical" size={16} style={{ width: "100%" }}>
            <Card title={h2("sales.lines.title")}>
              <LineItemsEditor opportunityId={o.id} />
            </Card>
            <Card title={h2("sales.history.title")} data-testid="stage-history">
              {history.isError ? (
                <ErrorState error={history.error} onRetry={() => history.refetch()} />
              ) : (
                <Table
                  size="small"
                  pagination={false}
                  loading={history.isLoading}
                  rowKey="enteredAt"
                  dataSource={history.data?.items ?? []}
                  scroll={phone ? { x: "max-content" } : undefined}
                  columns={[
                    { title: t("sales.opp.stage"), dataIndex: "stageName" },
                    { title: t("sales.history.entered"), key: "in", render: (_, v) => formatDateTime(v.enteredAt, locale) },
                    { title: t("sales.history.left"), key: "out", render: (_, v) => formatDateTime(v.leftAt, locale) },
                    { title: t("sales.history.time"), key: "time", render: (_, v) => duration(v.secondsInStage, t) },
                    { title: t("sales.history.by"), dataIndex: "enteredBy" },
                  ]}
                />
              )}
            </Card>
          </Space>
        </Col>
      </Row>
    </div>
  );
}
