import { PlusOutlined } from "@ant-design/icons";
import { Button, Segmented, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, type Template } from "./api";
import { PageTitle } from "./PageTitle";

/** TemplatesPage lists the tenant's email and SMS templates, newest first. */
export default function TemplatesPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const [channel, setChannel] = useState<"all" | Template["channel"]>("all");
  const paged = usePagedQuery(marketingKey("templates", "list", channel), (cursor) =>
    unwrap(api.GET("/v1/templates", { params: { query: { channel: channel === "all" ? undefined : channel, cursor, limit: 50 } } })),
  );
  return (
    <div data-testid="page-templates">
      <PageTitle title={t("marketing.templates.title")}>
        {can("marketing:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/marketing/templates/new")} data-testid="template-new">
            {t("marketing.templates.new")}
          </Button>
        )}
      </PageTitle>
      <Segmented
        aria-label={t("marketing.template.channel")}
        value={channel}
        onChange={(v) => {
          setChannel(v as typeof channel);
          paged.pages.reset();
        }}
        options={[
          { value: "all", label: t("marketing.all") },
          { value: "email", label: t("marketing.channel.email") },
          { value: "sms", label: t("marketing.channel.sms") },
        ]}
        style={{ marginBottom: 12 }}
      />
      <PagedList<Template>
        paged={paged}
        rowKey="id"
        caption={t("marketing.templates.title")}
        onOpen={(x) => nav(`/marketing/templates/${x.id}`)}
        columns={[
          { title: t("marketing.name"), dataIndex: "name" },
          { title: t("marketing.template.channel"), key: "channel", render: (_: unknown, x: Template) => <Tag>{t(`marketing.channel.${x.channel}`)}</Tag> },
          { title: t("marketing.template.subjectOrBody"), key: "subject", render: (_: unknown, x: Template) => (x.channel === "email" ? x.subject : x.body) },
          { title: t("marketing.updated"), key: "updated", render: (_: unknown, x: Template) => formatDate(x.updatedAt, locale) },
        ]}
        card={(x) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{x.name}</Typography.Text>
            <Space size={4}>
              <Tag>{t(`marketing.channel.${x.channel}`)}</Tag>
              <Typography.Text type="secondary" ellipsis>
                {x.channel === "email" ? x.subject : x.body}
              </Typography.Text>
            </Space>
          </Space>
        )}
      />
    </div>
  );
}
