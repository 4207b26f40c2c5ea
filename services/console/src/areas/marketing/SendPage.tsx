import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Descriptions, Popconfirm, Row, Statistic, Tag } from "antd";
import { Link, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime, formatNumber } from "../../lib/dates";
import { ABResultsCard } from "./ABResultsCard";
import { marketingKey } from "./api";
import { PageTitle } from "./PageTitle";
import { cancelable, countNames, exclusionReasons, finished } from "./sends";
import { sendStatusColors } from "./statusColors";
import { useNames } from "./useNames";

/**
 * SendPage is one send: its status, its messages by status and the
 * recipients it left out by reason, read again every two seconds until it
 * is completed or canceled; a send not yet finished can be canceled.
 */
export default function SendPage() {
  const { id } = useParams();
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const names = useNames();
  const q = useQuery({
    queryKey: marketingKey("sends", id),
    queryFn: () => unwrap(api.GET("/v1/sends/{id}", { params: { path: { id: id! } } })),
    refetchInterval: (query) => (query.state.data && finished(query.state.data) ? false : 2000),
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const s = q.data;
  if (!s) return <Card loading data-testid="page-send" />;
  const cancel = async () => {
    try {
      qc.setQueryData(marketingKey("sends", s.id), await unwrap(api.POST("/v1/sends/{id}/cancel", { params: { path: { id: s.id } } })));
      qc.invalidateQueries({ queryKey: marketingKey("sends", "list") });
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <div data-testid="page-send" data-status={s.status}>
      <PageTitle
        title={
          <>
            {t("marketing.send.title", { template: names.template(s.templateId) })}{" "}
            <Tag color={sendStatusColors[s.status]} data-testid="send-status">
              {t(`marketing.send.status.${s.status}`)}
            </Tag>
          </>
        }
      >
        {cancelable(s) && can("marketing:send") && (
          <Popconfirm title={t("marketing.send.cancelConfirm")} onConfirm={cancel} okText={t("marketing.send.cancel")} cancelText={t("marketing.back")}>
            <Button danger data-testid="send-cancel">
              {t("marketing.send.cancel")}
            </Button>
          </Popconfirm>
        )}
      </PageTitle>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        style={{ marginBottom: 16 }}
        items={[
          { key: "template", label: t("marketing.send.template"), children: <Link to={`/marketing/templates/${s.templateId}`}>{names.template(s.templateId)}</Link> },
          { key: "segment", label: t("marketing.send.segment"), children: <Link to={`/marketing/segments/${s.segmentId}`}>{names.segment(s.segmentId)}</Link> },
          { key: "channel", label: t("marketing.template.channel"), children: t(`marketing.channel.${s.channel}`) },
          ...(s.campaignId ? [{ key: "campaign", label: t("marketing.send.campaign"), children: <Link to={`/marketing/campaigns/${s.campaignId}`}>{names.campaign(s.campaignId)}</Link> }] : []),
          ...(s.scheduledAt ? [{ key: "scheduled", label: t("marketing.send.scheduledAt"), children: formatDateTime(s.scheduledAt, locale) }] : []),
          ...(s.completedAt ? [{ key: "completed", label: t("marketing.send.completedAt"), children: formatDateTime(s.completedAt, locale) }] : []),
        ]}
      />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t("marketing.send.counts")} data-testid="send-counts">
            <Row gutter={[16, 16]}>
              {countNames.map((k) => (
                <Col key={k} xs={12} sm={8}>
                  <Statistic title={t(`marketing.send.count.${k}`)} value={formatNumber(s.counts[k], locale)} data-testid={`send-count-${k}`} data-value={s.counts[k]} />
                </Col>
              ))}
            </Row>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card title={t("marketing.send.exclusions")} data-testid="send-exclusions">
            {s.counts.excluded === 0 && s.status !== "scheduled" && <Alert type="success" message={t("marketing.send.noExclusions")} style={{ marginBottom: 12 }} />}
            <Row gutter={[16, 16]}>
              {exclusionReasons.map((r) => (
                <Col key={r} xs={12} sm={8}>
                  <Statistic title={t(`marketing.send.excluded.${r}`)} value={formatNumber(s.excluded[r], locale)} data-testid={`send-excluded-${r}`} data-value={s.excluded[r]} />
                </Col>
              ))}
            </Row>
          </Card>
        </Col>
      </Row>
      <ABResultsCard sendId={s.id} live={!finished(s)} />
    </div>
  );
}
