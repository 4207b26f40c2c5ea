import { PlusOutlined } from "@ant-design/icons";
import { Button, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { formatMoney } from "../../lib/money";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { campaignStatuses, campaignTypes, marketingKey, type Campaign, type Money } from "./api";
import { PageTitle } from "./PageTitle";
import { statusColors } from "./statusColors";

/** CampaignsPage lists the tenant's campaigns, newest first, by status and type, with their budgets and costs. */
export default function CampaignsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const [status, setStatus] = useState<Campaign["status"] | undefined>();
  const [type, setType] = useState<Campaign["type"] | undefined>();
  const paged = usePagedQuery(marketingKey("campaigns", "list", status, type), (cursor) =>
    unwrap(api.GET("/v1/campaigns", { params: { query: { status, type, cursor, limit: 50 } } })),
  );
  const money = (m?: Money) => (m ? formatMoney(m.amount, m.currency, locale) : "");
  const statusTag = (c: Campaign) => <Tag color={statusColors[c.status]}>{t(`marketing.campaign.status.${c.status}`)}</Tag>;
  const change = <V,>(set: (v: V) => void) => (v: V) => {
    set(v);
    paged.pages.reset();
  };
  return (
    <div data-testid="page-campaigns">
      <PageTitle title={t("marketing.campaigns.title")}>
        {can("marketing:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/marketing/campaigns/new")} data-testid="campaign-new">
            {t("marketing.campaigns.new")}
          </Button>
        )}
      </PageTitle>
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          aria-label={t("marketing.campaign.status")}
          placeholder={t("marketing.campaign.status")}
          value={status}
          onChange={change(setStatus)}
          options={campaignStatuses.map((s) => ({ value: s, label: t(`marketing.campaign.status.${s}`) }))}
          style={{ minWidth: 140 }}
        />
        <Select
          allowClear
          aria-label={t("marketing.campaign.type")}
          placeholder={t("marketing.campaign.type")}
          value={type}
          onChange={change(setType)}
          options={campaignTypes.map((s) => ({ value: s, label: t(`marketing.campaign.type.${s}`) }))}
          style={{ minWidth: 140 }}
        />
      </Space>
      <PagedList<Campaign>
        paged={paged}
        rowKey="id"
        caption={t("marketing.campaigns.title")}
        onOpen={(c) => nav(`/marketing/campaigns/${c.id}`)}
        columns={[
          { title: t("marketing.name"), dataIndex: "name" },
          { title: t("marketing.campaign.status"), key: "status", render: (_: unknown, c: Campaign) => statusTag(c) },
          { title: t("marketing.campaign.type"), key: "type", render: (_: unknown, c: Campaign) => t(`marketing.campaign.type.${c.type}`) },
          { title: t("marketing.campaign.budget"), key: "budget", align: "right", render: (_: unknown, c: Campaign) => money(c.budget) },
          { title: t("marketing.campaign.actualCost"), key: "cost", align: "right", render: (_: unknown, c: Campaign) => money(c.actualCost) },
          { title: t("marketing.campaign.dates"), key: "dates", render: (_: unknown, c: Campaign) => [formatDate(c.startsOn, locale), formatDate(c.endsOn, locale)].filter(Boolean).join(" – ") },
        ]}
        card={(c) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{c.name}</Typography.Text>
            <Space size={4} wrap>
              {statusTag(c)}
              <Tag>{t(`marketing.campaign.type.${c.type}`)}</Tag>
              {c.budget && <Typography.Text type="secondary">{money(c.budget)}</Typography.Text>}
            </Space>
          </Space>
        )}
      />
    </div>
  );
}
