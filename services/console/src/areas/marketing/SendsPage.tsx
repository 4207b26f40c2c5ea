import { SendOutlined } from "@ant-design/icons";
import { Button, Space, Tag, Typography } from "antd";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime, formatNumber } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, type Send } from "./api";
import { PageTitle } from "./PageTitle";
import { sendStatusColors } from "./statusColors";
import { useNames } from "./useNames";

/** SendsPage lists the tenant's sends, newest first, with their counts. */
export default function SendsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const names = useNames();
  const paged = usePagedQuery(marketingKey("sends", "list"), (cursor) => unwrap(api.GET("/v1/sends", { params: { query: { cursor, limit: 50 } } })));
  const status = (s: Send) => <Tag color={sendStatusColors[s.status]}>{t(`marketing.send.status.${s.status}`)}</Tag>;
  return (
    <div data-testid="page-sends">
      <PageTitle title={t("marketing.sends.title")}>
        {can("marketing:send") && (
          <Button type="primary" icon={<SendOutlined />} onClick={() => nav("/marketing/sends/new")} data-testid="send-new">
            {t("marketing.sends.new")}
          </Button>
        )}
      </PageTitle>
      <PagedList<Send>
        paged={paged}
        rowKey="id"
        caption={t("marketing.sends.title")}
        onOpen={(s) => nav(`/marketing/sends/${s.id}`)}
        columns={[
          { title: t("marketing.send.template"), key: "template", render: (_: unknown, s: Send) => names.template(s.templateId) },
          { title: t("marketing.send.segment"), key: "segment", render: (_: unknown, s: Send) => names.segment(s.segmentId) },
          { title: t("marketing.send.statusLabel"), key: "status", render: (_: unknown, s: Send) => status(s) },
          { title: t("marketing.send.count.recipients"), key: "recipients", align: "right", render: (_: unknown, s: Send) => formatNumber(s.counts.recipients, locale) },
          { title: t("marketing.send.count.sent"), key: "sent", align: "right", render: (_: unknown, s: Send) => formatNumber(s.counts.sent, locale) },
          { title: t("marketing.send.count.excluded"), key: "excluded", align: "right", render: (_: unknown, s: Send) => formatNumber(s.counts.excluded, locale) },
          { title: t("marketing.send.created"), key: "created", render: (_: unknown, s: Send) => formatDateTime(s.scheduledAt ?? s.createdAt, locale) },
        ]}
        card={(s) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{names.template(s.templateId)}</Typography.Text>
            <Space size={4} wrap>
              {status(s)}
              <Typography.Text type="secondary">{names.segment(s.segmentId)}</Typography.Text>
            </Space>
          </Space>
        )}
      />
    </div>
  );
}
