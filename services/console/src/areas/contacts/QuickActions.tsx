import { Alert, Button, Form, Input, InputNumber, Mentions, Select, Tabs } from "antd";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useT } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { displayName, matchesPerson, usePeople } from "../../lib/people";
import type { ActivityInput, Entity } from "./api";
import { encodeMentions, type Mentioned } from "./mentions";

type Kind = "note" | "call" | "task" | "meeting";

/** iso is a datetime-local input's value as RFC 3339 (the browser's zone), or undefined. */
function iso(local?: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

interface Values {
  subject?: string;
  body?: string;
  direction?: "inbound" | "outbound";
  outcome?: "answered" | "noAnswer" | "busy" | "voicemail" | "failed";
  minutes?: number;
  dueAt?: string;
  priority?: "low" | "normal" | "high";
  startAt?: string;
  endAt?: string;
  location?: string;
}

/** activityBody is the POST /v1/activities body of a quick action's values. */
function activityBody(kind: Kind, v: Values, link: { contactId?: string; accountId?: string }, picked: Mentioned[]): ActivityInput {
  const base = { ...link, subject: v.subject?.trim() || undefined };
  switch (kind) {
    case "note":
      return { ...base, type: "note", body: encodeMentions(v.body ?? "", picked) };
    case "call":
      return { ...base, type: "call", body: v.body || undefined, call: { direction: v.direction ?? "outbound", startedAt: new Date().toISOString(), outcome: v.outcome, durationSeconds: v.minutes ? Math.round(v.minutes * 60) : undefined } };
    case "task":
      return { ...base, type: "task", body: v.body || undefined, task: { dueAt: iso(v.dueAt), priority: v.priority ?? "normal" } };
    case "meeting":
      return { ...base, type: "meeting", body: v.body || undefined, meeting: { startAt: iso(v.startAt) ?? "", endAt: iso(v.endAt) ?? "", location: v.location || undefined } };
  }
}

/**
 * QuickActions logs a call, adds a note (mentioning colleagues, written as
 * @[Name](user:<uuid>)), creates a task or plans a meeting on a contact or
 * an account; the timeline shows it at once.
 */
export function QuickActions({ entity, id }: { entity: Entity; id: string }) {
  const t = useT();
  const [kind, setKind] = useState<Kind>("note");
  return (
    <Tabs
      activeKey={kind}
      onChange={(k) => setKind(k as Kind)}
      items={(["note", "call", "task", "meeting"] as Kind[]).map((k) => ({
        key: k,
        label: <span data-testid={`quick-${k}`}>{t(`contacts.quick.${k}`)}</span>,
        children: <ActionForm kind={k} entity={entity} id={id} />,
      }))}
    />
  );
}

function ActionForm({ kind, entity, id }: { kind: Kind; entity: Entity; id: string }) {
  const t = useT();
  const qc = useQueryClient();
  const [mentionQ, setMentionQ] = useState("");
  const people = usePeople(mentionQ);
  const [form] = Form.useForm<Values>();
  const [picked, setPicked] = useState<Mentioned[]>([]);
  const [error, setError] = useState("");
  const link = entity === "contact" ? { contactId: id } : { accountId: id };
  const save = useMutation({
    mutationFn: (v: Values) => unwrap(api.POST("/v1/activities", { body: activityBody(kind, v, link, picked) })),
    onSuccess: () => {
      form.resetFields();
      setPicked([]);
      qc.invalidateQueries({ queryKey: [entity, id, "timeline"] });
    },
    onError: (err) => setError(applyProblem(form, err)),
  });
  const req = [{ required: true, message: t("contacts.required") }];
  const fid = (n: string) => `qa-${kind}-${n}`;
  return (
    <Form form={form} layout="vertical" onFinish={(v) => { setError(""); save.mutate(v); }} data-testid={`quick-form-${kind}`}>
      {kind !== "note" && (
        <Form.Item name="subject" label={t("contacts.quick.subject")} htmlFor={fid("subject")} rules={kind === "call" ? [] : req}>
          <Input id={fid("subject")} maxLength={500} />
        </Form.Item>
      )}
      {kind === "call" && (
        <>
          <Form.Item name="direction" label={t("contacts.quick.direction")} htmlFor={fid("direction")} initialValue="outbound">
            <Select id={fid("direction")} options={["outbound", "inbound"].map((d) => ({ value: d, label: t(`contacts.quick.direction.${d}`) }))} />
          </Form.Item>
          <Form.Item name="outcome" label={t("contacts.quick.outcome")} htmlFor={fid("outcome")}>
            <Select id={fid("outcome")} allowClear options={["answered", "noAnswer", "busy", "voicemail", "failed"].map((o) => ({ value: o, label: t(`contacts.quick.outcome.${o}`) }))} />
          </Form.Item>
          <Form.Item name="minutes" label={t("contacts.quick.minutes")} htmlFor={fid("minutes")}>
            <InputNumber id={fid("minutes")} min={0} max={10080} />
          </Form.Item>
        </>
      )}
      {kind === "task" && (
        <>
          <Form.Item name="dueAt" label={t("contacts.quick.dueAt")} htmlFor={fid("due")}>
            <Input id={fid("due")} type="datetime-local" />
          </Form.Item>
          <Form.Item name="priority" label={t("contacts.quick.priority")} htmlFor={fid("priority")} initialValue="normal">
            <Select id={fid("priority")} options={["low", "normal", "high"].map((p) => ({ value: p, label: t(`contacts.quick.priority.${p}`) }))} />
          </Form.Item>
        </>
      )}
      {kind === "meeting" && (
        <>
          <Form.Item name="startAt" label={t("contacts.quick.startAt")} htmlFor={fid("start")} rules={req}>
            <Input id={fid("start")} type="datetime-local" />
          </Form.Item>
          <Form.Item name="endAt" label={t("contacts.quick.endAt")} htmlFor={fid("end")} rules={req}>
            <Input id={fid("end")} type="datetime-local" />
          </Form.Item>
          <Form.Item name="location" label={t("contacts.quick.location")} htmlFor={fid("location")}>
            <Input id={fid("location")} maxLength={500} />
          </Form.Item>
        </>
      )}
      <Form.Item name="body" label={kind === "note" ? t("contacts.quick.note") : t("contacts.quick.notes")} htmlFor={fid("body")} rules={kind === "note" ? req : []}>
        {kind === "note" ? (
          <Mentions
            id={fid("body")}
            rows={3}
            placeholder={t("contacts.quick.mentionHint")}
            data-testid="note-input"
            onSearch={(text) => setMentionQ(text)}
            onSelect={(o) => {
              const id = String(o.key ?? "");
              if (id) setPicked((p) => [...p.filter((x) => x.id !== id), { name: String(o.value), id }]);
            }}
            filterOption={(input, o) => people.data?.some((u) => u.id === o.key && matchesPerson(u, input)) ?? false}
            notFoundContent={people.isFetching ? t("contacts.quick.mentionLoading") : t("contacts.quick.mentionNone")}
            options={(people.data ?? []).map((u) => ({ key: u.id, value: displayName(u), label: u.name ? `${u.name} <${u.email}>` : u.email, "data-testid": "mention-option" }))}
          />
        ) : (
          <Input.TextArea id={fid("body")} rows={2} maxLength={50000} />
        )}
      </Form.Item>
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Button type="primary" htmlType="submit" loading={save.isPending} data-testid={`quick-${kind}-submit`}>
        {t(`contacts.quick.save.${kind}`)}
      </Button>
    </Form>
  );
}
