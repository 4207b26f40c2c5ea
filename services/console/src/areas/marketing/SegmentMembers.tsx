import { UploadOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Input, Space, Tag, Typography, Upload } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { marketingKey, type AudienceContact, type Segment } from "./api";
import { parseContactIds } from "./segments";

/**
 * SegmentMembers lists a segment's current members; a static list's are
 * added here by contact id or from a CSV file (an email or id column) and
 * removed one by one.
 */
export function SegmentMembers({ segment }: { segment: Segment }) {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const editable = segment.kind === "static" && can("marketing:write");
  const paged = usePagedQuery(marketingKey("segments", segment.id, "members"), (cursor) =>
    unwrap(api.GET("/v1/segments/{id}/members", { params: { path: { id: segment.id }, query: { cursor, limit: 50 } } })),
  );
  const changed = () => qc.invalidateQueries({ queryKey: marketingKey("segments") });
  const remove = async (c: AudienceContact) => {
    try {
      await unwrap(api.DELETE("/v1/segments/{id}/members/{contactId}", { params: { path: { id: segment.id, contactId: c.id } } }));
      changed();
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    }
  };
  const consent = (v: string) => (v ? t(`marketing.consent.${v}`) : t("marketing.consent.none"));
  return (
    <Card title={t("marketing.segment.membersTitle")} style={{ marginTop: 16 }} data-testid="segment-members">
      {editable && <AddMembers segment={segment} onAdded={changed} />}
      <PagedList<AudienceContact>
        paged={paged}
        rowKey="id"
        caption={t("marketing.segment.membersTitle")}
        columns={[
          { title: t("marketing.name"), key: "name", render: (_: unknown, c: AudienceContact) => c.displayName || [c.firstName, c.lastName].join(" ") },
          { title: t("marketing.field.email"), dataIndex: "email" },
          { title: t("marketing.field.emailConsent"), key: "emailConsent", render: (_: unknown, c: AudienceContact) => consent(c.emailConsent) },
          { title: t("marketing.field.city"), dataIndex: "city" },
          ...(editable
            ? [
                {
                  title: <span className="sr-only">{t("marketing.actions")}</span>,
                  key: "remove",
                  render: (_: unknown, c: AudienceContact) => (
                    <Button size="small" onClick={() => remove(c)} aria-label={t("marketing.segment.removeMember", { name: c.displayName || c.email || c.id })}>
                      {t("marketing.remove")}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
        card={(c) => (
          <Space direction="vertical" size={2}>
            <Typography.Text strong>{c.displayName || c.email || c.id}</Typography.Text>
            <Space size={4} wrap>
              {c.email && <Typography.Text type="secondary">{c.email}</Typography.Text>}
              <Tag>{consent(c.emailConsent)}</Tag>
            </Space>
          </Space>
        )}
      />
    </Card>
  );
}

/** AddMembers adds contacts to a static list: ids pasted into a box, or a CSV file. */
function AddMembers({ segment, onAdded }: { segment: Segment; onAdded: () => void }) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [result, setResult] = useState<{ type: "success" | "warning" | "error"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const addIds = async () => {
    const { ids, invalid } = parseContactIds(text);
    if (invalid.length > 0 || ids.length === 0) {
      setResult({ type: "error", text: invalid.length > 0 ? t("marketing.segment.notIds", { ids: invalid.join(", ") }) : t("marketing.segment.noIds") });
      return;
    }
    setBusy(true);
    try {
      const r = await unwrap(api.POST("/v1/segments/{id}/members", { params: { path: { id: segment.id } }, body: { contactIds: ids } }));
      setResult({
        type: r.unknown.length > 0 ? "warning" : "success",
        text: t("marketing.segment.added", { added: r.added, already: r.alreadyMembers }) + (r.unknown.length > 0 ? " " + t("marketing.segment.unknownIds", { ids: r.unknown.join(", ") }) : ""),
      });
      setText("");
      onAdded();
    } catch (err) {
      setResult({ type: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  const importCsv = async (file: File) => {
    setBusy(true);
    try {
      const csv = await file.text();
      const r = await unwrap(
        api.POST("/v1/segments/{id}/imports", { params: { path: { id: segment.id } }, body: csv, bodySerializer: (b: string) => b, headers: { "Content-Type": "text/csv" } }),
      );
      setResult({
        type: r.unknown > 0 ? "warning" : "success",
        text:
          t("marketing.segment.imported", { rows: r.rows, added: r.added, already: r.alreadyMembers }) +
          (r.unknown > 0 ? " " + t("marketing.segment.unknownRows", { n: r.unknown, rows: r.unknownRows.join(", ") }) : ""),
      });
      onAdded();
    } catch (err) {
      setResult({ type: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: "100%", marginBottom: 12 }}>
      <label htmlFor="list-add-ids">{t("marketing.segment.addIds")}</label>
      <Input.TextArea id="list-add-ids" rows={2} value={text} onChange={(e) => setText(e.target.value)} data-testid="list-add-ids" />
      <Space wrap>
        <Button onClick={addIds} loading={busy} disabled={text.trim() === ""} data-testid="list-add">
          {t("marketing.segment.add")}
        </Button>
        <Upload
          accept=".csv,text/csv"
          showUploadList={false}
          beforeUpload={(file) => {
            void importCsv(file);
            return false;
          }}
        >
          <Button icon={<UploadOutlined />} disabled={busy} data-testid="list-import">
            {t("marketing.segment.importCsv")}
          </Button>
        </Upload>
      </Space>
      <Typography.Text type="secondary">{t("marketing.segment.csvHint")}</Typography.Text>
      {result && <Alert type={result.type} showIcon message={result.text} data-testid="list-add-result" />}
    </Space>
  );
}
