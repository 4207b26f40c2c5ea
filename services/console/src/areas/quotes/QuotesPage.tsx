import { Button, Select, Space, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { stateColors, type Quote } from "./shared";

const states: Quote["state"][] = ["draft", "pendingApproval", "approved", "rejected", "sent", "accepted", "declined"];

/** QuotesPage lists the quotes the user may see, newest first, by state. */
export default function QuotesPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const [state, setState] = useState<Quote["state"] | undefined>();
  const paged = usePagedQuery(["quotes", "list", state], (cursor) => unwrap(api.GET("/v1/quotes", { params: { query: { state, limit: 50, cursor } } })));
  const { pages } = paged;
  const stateTag = (q: Quote) => <Tag color={stateColors[q.state]}>{t(`quotes.state.${q.state}`)}</Tag>;
  const total = (q: Quote) => formatMinor(q.total.minor, q.total.currency, locale);
  return (
    <div data-testid="page-quotes">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("quotes.list.title")}
        </Typography.Title>
        {can("sales:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => nav("/quotes/new")} data-testid="quote-new">
            {t("quotes.list.new")}
          </Button>
        )}
      </Space>
      <Select
        allowClear
        aria-label={t("quotes.list.state")}
        placeholder={t("quotes.list.state")}
        value={state}
        onChange={(v?: Quote["state"]) => {
          setState(v);
          pages.reset();
        }}
        options={states.map((s) => ({ value: s, label: t(`quotes.state.${s}`) }))}
        style={{ minWidth: 200, marginBottom: 12 }}
        data-testid="quote-state-filter"
      />
      <PagedList<Quote>
        paged={paged}
        rowKey="id"
        caption={t("quotes.list.title")}
        onOpen={(q) => nav(`/quotes/${q.id}`)}
        columns={[
          { title: t("quotes.number"), dataIndex: "number" },
          { title: t("quotes.name"), dataIndex: "name" },
          { title: t("quotes.account"), dataIndex: "accountName" },
          { title: t("quotes.revision"), dataIndex: "revision", align: "right" },
          { title: t("quotes.total"), key: "total", align: "right", render: (_: unknown, q: Quote) => total(q) },
          { title: t("quotes.list.state"), key: "state", render: (_: unknown, q: Quote) => stateTag(q) },
          { title: t("quotes.updated"), key: "updated", render: (_: unknown, q: Quote) => formatDate(q.updatedAt, locale) },
        ]}
        card={(q) => (
          <Space direction="vertical" size={0} style={{ width: "100%" }}>
            <Space style={{ justifyContent: "space-between", width: "100%" }}>
              <Typography.Text strong>{q.number}</Typography.Text>
              {stateTag(q)}
            </Space>
            <Typography.Text>{q.name}</Typography.Text>
            <Typography.Text type="secondary">
              {q.accountName ? `${q.accountName} · ` : ""}
              {total(q)}
            </Typography.Text>
          </Space>
        )}
      />
    </div>
  );
}
