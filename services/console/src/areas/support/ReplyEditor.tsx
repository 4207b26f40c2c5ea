import { UploadOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { App, Button, Card, Input, Segmented, Select, Space, Upload, type UploadFile } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { nextStatuses, type Attachment, type Case, type CaseStatus } from "./api";
import { MacroActionsNote, MacroPicker } from "./MacroPicker";
import { actionsPatch, replyStatus, type MacroActions, type MacroRendered } from "./macros";
import { threadKey } from "./Thread";
import { caseKey, patchCase } from "./useCasePatch";

/** Kind is what the editor writes: a public reply to the customer or an internal note. */
type Kind = "reply" | "note";

/** uploadAttachment sends a file to the case (POST /v1/cases/{id}/attachments, multipart). */
function uploadAttachment(caseId: string, file: File): Promise<Attachment> {
  return unwrap(
    api.POST("/v1/cases/{id}/attachments", {
      params: { path: { id: caseId } },
      body: { file: file.name },
      bodySerializer: () => {
        const fd = new FormData();
        fd.append("file", file, file.name);
        return fd;
      },
    }),
  );
}

/**
 * applyActions makes the rest of a macro's actions (priority, queue, tags)
 * on the case id once its reply is sent: on the case as the reply left it.
 */
async function applyActions(id: string, actions: MacroActions) {
  const cur = await unwrap(api.GET("/v1/cases/{id}", { params: { path: { id } } }));
  const patch = actionsPatch(cur, actions);
  if (patch) await patchCase(id, cur.version, patch);
}

/**
 * ReplyEditor writes to a case's thread: a public reply (which may set the
 * case's status as it goes) or an internal note, with files uploaded to the
 * case first and sent with it. A macro fills the text, rendered for the
 * case; its status goes with a reply and its other actions are made on the
 * case after it. What was typed stays on a failed send.
 */
export function ReplyEditor({ c }: { c: Case }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const closed = c.status === "closed";
  const [kind, setKind] = useState<Kind>(closed ? "note" : "reply");
  const [body, setBody] = useState("");
  const [status, setStatus] = useState<CaseStatus | undefined>();
  const [files, setFiles] = useState<UploadFile<Attachment>[]>([]);
  const [sending, setSending] = useState(false);
  const [actions, setActions] = useState<MacroActions | undefined>();
  const uploading = files.some((f) => f.status === "uploading");
  const ids = files.flatMap((f) => (f.status === "done" && f.response ? [f.response.id] : []));
  const pickMacro = (r: MacroRendered) => {
    setBody((cur) => (cur.trim() === "" ? r.bodyText : `${cur}\n${r.bodyText}`));
    setActions(r.actions);
    const s = replyStatus(c, r.actions);
    if (s) setStatus(s);
  };
  const send = async () => {
    setSending(true);
    try {
      const input = { bodyText: body, attachmentIds: ids.length ? ids : undefined };
      if (kind === "reply") await unwrap(api.POST("/v1/cases/{id}/replies", { params: { path: { id: c.id } }, body: { ...input, status } }));
      else await unwrap(api.POST("/v1/cases/{id}/notes", { params: { path: { id: c.id } }, body: input }));
      setBody("");
      setFiles([]);
      setStatus(undefined);
      setActions(undefined);
      message.success(kind === "reply" ? t("support.reply.sent") : t("support.reply.noted"));
      if (kind === "reply" && actions) await applyActions(c.id, actions).catch((err: Error) => message.error(t("support.macros.actionsFailed", { reason: err.message })));
      qc.invalidateQueries({ queryKey: threadKey(c.id) });
      qc.invalidateQueries({ queryKey: caseKey(c.id) });
      qc.invalidateQueries({ queryKey: ["support", "cases", "list"] });
      qc.invalidateQueries({ queryKey: ["support", "cases", "sla", c.id] });
    } catch (err) {
      message.error(err instanceof Error ? err.message : String(err));
    } finally {
      setSending(false);
    }
  };
  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("support.reply.title")}</h2>} style={{ marginBottom: 12, ...(kind === "note" ? { background: "#fffbe6" } : {}) }} data-testid="reply-editor">
      <Space direction="vertical" style={{ width: "100%" }}>
        <Segmented<Kind>
          aria-label={t("support.reply.kind")}
          value={kind}
          onChange={setKind}
          options={[
            { value: "reply", label: t("support.reply.public"), disabled: closed },
            { value: "note", label: t("support.reply.note") },
          ]}
          data-testid="reply-kind"
        />
        <MacroPicker caseId={c.id} onPick={pickMacro} />
        <Input.TextArea
          id="reply-body"
          aria-label={kind === "reply" ? t("support.reply.public") : t("support.reply.note")}
          placeholder={kind === "reply" ? t("support.reply.placeholder") : t("support.reply.notePlaceholder")}
          rows={5}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          data-testid="reply-body"
        />
        <Upload<Attachment>
          multiple
          fileList={files}
          onChange={({ fileList }) => setFiles(fileList)}
          customRequest={({ file, onSuccess, onError }) => {
            uploadAttachment(c.id, file as File)
              .then((a) => onSuccess?.(a))
              .catch((err: Error) => {
                message.error(`${(file as File).name}: ${err.message}`);
                onError?.(err);
              });
          }}
        >
          <Button icon={<UploadOutlined />} data-testid="reply-attach">
            {t("support.reply.attach")}
          </Button>
        </Upload>
        {kind === "reply" && actions && <MacroActionsNote actions={actions} onDrop={() => setActions(undefined)} />}
        <Space wrap>
          {kind === "reply" && (
            <Select<CaseStatus>
              allowClear
              aria-label={t("support.reply.setStatus")}
              placeholder={t("support.reply.setStatus")}
              value={status}
              onChange={setStatus}
              options={nextStatuses(c.status, true)
                .filter((s) => s !== "closed")
                .map((s) => ({ value: s, label: t(`support.status.${s}`) }))}
              style={{ minWidth: 200 }}
              data-testid="reply-status"
            />
          )}
          <Button type="primary" onClick={send} loading={sending} disabled={uploading || (body.trim() === "" && ids.length === 0)} data-testid="reply-send">
            {kind === "reply" ? t("support.reply.send") : t("support.reply.addNote")}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}
