import { App, Button, Form, Input, Modal, Select, Space, Switch, Tabs, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useI18n } from "../../i18n/I18n";
import { changeField, createField, deleteField, fieldKinds, fieldTypes, listFields, type FieldDef, type FieldKind, type FieldType } from "./fieldsApi";
import { okProps, PageHead, useSave, useRemove } from "./shared";

/** DefForm is a definition as the dialog edits it. */
interface DefForm {
  key: string;
  label: string;
  type: FieldType;
  options?: string[];
  required?: boolean;
}

const selects: string[] = ["singleSelect", "multiSelect"];

/** adminOf is the permission that changes the definitions of kind. */
function adminOf(kind: FieldKind): string {
  return kind === "lead" || kind === "opportunity" ? "sales:admin" : "contacts:admin";
}

/** FieldsTab lists and edits the custom fields of one kind of record. */
function FieldsTab({ kind }: { kind: FieldKind }) {
  const { t } = useI18n();
  const { can } = useSession();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const key = ["admin", "custom-fields", kind];
  const defs = useQuery({ queryKey: key, queryFn: () => listFields(kind) });
  const [editing, setEditing] = useState<FieldDef | "new" | null>(null);
  const [form] = Form.useForm<DefForm>();
  const type = Form.useWatch("type", form);
  const manage = can(adminOf(kind));
  const refresh = () => qc.invalidateQueries({ queryKey: key });

  const close = () => { setEditing(null); refresh(); };

  const save = useSave({
    form,
    write: async (f: DefForm, overwrite) => {
      const options = selects.includes(f.type) ? f.options ?? [] : undefined;
      if (editing === "new") return createField(kind, { key: f.key, label: f.label, type: f.type, options, required: !!f.required });
      const d = editing as FieldDef;
      const version = overwrite ? (await listFields(kind)).find((x) => x.id === d.id)?.version ?? d.version : d.version;
      return changeField(kind, d, version, { label: f.label, options, required: !!f.required });
    },
    done: close,
    reload: close,
  });
  const remove = useRemove((d: FieldDef) => deleteField(kind, d), refresh);
  const open = (d: FieldDef | "new") => {
    form.resetFields();
    form.setFieldsValue(d === "new" ? { key: "", label: "", type: "text", options: [], required: false } : { key: d.key, label: d.label, type: d.type as FieldType, options: d.options ?? [], required: d.required });
    setEditing(d);
  };
  const actions = (d: FieldDef) =>
    manage && (
      <Space wrap onClick={(e) => e.stopPropagation()}>
        <Button size="small" onClick={() => open(d)} aria-label={t("admin.fields.editOf", { name: d.label })}>
          {t("action.edit")}
        </Button>
        <Button
          size="small"
          aria-label={t("admin.fields.deleteOf", { name: d.label })}
          onClick={() => modal.confirm({ title: t("admin.fields.deleteTitle", { name: d.label }), content: t("admin.fields.deleteBody"), okText: t("action.delete"), onOk: () => remove.mutateAsync(d) })}
        >
          {t("action.delete")}
        </Button>
      </Space>
    );
  const isNew = editing === "new";

  return (
    <div data-testid={`fields-${kind}`}>
      {manage && (
        <Button icon={<PlusOutlined />} onClick={() => open("new")} style={{ marginBottom: 12 }} data-testid={`field-create-${kind}`}>
          {t("admin.fields.create")}
        </Button>
      )}
      {defs.isError ? (
        <ErrorState error={defs.error} onRetry={() => defs.refetch()} />
      ) : (
        <ResponsiveList<FieldDef>
          rowKey="id"
          caption={t(`admin.fields.kind.${kind}`)}
          data={defs.data ?? []}
          loading={defs.isLoading}
          columns={[
            { title: t("admin.fields.label"), dataIndex: "label" },
            { title: t("admin.fields.key"), key: "key", render: (_, d) => <code>{d.key}</code> },
            { title: t("admin.fields.type"), key: "type", render: (_, d) => t(`admin.fields.type.${d.type}`) },
            { title: t("admin.fields.required"), key: "required", render: (_, d) => (d.required ? t("admin.yes") : t("admin.no")) },
            { title: t("admin.fields.options"), key: "options", render: (_, d) => (d.options ?? []).map((o) => <Tag key={o}>{o}</Tag>) },
            { title: t("admin.actions"), key: "actions", render: (_, d) => actions(d) },
          ]}
          card={(d) => (
            <Space direction="vertical" size={4} style={{ width: "100%" }}>
              <Typography.Text strong>{d.label}</Typography.Text>
              <Typography.Text type="secondary">
                <code>{d.key}</code> · {t(`admin.fields.type.${d.type}`)}
                {d.required ? ` · ${t("admin.fields.required")}` : ""}
              </Typography.Text>
              {actions(d)}
            </Space>
          )}
        />
      )}
      <Modal
        open={editing !== null}
        title={isNew ? t("admin.fields.create") : t("admin.fields.edit")}
        okText={t("action.save")}
        cancelText={t("action.cancel")}
        onCancel={() => setEditing(null)}
        onOk={() => form.validateFields().then((f) => save.mutate({ values: f }))}
        confirmLoading={save.isPending}
        okButtonProps={okProps(`field-save-${kind}`)}
        forceRender
      >
        <Form form={form} name={`field-${kind}`} layout="vertical">
          <Form.Item name="label" label={t("admin.fields.label")} rules={[{ required: true, message: t("admin.required") }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item
            name="key"
            label={t("admin.fields.key")}
            extra={isNew ? t("admin.fields.keyHelp") : t("admin.fields.immutable")}
            rules={[{ required: true, message: t("admin.required") }, { pattern: /^[a-z][a-z0-9_]{0,62}$/, message: t("admin.fields.keyHelp") }]}
          >
            <Input autoComplete="off" disabled={!isNew} />
          </Form.Item>
          <Form.Item name="type" label={t("admin.fields.type")} extra={isNew ? undefined : t("admin.fields.immutable")}>
            <Select disabled={!isNew} options={fieldTypes.map((x) => ({ value: x, label: t(`admin.fields.type.${x}`) }))} />
          </Form.Item>
          {selects.includes(type) && (
            <Form.Item name="options" label={t("admin.fields.options")} extra={isNew ? undefined : t("admin.fields.optionsAdd")}>
              <Select mode="tags" tokenSeparators={[","]} />
            </Form.Item>
          )}
          <Form.Item name="required" label={t("admin.fields.required")} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}

/**
 * CustomFieldsPage defines the tenant's custom fields, a tab per kind of
 * record: contacts and accounts (the contacts service), leads and
 * opportunities (sales). A field's key and type are fixed once made; a
 * select's options can only grow.
 */
export default function CustomFieldsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const tab = (fieldKinds as string[]).includes(params.get("tab") ?? "") ? (params.get("tab") as FieldKind) : "contact";
  return (
    <div data-testid="page-admin-custom-fields">
      <PageHead title={t("admin.fields.title")} />
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={fieldKinds.map((k) => ({ key: k, label: t(`admin.fields.kind.${k}`), children: <FieldsTab kind={k} /> }))}
        destroyInactiveTabPane
      />
    </div>
  );
}
