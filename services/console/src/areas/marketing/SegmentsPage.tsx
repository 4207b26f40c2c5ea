import { PlusOutlined } from "@ant-design/icons";
import { Button, Space, Tag, Typography } from "antd";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate, formatNumber } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, type Segment } from "./api";
import { PageTitle } from "./PageTitle";

/** SegmentsPage lists the tenant's dynamic segments and static lists with their member counts. */
export default function SegmentsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const paged = usePagedQuery(marketingKey("segments", "list"), (cursor) => unwrap(api.GET("/v1/segments", { params: { query: { cursor, limit: 50 } } })));
  const kind = (s: Segment) => <Tag color={s.kind === "dynamic" ? "#0958d9" : "#595959"}>{t(`marketing.segment.kind.${s.kind}`)}</Tag>;
  return (
    <div data-testid="page-segments">
      <PageTitle title={t("marketing.segments.title")}>
        {can("marketing:write") && (
          <>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/marketing/segments/new?kind=dynamic")} data-testid="segment-new">
              {t("marketing.segments.newDynamic")}
            </Button>
            <Button icon={<PlusOutlined />} onClick={() => nav("/marketing/segments/new?kind=static")} data-testid="list-new">
              {t("marketing.segments.newStatic")}
            </Button>
          </>
        )}
      </PageTitle>
      <PagedList<Segment>
        paged={paged}
        rowKey="id"
        caption={t("marketing.segments.title")}
        onOpen={(s) => nav(`/marketing/segments/${s.id}`)}
        columns={[
          { title: t("marketing.name"), dataIndex: "name" },
          { title: t("marketing.segment.kind"), key: "kind", render: (_: unknown, s: Segment) => kind(s) },
          { title: t("marketing.segment.members"), key: "members", align: "right", render: (_: unknown, s: Segment) => formatNumber(s.memberCount, locale) },
          { title: t("marketing.updated"), key: "updated", render: (_: unknown, s: Segment) => formatDate(s.updatedAt, locale) },
        ]}
        card={(s) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{s.name}</Typography.Text>
            <Space size={4}>
              {kind(s)}
              <Typography.Text type="secondary">{t("marketing.segment.memberCount", { n: formatNumber(s.memberCount, locale) })}</Typography.Text>
            </Space>
          </Space>
        )}
      />
    </div>
  );
}
