import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Input, Select, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, memberStatuses, type Campaign, type CampaignMember } from "./api";
import { parseContactIds } from "./segments";

/** CampaignMembers lists a campaign's members by status, and adds contacts to it by id. */
export function CampaignMembers({ campaign }: { campaign: Campaign }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const qc = useQueryClient();
  const [status, setStatus] = useState<CampaignMember["status"] | undefined>();
  const [text, setText] = useState("");
  const [result, setResult] = useState<{ type: "success" | "error"; text: string } | null>(null);
  const paged = usePagedQuery(marketingKey("campaigns", campaign.id, "members", status), (cursor) =>
    unwrap(api.GET("/v1/campaigns/{id}/members", { params: { path: { id: campaign.id }, query: { status, cursor, limit: 50 } } })),
  );
  const add = async () => {
    const { ids, invalid } = parseContactIds(text);
    if (invalid.length > 0 || ids.length === 0) {
      setResult({ type: "error", text: invalid.length > 0 ? t("marketing.segment.notIds", { ids: invalid.join(", ") }) : t("marketing.segment.noIds") });
      return;
    }
    try {
      const r = await unwrap(api.POST("/v1/campaigns/{id}/members", { params: { path: { id: campaign.id } }, body: { contactIds: ids } }));
      setResult({ type: "success", text: t("marketing.campaign.membersAdded", { n: r.added }) });
      setText("");
      qc.invalidateQueries({ queryKey: marketingKey("campaigns", campaign.id) });
    } catch (err) {
      setResult({ type: "error", text: err instanceof Error ? err.message : String(err) });
    }
  };
  return (
    <Card title={t("marketing.campaign.members")} style={{ marginTop: 16 }} data-testid="campaign-members">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          allowClear
          aria-label={t("marketing.member.status")}
          placeholder={t("marketing.member.status")}
          value={status}
          onChange={(v) => {
            setStatus(v);
            paged.pages.reset();
          }}
          options={memberStatuses.map((s) => ({ value: s, label: t(`marketing.member.status.${s}`) }))}
          style={{ minWidth: 140 }}
        />
      </Space>
      {can("marketing:write") && (
        <Space direction="vertical" style={{ width: "100%", marginBottom: 12 }}>
          <label htmlFor="campaign-add-ids">{t("marketing.segment.addIds")}</label>
          <Input.TextArea id="campaign-add-ids" rows={2} value={text} onChange={(e) => setText(e.target.value)} />
          <Button onClick={add} disabled={text.trim() === ""} data-testid="campaign-add-members">
            {t("marketing.segment.add")}
          </Button>
          {result && <Alert type={result.type} showIcon message={result.text} />}
        </Space>
      )}
      <PagedList<CampaignMember>
        paged={paged}
        rowKey="contactId"
        caption={t("marketing.campaign.members")}
        columns={[
          { title: t("marketing.member.contact"), key: "contact", render: (_: unknown, m: CampaignMember) => <Link to={`/contacts/${m.contactId}`}>{m.contactId}</Link> },
          { title: t("marketing.member.status"), key: "status", render: (_: unknown, m: CampaignMember) => <Tag>{t(`marketing.member.status.${m.status}`)}</Tag> },
          { title: t("marketing.member.addedAt"), key: "addedAt", render: (_: unknown, m: CampaignMember) => formatDateTime(m.addedAt, locale) },
          { title: t("marketing.updated"), key: "updatedAt", render: (_: unknown, m: CampaignMember) => formatDateTime(m.updatedAt, locale) },
        ]}
        card={(m) => (
          <Space direction="vertical" size={2}>
            <Link to={`/contacts/${m.contactId}`}>{m.contactId}</Link>
            <Typography.Text type="secondary">{t(`marketing.member.status.${m.status}`)}</Typography.Text>
          </Space>
        )}
      />
    </Card>
  );
}
