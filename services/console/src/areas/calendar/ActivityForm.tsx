import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, DatePicker, Form, Input, Modal, Radio, Select } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { useT } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";

interface Values {
  type: "task" | "meeting";
  subject: string;
  task?: { dueAt?: Dayjs; priority: "low" | "normal" | "high" };
  meeting?: { startAt?: Dayjs; endAt?: Dayjs; location?: string };
}

/**
 * ActivityForm plans a task or a meeting at a time (the slot clicked, or
 * now) for assignee (the user whose calendar is shown; the caller when
 * unset). A failed create keeps what was typed and shows the problem on
 * its fields.
 */
export function ActivityForm({ at, assignee, onClose }: { at: Dayjs | null; assignee?: string; onClose: () => void }) {
  const t = useT();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState("");
  const qc = useQueryClient();
  const type = Form.useWatch("type", form) ?? "task";

  useEffect(() => {
    if (!at) return;
    setError("");
    form.resetFields();
    form.setFieldsValue({ type: "task", task: { dueAt: at, priority: "normal" }, meeting: { startAt: at, endAt: at.add(1, "hour") } });
  }, [at, form]);

  const create = useMutation({
    mutationFn: (v: Values) => {
      const base = { subject: v.subject, assigneeId: assignee };
      const body =
        v.type === "task"
          ? { ...base, type: "task" as const, task: { priority: v.task?.priority ?? "normal", dueAt: v.task?.dueAt?.toISOString() } }
          : {
              ...base,
              type: "meeting" as const,
              meeting: { startAt: v.meeting?.startAt?.toISOString() ?? "", endAt: v.meeting?.endAt?.toISOString() ?? "", location: v.meeting?.location || undefined, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone },
            };
      return unwrap(api.POST("/v1/activities", { body }));
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ["activities"] });
      onClose();
    },
    onError: (err) => setError(applyProblem(form, err)),
  });

  return (
    <Modal
      open={!!at}
      title={t("calendar.new")}
      okText={t("action.create")}
      cancelText={t("action.cancel")}
      confirmLoading={create.isPending}
      onOk={() => form.submit()}
      onCancel={onClose}
      okButtonProps={{ "data-testid": "activity-save" }}
      forceRender
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="activity-error" />}
      <Form form={form} name="activity" layout="vertical" onFinish={(v) => create.mutate(v)} data-testid="activity-form">
        <Form.Item name="type" label={t("calendar.type")}>
          <Radio.Group>
            <Radio value="task" data-testid="activity-type-task">
              {t("calendar.type.task")}
            </Radio>
            <Radio value="meeting" data-testid="activity-type-meeting">
              {t("calendar.type.meeting")}
            </Radio>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="subject" label={t("calendar.subject")} rules={[{ required: true, message: t("calendar.required") }, { max: 500 }]}>
          <Input maxLength={500} />
        </Form.Item>
        {type === "task" ? (
          <>
            <Form.Item name={["task", "dueAt"]} label={t("calendar.due")}>
              <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
            </Form.Item>
            <Form.Item name={["task", "priority"]} label={t("calendar.priority")}>
              <Select options={(["low", "normal", "high"] as const).map((p) => ({ value: p, label: t(`calendar.priority.${p}`) }))} />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item name={["meeting", "startAt"]} label={t("calendar.start")} rules={[{ required: true, message: t("calendar.required") }]}>
              <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
            </Form.Item>
            <Form.Item
              name={["meeting", "endAt"]}
              label={t("calendar.end")}
              dependencies={[["meeting", "startAt"]]}
              rules={[
                { required: true, message: t("calendar.required") },
                ({ getFieldValue }) => ({
                  validator: (_, v?: Dayjs) => (!v || !getFieldValue(["meeting", "startAt"]) || !v.isBefore(getFieldValue(["meeting", "startAt"])) ? Promise.resolve() : Promise.reject(new Error(t("calendar.endBeforeStart")))),
                }),
              ]}
            >
              <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
            </Form.Item>
            <Form.Item name={["meeting", "location"]} label={t("calendar.location")}>
              <Input maxLength={500} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}

/** nextHour is the next whole hour from now: where "new" plans an activity. */
export function nextHour(): Dayjs {
  return dayjs().add(1, "hour").startOf("hour");
}
