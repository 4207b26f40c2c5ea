import { PlusOutlined } from "@ant-design/icons";
import { Button, Space, Tag, Typography } from "antd";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey } from "./api";
import type { Journey } from "./journeys";
import { PageTitle } from "./PageTitle";
import { journeyStatusColors } from "./statusColors";

/** JourneysPage lists the tenant's journeys, newest first: their status, trigger, steps and last change. */
export default function JourneysPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const paged = usePagedQuery(marketingKey("journeys", "list"), (cursor) => unwrap(api.GET("/v1/journeys", { params: { query: { cursor, limit: 50 } } })));
  const status = (j: Journey) => <Tag color={journeyStatusColors[j.status]}>{t(`marketing.journey.status.${j.status}`)}</Tag>;
  const trigger = (j: Journey) => t(`marketing.journey.trigger.${j.trigger.type}`) + (j.trigger.event ? ` (${j.trigger.event})` : "");
  return (
    <div data-testid="page-journeys">
      <PageTitle title={t("marketing.journeys.title")}>
        {can("marketing:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/marketing/journeys/new")} data-testid="journey-new">
            {t("marketing.journeys.new")}
          </Button>
        )}
      </PageTitle>
      <PagedList<Journey>
        paged={paged}
        rowKey="id"
        caption={t("marketing.journeys.title")}
        onOpen={(j) => nav(`/marketing/journeys/${j.id}`)}
        columns={[
          { title: t("marketing.name"), dataIndex: "name" },
          { title: t("marketing.journey.status"), key: "status", render: (_: unknown, j: Journey) => status(j) },
          { title: t("marketing.journey.trigger"), key: "trigger", render: (_: unknown, j: Journey) => trigger(j) },
          { title: t("marketing.journey.steps"), key: "steps", align: "right", render: (_: unknown, j: Journey) => j.steps.length },
          { title: t("marketing.journey.updatedAt"), key: "updated", render: (_: unknown, j: Journey) => formatDateTime(j.updatedAt, locale) },
        ]}
        card={(j) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{j.name}</Typography.Text>
            <Space size={4} wrap>
              {status(j)}
              <Typography.Text type="secondary">{trigger(j)}</Typography.Text>
            </Space>
          </Space>
        )}
      />
    </div>
  );
}
