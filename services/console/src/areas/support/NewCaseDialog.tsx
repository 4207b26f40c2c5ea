import { App, Form, Input, Modal, Select } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { RecordSelect } from "../sales/RecordSelect";
import { AssigneeSelect } from "./AssigneeSelect";
import { caseChannels, casePriorities, type Case, type CaseInput } from "./api";
import { Suggestions } from "./Suggestions";

/** NewCaseValues are the new case dialog's fields. */
type NewCaseValues = Pick<CaseInput, "subject" | "description" | "priority" | "channel" | "type" | "assigneeId" | "contactId" | "accountId">;

/**
 * NewCaseDialog opens a case (POST /v1/cases): subject, description,
 * contact and account (for who may read them), priority, channel, type and
 * assignee, with the knowledge base's articles
 * suggested for what was typed; a problem's fields show on the form, which
 * keeps what was typed.
 */
export function NewCaseDialog({ onClose, onCreated }: { onClose: () => void; onCreated: (c: Case) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const [form] = Form.useForm<NewCaseValues>();
  const [error, setError] = useState("");
  const subject = Form.useWatch("subject", form) ?? "";
  const description = Form.useWatch("description", form) ?? "";
  const create = useMutation({
    mutationFn: (v: NewCaseValues) => unwrap(api.POST("/v1/cases", { body: { ...v, assigneeId: v.assigneeId || undefined, type: v.type || undefined, contactId: v.contactId || undefined, accountId: v.accountId || undefined } })),
    onSuccess: (c) => {
      qc.invalidateQueries({ queryKey: ["support", "cases"] });
      message.success(t("support.case.created", { number: c.number }));
      onCreated(c);
    },
    onError: (err) => setError(applyProblem(form, err)),
  });
  return (
    <Modal
      open
      title={t("support.cases.new")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("action.create")}
      cancelText={t("action.cancel")}
      confirmLoading={create.isPending}
      okButtonProps={{ "data-testid": "case-create" }}
      width={640}
    >
      <Form<NewCaseValues>
        form={form}
        name="case"
        layout="vertical"
        initialValues={{ priority: "normal", channel: "phone" }}
        onFinish={(v) => {
          setError("");
          create.mutate(v);
        }}
      >
        <Form.Item name="subject" label={t("support.case.subject")} rules={[{ required: true, message: t("support.required") }, { max: 500 }]}>
          <Input data-testid="case-subject" />
        </Form.Item>
        <Form.Item name="description" label={t("support.case.description")}>
          <Input.TextArea rows={4} maxLength={100000} />
        </Form.Item>
        {can("contacts:read") && (
          <>
            <Form.Item name="contactId" label={t("support.case.contact")}>
              <RecordSelect kind="contact" label={t("support.case.contact")} />
            </Form.Item>
            <Form.Item name="accountId" label={t("support.case.account")}>
              <RecordSelect kind="account" label={t("support.case.account")} />
            </Form.Item>
          </>
        )}
        <Form.Item name="priority" label={t("support.case.priority")}>
          <Select options={casePriorities.map((p) => ({ value: p, label: t(`support.priority.${p}`) }))} />
        </Form.Item>
        <Form.Item name="channel" label={t("support.case.channel")}>
          <Select options={caseChannels.map((c) => ({ value: c, label: t(`support.channel.${c}`) }))} />
        </Form.Item>
        <Form.Item name="type" label={t("support.case.type")}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="assigneeId" label={t("support.case.assignee")}>
          <AssigneeSelect testId="case-assignee" />
        </Form.Item>
        {error && (
          <div role="alert" style={{ color: "#a8071a" }}>
            {error}
          </div>
        )}
      </Form>
      <Suggestions text={`${subject}\n${description}`.trim()} />
    </Modal>
  );
}
