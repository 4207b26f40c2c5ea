import { useQueryClient } from "@tanstack/react-query";
import { App, Form, Input, Modal } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import type { Entry } from "./Thread";

/** SplitDialog splits a reply of a thread into a new case, with the subject given (else the service's), and opens it. */
export function SplitDialog({ entry, onClose }: { entry: Entry; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form] = Form.useForm<{ subject: string }>();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (v: { subject: string }) => {
    setBusy(true);
    setError("");
    try {
      const made = await unwrap(api.POST("/v1/cases/{id}/entries/{entryId}/split", { params: { path: { id: entry.caseId, entryId: entry.id } }, body: { subject: v.subject?.trim() || undefined } }));
      qc.invalidateQueries({ queryKey: ["support", "cases"] });
      message.success(t("support.case.created", { number: made.number }));
      onClose();
      nav(`/cases/${made.id}`);
    } catch (err) {
      setError(applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t("support.split.title")} onCancel={onClose} onOk={() => form.submit()} okText={t("support.split.action")} cancelText={t("action.cancel")} confirmLoading={busy} okButtonProps={{ "data-testid": "split-confirm" }}>
      <Form form={form} name="split" layout="vertical" onFinish={submit}>
        <Form.Item name="subject" label={t("support.case.subject")} extra={t("support.split.subjectHelp")} rules={[{ max: 500 }]}>
          <Input />
        </Form.Item>
        {error && (
          <div role="alert" style={{ color: "#a8071a" }}>
            {error}
          </div>
        )}
      </Form>
    </Modal>
  );
}
