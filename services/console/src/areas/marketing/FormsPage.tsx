import { PlusOutlined } from "@ant-design/icons";
import { Button, Space, Tag, Typography } from "antd";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, type MarketingForm } from "./api";
import { PageTitle } from "./PageTitle";
import { useNames } from "./useNames";

/** FormsPage lists the tenant's web forms. */
export default function FormsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const names = useNames();
  const paged = usePagedQuery(marketingKey("forms", "list"), (cursor) => unwrap(api.GET("/v1/forms", { params: { query: { cursor, limit: 50 } } })));
  const status = (f: MarketingForm) => <Tag color={f.status === "active" ? "#237804" : "#595959"}>{t(`marketing.form.status.${f.status}`)}</Tag>;
  return (
    <div data-testid="page-forms">
      <PageTitle title={t("marketing.forms.title")}>
        {can("marketing:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/marketing/forms/new")} data-testid="form-new">
            {t("marketing.forms.new")}
          </Button>
        )}
      </PageTitle>
      <PagedList<MarketingForm>
        paged={paged}
        rowKey="id"
        caption={t("marketing.forms.title")}
        onOpen={(f) => nav(`/marketing/forms/${f.id}`)}
        columns={[
          { title: t("marketing.name"), dataIndex: "name" },
          { title: t("marketing.form.statusLabel"), key: "status", render: (_: unknown, f: MarketingForm) => status(f) },
          { title: t("marketing.send.campaign"), key: "campaign", render: (_: unknown, f: MarketingForm) => names.campaign(f.campaignId) },
          { title: t("marketing.form.fields"), key: "fields", align: "right", render: (_: unknown, f: MarketingForm) => f.fields.length },
          { title: t("marketing.form.doubleOptIn"), key: "doi", render: (_: unknown, f: MarketingForm) => (f.doubleOptIn ? t("marketing.yes") : t("marketing.no")) },
          { title: t("marketing.updated"), key: "updated", render: (_: unknown, f: MarketingForm) => formatDate(f.updatedAt, locale) },
        ]}
        card={(f) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{f.name}</Typography.Text>
            {status(f)}
          </Space>
        )}
      />
    </div>
  );
}
