import { App, Form, Input, Modal, Select, Typography } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useT } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { okProps } from "../admin/shared";
import { createSubscription, keys, updateSubscription, type Subscription, type SubscriptionInput } from "./api";
import { anyType, groupTypes, matches, useEventTypes } from "./eventTypes";
import { ontoFields } from "./fieldProblem";

/** Values are the form's fields: the filter as JSON text. */
interface Values {
  url: string;
  description: string;
  eventTypes: string[];
  filter: string;
}

/** filterExample is the filter the form's help shows. */
const filterExample = '{"field": "data.country", "op": "eq", "value": "FR"}';

/**
 * SubscriptionForm creates a subscription (sub null) or edits one in a
 * dialog: its URL, description, event types picked from the catalogue
 * (each context's wildcards first, then its types) and a filter in the
 * filter language's JSON, which the gateway validates: a problem names the
 * field it is about and shows under it. saved gets the answer (with the
 * secret after a create).
 */
export function SubscriptionForm({ open, sub, onClose, saved }: { open: boolean; sub: Subscription | null; onClose: () => void; saved: (s: Subscription) => void }) {
  const t = useT();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const catalogue = useEventTypes();
  const chosen = Form.useWatch("eventTypes", form) ?? [];
  const known = catalogue.data ?? [];
  const covered = known.filter((type) => chosen.some((p) => matches(p, type))).length;

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (sub) form.setFieldsValue({ url: sub.url, description: sub.description, eventTypes: sub.eventTypes, filter: sub.filter ? JSON.stringify(sub.filter, null, 2) : "" });
  }, [open, sub, form]);

  const save = useMutation({
    mutationFn: (v: Values) => {
      const input: SubscriptionInput = { url: v.url.trim(), description: v.description?.trim() ?? "", eventTypes: v.eventTypes, filter: v.filter?.trim() ? JSON.parse(v.filter) : null };
      return (sub ? updateSubscription(sub.id, sub.version, input) : createSubscription(input)).catch((e: unknown) => Promise.reject(ontoFields(e)));
    },
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: keys.all });
      saved(s);
    },
    onError: (err) => {
      const rest = applyProblem(form, err);
      if (rest) void message.error(rest);
    },
  });

  const options = [
    { label: t("webhooks.form.every"), options: [{ value: anyType, label: `* — ${t("webhooks.form.everyType")}` }] },
    ...groupTypes(known).map((g) => ({
      label: g.context,
      options: [...g.patterns.map((p) => ({ value: p, label: `${p} — ${t("webhooks.form.wildcard")}` })), ...g.types.map((type) => ({ value: type, label: type }))],
    })),
  ];

  return (
    <Modal
      open={open}
      title={t(sub ? "webhooks.form.editTitle" : "webhooks.form.createTitle")}
      okText={t(sub ? "action.save" : "action.create")}
      cancelText={t("action.cancel")}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => save.mutate(v))}
      confirmLoading={save.isPending}
      okButtonProps={okProps("webhook-save")}
      width={640}
      forceRender
    >
      <Form form={form} name="webhook" layout="vertical">
        <Form.Item name="url" label={t("webhooks.url")} extra={t("webhooks.form.urlHelp")} rules={[{ required: true, message: t("webhooks.form.required") }, { type: "url", message: t("webhooks.form.urlInvalid") }]}>
          <Input data-testid="webhook-url" autoComplete="off" placeholder="https://example.com/hooks/rapport" />
        </Form.Item>
        <Form.Item name="description" label={t("webhooks.description")}>
          <Input data-testid="webhook-description" autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="eventTypes"
          label={t("webhooks.eventTypes")}
          extra={catalogue.isError ? t("webhooks.form.catalogueMissing") : t("webhooks.form.covered", { n: covered, total: known.length })}
          // A required rule would set aria-required on the Select's box, which its role does not allow.
          rules={[
            {
              validator: async (_, v: string[] | undefined) => {
                if (!v?.length) throw new Error(t("webhooks.form.typesRequired"));
              },
            },
          ]}
        >
          <Select
            mode={catalogue.isError ? "tags" : "multiple"}
            data-testid="webhook-types"
            loading={catalogue.isLoading}
            options={options}
            optionFilterProp="value"
            aria-label={t("webhooks.eventTypes")}
          />
        </Form.Item>
        <Form.Item
          name="filter"
          label={t("webhooks.filter")}
          extra={
            <>
              {t("webhooks.form.filterHelp")} <Typography.Text code>{filterExample}</Typography.Text>
            </>
          }
          rules={[
            {
              validator: async (_, v: string | undefined) => {
                if (!v?.trim()) return;
                let parsed: unknown;
                try {
                  parsed = JSON.parse(v);
                } catch {
                  throw new Error(t("webhooks.form.filterJson"));
                }
                if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error(t("webhooks.form.filterObject"));
              },
            },
          ]}
        >
          <Input.TextArea data-testid="webhook-filter" rows={4} spellCheck={false} style={{ fontFamily: "monospace" }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
