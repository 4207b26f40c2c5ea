import { PlusOutlined } from "@ant-design/icons";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, List, Popconfirm, Select, Space, Switch, Tag, Typography } from "antd";
import { useState } from "react";
import type { components } from "../../api/schema";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { FormDialog, useDialogSave } from "../quotes/FormDialog";
import { casePriorities, caseStatuses, ifMatch, mergePatch, type CasePriority, type CaseStatus } from "./api";
import { macrosKey, mergeFields, useMacros, type Macro, type MacroActions } from "./macros";
import { useQueues } from "./queues";

/** MacroValues are the macro dialog's fields. */
type MacroValues = { name: string; body: string; shared: boolean; status?: CaseStatus; priority?: CasePriority; addTags: string[]; queueId?: string };

/** toFields writes the dialog's values as the API's macro (an action left empty is none). */
function toFields(v: MacroValues): components["schemas"]["SupportMacroFields"] {
  const actions: MacroActions = {};
  if (v.status) actions.status = v.status;
  if (v.priority) actions.priority = v.priority;
  if (v.addTags?.length) actions.addTags = v.addTags;
  if (v.queueId) actions.queueId = v.queueId;
  return { name: v.name, body: v.body, actions };
}

/**
 * MacrosPage lists the canned replies the agent may use — the tenant's
 * shared macros and their own personal ones — with the merge fields a
 * body may name. Any agent (support:write) keeps personal macros, which no
 * one else sees; shared ones are made and changed with support:admin.
 */
export default function MacrosPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const queues = useQueues();
  const [editing, setEditing] = useState<Macro | "new" | null>(null);
  const list = useMacros();
  const mayChange = (m: Macro) => can("support:write") && (!m.shared || can("support:admin"));
  const remove = useMutation({
    mutationFn: (m: Macro) => unwrap(api.DELETE("/v1/support-macros/{id}", { params: { path: { id: m.id }, header: ifMatch(m.version) } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: macrosKey });
      message.success(t("support.macros.deleted"));
    },
    onError: (err) => message.error(err instanceof Error ? err.message : String(err)),
  });
  return (
    <div data-testid="page-macros">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("support.macros.title")}
        </Typography.Title>
        {can("support:write") && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing("new")} data-testid="macro-new">
            {t("support.macros.new")}
          </Button>
        )}
      </Space>
      <Alert
        type="info"
        style={{ marginBottom: 12 }}
        message={t("support.macros.fieldsTitle")}
        description={
          <Space direction="vertical" size={4}>
            <Typography.Text>{t("support.macros.fieldsHelp")}</Typography.Text>
            <Space wrap size={4}>
              {mergeFields.map((f) => (
                <Tag key={f} title={t(`support.macros.field.${f}`)}>
                  <Typography.Text code>{`{{${f}}}`}</Typography.Text> {t(`support.macros.field.${f}`)}
                </Tag>
              ))}
            </Space>
          </Space>
        }
      />
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <List
          loading={list.isLoading}
          aria-label={t("support.macros.title")}
          dataSource={list.data ?? []}
          rowKey="id"
          locale={{ emptyText: <Typography.Text type="secondary">{t("support.macros.none")}</Typography.Text> }}
          renderItem={(m) => (
            <List.Item
              data-testid="row"
              actions={
                mayChange(m)
                  ? [
                      <Button key="edit" size="small" onClick={() => setEditing(m)}>
                        {t("action.edit")}
                      </Button>,
                      <Popconfirm key="delete" title={t("support.macros.deleteConfirm")} onConfirm={() => remove.mutate(m)} okText={t("action.delete")} cancelText={t("action.cancel")}>
                        <Button size="small" danger>
                          {t("action.delete")}
                        </Button>
                      </Popconfirm>,
                    ]
                  : undefined
              }
            >
              <List.Item.Meta
                title={
                  <Space size={4}>
                    {m.name}
                    <Tag>{m.shared ? t("support.macros.shared") : t("support.macros.personal")}</Tag>
                  </Space>
                }
                description={
                  <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ whiteSpace: "pre-wrap", marginBottom: 0 }}>
                    {m.body}
                  </Typography.Paragraph>
                }
              />
            </List.Item>
          )}
        />
      )}
      {editing && <MacroDialog macro={editing === "new" ? undefined : editing} queues={queues.options} onClose={() => setEditing(null)} />}
    </div>
  );
}

