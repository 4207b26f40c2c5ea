import { Button, Space, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { MoveDialog, type Move } from "./QuoteActions";
import { approvalReasons, useDirectory, useQuoteSettings, type Quote } from "./shared";

/**
 * ApprovalsPage is the signed-in approver's inbox: the quotes whose pending
 * level they decide (GET /v1/quotes?awaitingMe=true — the approvers are
 * the managers of the owner's team, or its parent's for the second level,
 * fixed on submit), each with why it needs approval, to approve or reject
 * with a reason.
 */
export default function ApprovalsPage() {
  const { t, locale } = useI18n();
  const nav = useNavigate();
  const settings = useQuoteSettings();
  const [deciding, setDeciding] = useState<{ quote: Quote; move: Move } | null>(null);
  const paged = usePagedQuery(["quotes", "awaiting"], (cursor) => unwrap(api.GET("/v1/quotes", { params: { query: { awaitingMe: true, limit: 50, cursor } } })));
  const { list, pages } = paged;
  const dir = useDirectory((list.data?.items ?? []).map((q) => q.ownerId));
  const money = (q: Quote) => (minor: number) => formatMinor(minor, q.currency, locale);
  const reasons = (q: Quote) => approvalReasons(t, settings.data, q.lineItems, q.total.minor, q.currency, money(q));
  const buttons = (q: Quote) => (
    <Space wrap onClick={(e) => e.stopPropagation()}>
      <Button type="primary" onClick={() => setDeciding({ quote: q, move: "approve" })} data-testid="inbox-approve" aria-label={t("quotes.inbox.approveOne", { number: q.number })}>
        {t("quotes.move.approve")}
      </Button>
      <Button onClick={() => setDeciding({ quote: q, move: "reject" })} data-testid="inbox-reject" aria-label={t("quotes.inbox.rejectOne", { number: q.number })}>
        {t("quotes.move.reject")}
      </Button>
    </Space>
  );
  const why = (q: Quote) => (
    <div data-testid="inbox-reason">
      {t("quotes.level", { n: q.approvedLevels + 1 })} / {q.approvalLevels}
      {reasons(q).map((r) => (
        <div key={r}>
          <Typography.Text type="secondary">{r}</Typography.Text>
        </div>
      ))}
    </div>
  );
  return (
    <div data-testid="page-approvals">
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("quotes.inbox.title")}
      </Typography.Title>
      <PagedList<Quote>
        paged={paged}
        rowKey="id"
        caption={t("quotes.inbox.title")}
        onOpen={(q) => nav(`/quotes/${q.id}`)}
        columns={[
          { title: t("quotes.number"), dataIndex: "number" },
          { title: t("quotes.name"), dataIndex: "name" },
          { title: t("quotes.owner"), key: "owner", render: (_: unknown, q: Quote) => dir.userName(q.ownerId) },
          { title: t("quotes.total"), key: "total", align: "right", render: (_: unknown, q: Quote) => money(q)(q.total.minor) },
          { title: t("quotes.inbox.why"), key: "why", render: (_: unknown, q: Quote) => why(q) },
          { title: t("quotes.updated"), key: "at", render: (_: unknown, q: Quote) => formatDateTime(q.updatedAt, locale) },
          { title: t("quotes.inbox.decide"), key: "decide", render: (_: unknown, q: Quote) => buttons(q) },
        ]}
        card={(q) => (
          <Space direction="vertical" size={4} style={{ width: "100%" }}>
            <Typography.Text strong>
              {q.number} · {q.name}
            </Typography.Text>
            <Typography.Text>
              {dir.userName(q.ownerId)} · {money(q)(q.total.minor)}
            </Typography.Text>
            {why(q)}
            {buttons(q)}
          </Space>
        )}
      />
      {!list.isLoading && list.data?.items.length === 0 && pages.depth === 1 && (
        <Typography.Paragraph type="secondary" data-testid="inbox-empty">
          {t("quotes.inbox.empty")}
        </Typography.Paragraph>
      )}
      {deciding && <MoveDialog quote={deciding.quote} move={deciding.move} onClose={() => setDeciding(null)} />}
    </div>
  );
}
