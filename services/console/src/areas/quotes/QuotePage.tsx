import { Alert, App, Button, Card, Descriptions, Modal, Select, Space, Tag, Timeline, Typography } from "antd";
import { DownloadOutlined, EyeOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { downloadPDF, quoteHTML } from "./documents";
import { LineEditor } from "./LineEditor";
import { QuoteActions } from "./QuoteActions";
import { QuoteLines } from "./QuoteLines";
import { approvalReasons, stateColors, useDirectory, useQuoteSettings, type Quote } from "./shared";

/**
 * QuotePage is a quote: its revision's lines and the server's totals, its
 * state and the moves it allows, the approval it waits for and why, the
 * decisions and history, earlier revisions, the PDF and a preview; a quote
 * not pending or accepted gets a new revision from edited lines.
 */
export default function QuotePage() {
  const { id = "" } = useParams();
  const { t, locale } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const settings = useQuoteSettings();
  const [revision, setRevision] = useState<number | undefined>();
  const [editing, setEditing] = useState(false);
  const [preview, setPreview] = useState<string | null>(null);
  const [busy, setBusy] = useState<"pdf" | "html" | null>(null);
  const quote = useQuery({ queryKey: ["quotes", id], queryFn: () => unwrap(api.GET("/v1/quotes/{id}", { params: { path: { id } } })) });
  const q = quote.data;
  const dir = useDirectory([q?.ownerId, ...(q?.history ?? []).map((s) => s.by)]);
  const shown = revision !== undefined && q && revision !== q.revision ? revision : undefined;
  const old = useQuery({
    queryKey: ["quotes", id, "revisions", shown],
    enabled: shown !== undefined,
    queryFn: () => unwrap(api.GET("/v1/quotes/{id}/revisions/{revision}", { params: { path: { id, revision: String(shown) } } })),
  });
  if (quote.isError) return <ErrorState error={quote.error} onRetry={() => quote.refetch()} />;
  if (!q) return <Card loading data-testid="page-quote" />;
  const rev = shown !== undefined ? old.data : q;
  const money = (minor: number) => formatMinor(minor, q.currency, locale);
  const reasons = approvalReasons(t, settings.data, q.lineItems, q.total.minor, q.currency, money);
  const revisable = q.state !== "pendingApproval" && q.state !== "accepted";
  const fail = (e: unknown) => message.error(e instanceof Error ? e.message : String(e));
  const pdf = () => {
    setBusy("pdf");
    downloadPDF(q.id, q.number, shown)
      .then(() => message.success(t("quotes.pdf.done")))
      .catch(fail)
      .finally(() => setBusy(null));
  };
  const html = () => {
    setBusy("html");
    quoteHTML(q.id, shown)
      .then(setPreview)
      .catch(fail)
      .finally(() => setBusy(null));
  };
  const done = (next: Quote) => qc.setQueryData(["quotes", id], next);

  return (
    <div data-testid="page-quote">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {q.number} · {q.name}
        </Typography.Title>
        <Tag color={stateColors[q.state]} data-testid="quote-state" data-state={q.state}>
          {t(`quotes.state.${q.state}`)}
        </Tag>
      </Space>
      <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t("quotes.account")}>{q.accountName ?? ""}</Descriptions.Item>
        <Descriptions.Item label={t("quotes.contact")}>{q.contactName ?? ""}</Descriptions.Item>
        <Descriptions.Item label={t("quotes.owner")}>{dir.userName(q.ownerId)}</Descriptions.Item>
        <Descriptions.Item label={t("quotes.revision")}>
          <Select
            size="small"
            aria-label={t("quotes.revision")}
            value={shown ?? q.revision}
            onChange={(n: number) => setRevision(n)}
            options={Array.from({ length: q.revision }, (_, i) => ({ value: i + 1, label: t("quotes.revisionN", { n: i + 1 }) }))}
            style={{ minWidth: 120 }}
            data-testid="quote-revision"
          />
        </Descriptions.Item>
        <Descriptions.Item label={t("quotes.updated")}>{formatDateTime(q.updatedAt, locale)}</Descriptions.Item>
      </Descriptions>
      <Space wrap style={{ marginBottom: 12 }}>
        <QuoteActions quote={q} onDone={done} />
        <Button icon={<DownloadOutlined />} onClick={pdf} loading={busy === "pdf"} data-testid="quote-pdf">
          {t("quotes.pdf")}
        </Button>
        <Button icon={<EyeOutlined />} onClick={html} loading={busy === "html"} data-testid="quote-html">
          {t("quotes.preview")}
        </Button>
        {revisable && !editing && (
          <Button onClick={() => setEditing(true)} data-testid="quote-edit-lines">
            {t("quotes.editLines")}
          </Button>
        )}
      </Space>
      {q.state === "pendingApproval" && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="quote-approval"
          message={t("quotes.approval.pending", { level: q.approvedLevels + 1, levels: q.approvalLevels })}
          description={
            <>
              <div>{t("quotes.approval.approvers", { names: q.approvers.map(dir.userName).join(", ") })}</div>
              {reasons.map((r) => (
                <div key={r}>{r}</div>
              ))}
            </>
          }
        />
      )}
      {q.state === "draft" && reasons.length > 0 && (
        <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="quote-needs-approval" message={t("quotes.approval.needed")} description={reasons.map((r) => <div key={r}>{r}</div>)} />
      )}
      {editing && (
        <div style={{ marginBottom: 12 }}>
          <LineEditor
            opportunityId={q.opportunityId}
            saveLabel={t("quotes.revise")}
            onSaved={async () => {
              const next = await unwrap(api.POST("/v1/quotes/{id}/revise", { params: { path: { id: q.id }, header: { "If-Match": `"${q.version}"` } }, body: {} }));
              done(next);
              qc.invalidateQueries({ queryKey: ["quotes"] });
              setRevision(undefined);
              setEditing(false);
            }}
          />
        </div>
      )}
      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("quotes.revisionN", { n: shown ?? q.revision })}</h2>} style={{ marginBottom: 12 }}>
        {shown !== undefined && old.isError ? <ErrorState error={old.error} onRetry={() => old.refetch()} /> : rev ? <QuoteLines lines={rev.lineItems} total={rev.total} /> : <Card loading bordered={false} />}
      </Card>
      <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("quotes.history")}</h2>} data-testid="quote-history">
        <Timeline
          items={(q.history ?? []).map((s) => ({
            color: s.action === "reject" || s.action === "decline" ? "red" : s.action === "approve" || s.action === "accept" ? "green" : "blue",
            children: (
              <div data-testid="quote-step">
                <Typography.Text strong>{t(`quotes.action.${s.action}`)}</Typography.Text> · {t("quotes.revisionN", { n: s.revision })}
                {s.level ? ` · ${t("quotes.level", { n: s.level })}` : ""} · {dir.userName(s.by)} · {formatDateTime(s.at, locale)}
                {s.comment && <div style={{ whiteSpace: "pre-wrap" }}>{s.comment}</div>}
              </div>
            ),
          }))}
        />
      </Card>
      <Modal open={preview !== null} onCancel={() => setPreview(null)} footer={null} width={860} title={t("quotes.preview")} destroyOnClose>
        {preview !== null && <iframe title={t("quotes.previewFrame", { number: q.number })} sandbox="" srcDoc={preview} style={{ width: "100%", height: "70vh", border: 0 }} data-testid="quote-html-frame" />}
      </Modal>
    </div>
  );
}