/** MacroDialog creates a macro or changes one (a merge patch with If-Match); shared is chosen when it is made. */
function MacroDialog({ macro: m, queues, onClose }: { macro?: Macro; queues: { value: string; label?: string }[]; onClose: () => void }) {
  const { t } = useI18n();
  const { can } = useSession();
  const [form] = Form.useForm<MacroValues>();
  const save = useDialogSave<MacroValues>({
    form,
    queryKey: macrosKey,
    onClose,
    version: m ? async () => (await unwrap(api.GET("/v1/support-macros/{id}", { params: { path: { id: m.id } } }))).version : undefined,
    write: (v, version) => {
      if (!m) return unwrap(api.POST("/v1/support-macros", { body: { ...toFields(v), shared: v.shared } as components["schemas"]["SupportMacroInput"] }));
      // The patch replaces the actions whole: a null removes what the form left empty.
      const next = toFields(v).actions ?? {};
      const actions = { status: next.status ?? null, priority: next.priority ?? null, addTags: next.addTags ?? null, queueId: next.queueId ?? null };
      return unwrap(api.PATCH("/v1/support-macros/{id}", { params: { path: { id: m.id }, header: ifMatch(version ?? m.version) }, headers: mergePatch, body: { name: v.name, body: v.body, actions } }));
    },
  });
  const a = m?.actions ?? {};
  const initial: Partial<MacroValues> = m
    ? { name: m.name, body: m.body, shared: m.shared, status: a.status ?? undefined, priority: a.priority ?? undefined, addTags: a.addTags ?? [], queueId: a.queueId ?? undefined }
    : { shared: false, addTags: [] };
  return (
    <FormDialog title={m ? t("support.macros.edit") : t("support.macros.new")} form={form} save={save} okTestId="macro-save" onClose={onClose} initialValues={initial}>
      <Form.Item name="name" label={t("support.macros.name")} rules={[{ required: true, message: t("support.required") }, { max: 200 }]}>
        <Input data-testid="macro-name" />
      </Form.Item>
      <Form.Item name="body" label={t("support.macros.body")} extra={t("support.macros.bodyHelp")} rules={[{ required: true, message: t("support.required") }, { max: 20000 }]}>
        <Input.TextArea rows={6} data-testid="macro-body" />
      </Form.Item>
      <Form.Item name="shared" label={t("support.macros.sharedLabel")} valuePropName="checked" extra={t("support.macros.sharedHelp")}>
        <Switch disabled={!!m || !can("support:admin")} data-testid="macro-shared" />
      </Form.Item>
      <Typography.Text strong>{t("support.macros.actions")}</Typography.Text>
      <Form.Item name="status" label={t("support.macros.setStatus")}>
        <Select allowClear options={caseStatuses.filter((s) => s !== "closed" && s !== "new").map((s) => ({ value: s, label: t(`support.status.${s}`) }))} />
      </Form.Item>
      <Form.Item name="priority" label={t("support.macros.setPriority")}>
        <Select allowClear options={casePriorities.map((p) => ({ value: p, label: t(`support.priority.${p}`) }))} />
      </Form.Item>
      <Form.Item name="queueId" label={t("support.macros.setQueue")}>
        <Select allowClear options={queues} />
      </Form.Item>
      <Form.Item name="addTags" label={t("support.macros.addTags")}>
        <Select mode="tags" open={false} suffixIcon={null} />
      </Form.Item>
    </FormDialog>
  );
}
