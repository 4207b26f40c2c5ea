import { PaperClipOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Empty, Form, Input, Result, Space, Tag, Typography, type UploadFile } from "antd";
import { useState } from "react";
import { useParams, useSearchParams } from "react-router-dom";
import { isApiError } from "../api/problem";
import { formatSize } from "../areas/support/size";
import { formatDateTime } from "../lib/dates";
import { applyProblem } from "../lib/forms";
import { portalDownload, portalGet, portalPost, type PortalCase, type PortalEntry } from "./api";
import { appendFiles, FilePicker } from "./files";
import { PortalError } from "./PortalError";
import { usePortal, type PortalT } from "./usePortal";

/** entryStyles set the customer's own replies apart from the support team's. */
const entryStyles = {
  customer: { borderLeft: "4px solid #1d4ed8" },
  agent: { borderLeft: "4px solid #389e0d", background: "#f6ffed" },
  system: { borderLeft: "4px solid #8c8c8c" },
};

/** author names who wrote an entry, as its customer sees it. */
function author(e: PortalEntry, t: PortalT): string {
  if (e.authorType === "customer") return t("portal.case.you");
  if (e.authorType === "agent") return e.authorName || t("portal.case.agent");
  return t("portal.case.system");
}

/**
 * CasePage is a case followed through the link mailed to its customer
 * (?token=): its public thread with the files to download, and the
 * customer's reply with files. A link that is forged, expired or of
 * another case says so, and no more.
 */
export default function CasePage() {
  const { slug, base, locale, t } = usePortal();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const id = useParams().id ?? "";
  const token = useSearchParams()[0].get("token") ?? "";
  const path = `/cases/${encodeURIComponent(id)}`;
  const key = ["portal", slug, "case", id, token];
  const kase = useQuery({ queryKey: key, queryFn: () => portalGet<PortalCase>(base, path, { token }), enabled: token !== "" });
  const [form] = Form.useForm<{ body: string }>();
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const [moved, setMoved] = useState(false);
  if (token === "" || (isApiError(kase.error) && (kase.error.status === 403 || kase.error.status === 404)))
    return <div data-testid="portal-case-badlink"><Result status="403" title={t("portal.case.badLink")} /></div>;
  if (kase.isError) return <PortalError error={kase.error} t={t} onRetry={() => kase.refetch()} />;
  if (!kase.data) return <Card loading />;
  const c = kase.data;
  const download = (a: PortalEntry["attachments"][number]) =>
    portalDownload(base, `${path}/attachments/${encodeURIComponent(a.id)}`, { token }, a.name).catch((err: unknown) =>
      message.error(err instanceof Error ? err.message : String(err)),
    );
  const reply = async ({ body }: { body: string }) => {
    if (!body?.trim() && files.length === 0) {
      form.setFields([{ name: "body", errors: [t("portal.case.replyRequired")] }]);
      return;
    }
    setBusy(true);
    setError("");
    try {
      const data = new FormData();
      data.append("body", body ?? "");
      appendFiles(data, files);
      const e = await portalPost<PortalEntry>(base, `${path}/replies`, data, { token });
      form.resetFields();
      setFiles([]);
      setMoved(e.caseId !== c.id);
      message.success(t("portal.case.sent"));
      await qc.invalidateQueries({ queryKey: key });
    } catch (err) {
      setError(applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: "100%" }} data-testid="portal-case">
      <Card>
        <Typography.Title level={1} style={{ fontSize: 22 }} data-testid="portal-case-title">
          {t("portal.case.heading", { number: c.number, subject: c.subject })}
        </Typography.Title>
        <Space wrap>
          <Tag color="blue" data-testid="portal-case-status" data-status={c.status}>
            {t(`portal.case.status.${c.status}`)}
          </Tag>
          <Typography.Text type="secondary">{t("portal.case.opened", { date: formatDateTime(c.createdAt, locale) })}</Typography.Text>
        </Space>
      </Card>
      <section aria-label={t("portal.case.thread")}>
        <Typography.Title level={2} style={{ fontSize: 16 }}>
          {t("portal.case.thread")}
        </Typography.Title>
        {c.entries.length === 0 && <Empty />}
        <Space direction="vertical" style={{ width: "100%" }}>
          {c.entries.map((e) => (
            <Card key={e.id} size="small" style={entryStyles[e.authorType]} data-testid="portal-entry" data-author={e.authorType}>
              <Space wrap size={4} style={{ marginBottom: 4 }}>
                <Typography.Text strong>{author(e, t)}</Typography.Text>
                <Typography.Text type="secondary">{formatDateTime(e.createdAt, locale)}</Typography.Text>
              </Space>
              <Typography.Paragraph style={{ whiteSpace: "pre-wrap", marginBottom: 4 }} data-testid="portal-entry-body">
                {e.bodyText}
              </Typography.Paragraph>
              {e.attachments.length > 0 && (
                <Space wrap size={4}>
                  {e.attachments.map((a) => (
                    <Button
                      key={a.id}
                      size="small"
                      icon={<PaperClipOutlined />}
                      onClick={() => download(a)}
                      aria-label={t("portal.case.download", { name: a.name })}
                      data-testid="portal-entry-attachment"
                    >
                      {a.name} ({formatSize(a.size, locale)})
                    </Button>
                  ))}
                </Space>
              )}
            </Card>
          ))}
        </Space>
      </section>
      {moved && <Alert type="info" showIcon message={t("portal.case.movedToNew")} data-testid="portal-case-moved" />}
      <Card size="small">
        <Form form={form} name="portalReply" layout="vertical" onFinish={reply}>
          <Form.Item name="body" label={t("portal.case.reply")} rules={[{ max: 20000 }]}>
            <Input.TextArea rows={4} data-testid="portal-reply-body" />
          </Form.Item>
          <Form.Item>
            <FilePicker files={files} onChange={setFiles} t={t} testId="portal-reply-files" />
          </Form.Item>
          {error && <Alert type="error" showIcon message={error} role="alert" style={{ marginBottom: 12 }} />}
          <Button type="primary" htmlType="submit" loading={busy} data-testid="portal-reply-send">
            {t("portal.case.send")}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
