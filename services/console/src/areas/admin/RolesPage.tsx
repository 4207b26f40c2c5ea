import { App, Button, Form, Input, Modal, Select, Space, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useI18n } from "../../i18n/I18n";
import { PermissionPicker } from "./PermissionPicker";
import { modules, scopes } from "./permissions";
import { ifMatch, PageHead, useRoles, type Role, okProps, useSave, useRemove } from "./shared";

type Scope = (typeof scopes)[number];

/** RoleForm is a role with its record scopes as one field per module ("*" the default). */
interface RoleForm {
  name: string;
  description?: string;
  permissions: string[];
  scopes: Record<string, Scope | undefined>;
}

/** toBody turns the form into the API's role, leaving out the modules with no scope of their own. */
function toBody(f: RoleForm) {
  const recordScopes: Record<string, Scope> = {};
  for (const [k, v] of Object.entries(f.scopes ?? {})) if (v) recordScopes[k] = v;
  return { name: f.name, description: f.description ?? "", permissions: f.permissions ?? [], recordScopes };
}

/**
 * RolesPage lists the roles: the built-in ones are read-only (shown, not
 * edited); custom roles are created, edited with a picker of every
 * permission and a record scope per module, and deleted.
 */
export default function RolesPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const roles = useRoles();
  const manage = can("roles:manage");
  const [editing, setEditing] = useState<Role | "new" | null>(null);
  const [form] = Form.useForm<RoleForm>();
  const readOnly = editing !== null && editing !== "new" && (editing.builtin || !manage);
  const refresh = () => qc.invalidateQueries({ queryKey: ["admin", "roles"] });

  const close = () => { setEditing(null); refresh(); };

  const save = useSave({
    form,
    write: async (f: RoleForm, overwrite) => {
      if (editing === "new") return unwrap(api.POST("/v1/roles", { body: toBody(f) }));
      const r = editing as Role;
      const version = overwrite ? (await unwrap(api.GET("/v1/roles/{id}", { params: { path: { id: r.id } } }))).version : r.version;
      return unwrap(api.PATCH("/v1/roles/{id}", { params: { path: { id: r.id }, header: { "If-Match": ifMatch(version) } }, body: toBody(f) }));
    },
    done: close,
    reload: close,
  });
  const remove = useRemove((r: Role) => unwrap(api.DELETE("/v1/roles/{id}", { params: { path: { id: r.id } } })), refresh);

  const open = (r: Role | "new") => {
    form.resetFields();
    if (r === "new") form.setFieldsValue({ name: "", description: "", permissions: [], scopes: { "*": "own" } });
    else form.setFieldsValue({ name: r.name, description: r.description, permissions: r.permissions, scopes: { ...r.recordScopes } });
    setEditing(r);
  };
  const scopeText = (r: Role) => Object.entries(r.recordScopes).map(([k, v]) => `${k === "*" ? t("admin.roles.default") : k}: ${t(`admin.roles.scope.${v}`)}`).join(", ");
  const actions = (r: Role) => (
    <Space wrap onClick={(e) => e.stopPropagation()}>
      <Button size="small" onClick={() => open(r)} data-testid="role-open" aria-label={t(r.builtin || !manage ? "admin.roles.viewOf" : "admin.roles.editOf", { name: r.name })}>
        {r.builtin || !manage ? t("admin.view") : t("action.edit")}
      </Button>
      {manage && !r.builtin && (
        <Button
          size="small"
          aria-label={t("admin.roles.deleteOf", { name: r.name })}
          onClick={() => modal.confirm({ title: t("admin.roles.deleteTitle", { name: r.name }), okText: t("action.delete"), onOk: () => remove.mutateAsync(r) })}
        >
          {t("action.delete")}
        </Button>
      )}
    </Space>
  );
  const scopeOptions = scopes.map((s) => ({ value: s, label: t(`admin.roles.scope.${s}`) }));

  return (
    <div data-testid="page-admin-roles">
      <PageHead title={t("admin.roles.title")}>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open("new")} data-testid="role-create">
            {t("admin.roles.create")}
          </Button>
        )}
      </PageHead>
      {roles.isError ? (
        <ErrorState error={roles.error} onRetry={() => roles.refetch()} />
      ) : (
        <ResponsiveList<Role>
          rowKey="id"
          caption={t("admin.roles.title")}
          data={roles.data?.items ?? []}
          loading={roles.isLoading}
          columns={[
            { title: t("admin.roles.name"), key: "name", render: (_, r) => <Space>{r.name}{r.builtin && <Tag>{t("admin.roles.builtin")}</Tag>}</Space> },
            { title: t("admin.roles.description"), dataIndex: "description" },
            { title: t("admin.roles.permissions"), key: "perms", render: (_, r) => r.permissions.map((p) => <Tag key={p}>{p}</Tag>) },
            { title: t("admin.roles.scopes"), key: "scopes", render: (_, r) => scopeText(r) },
            { title: t("admin.actions"), key: "actions", render: (_, r) => actions(r) },
          ]}
          card={(r) => (
            <Space direction="vertical" size={4} style={{ width: "100%" }}>
              <Space>
                <Typography.Text strong>{r.name}</Typography.Text>
                {r.builtin && <Tag>{t("admin.roles.builtin")}</Tag>}
              </Space>
              <Typography.Text type="secondary">{r.description}</Typography.Text>
              <Typography.Text>{scopeText(r)}</Typography.Text>
              {actions(r)}
            </Space>
          )}
        />
      )}
      <Modal
        open={editing !== null}
        width={720}
        title={editing === "new" ? t("admin.roles.create") : readOnly ? t("admin.roles.view") : t("admin.roles.edit")}
        okText={t("action.save")}
        cancelText={readOnly ? t("action.close") : t("action.cancel")}
        onCancel={() => setEditing(null)}
        onOk={() => form.validateFields().then((f) => save.mutate({ values: f }))}
        okButtonProps={okProps("role-save", { style: readOnly ? { display: "none" } : undefined })}
        confirmLoading={save.isPending}
        forceRender
      >
        {readOnly && <Typography.Paragraph type="secondary">{t("admin.roles.builtinHelp")}</Typography.Paragraph>}
        <Form form={form} name="role" layout="vertical" disabled={readOnly}>
          <Form.Item name="name" label={t("admin.roles.name")} rules={[{ required: true, message: t("admin.required") }]}>
            <Input data-testid="role-name" autoComplete="off" />
          </Form.Item>
          <Form.Item name="description" label={t("admin.roles.description")}>
            <Input.TextArea rows={2} />
          </Form.Item>
          <Form.Item name="permissions" label={t("admin.roles.permissions")}>
            <PermissionPicker />
          </Form.Item>
          <Typography.Title level={2} style={{ fontSize: 15 }}>
            {t("admin.roles.scopes")}
          </Typography.Title>
          <Space wrap>
            {["*", ...modules].map((m) => (
              <Form.Item key={m} name={["scopes", m]} label={m === "*" ? t("admin.roles.default") : m} style={{ minWidth: 140 }}>
                <Select allowClear={m !== "*"} options={scopeOptions} />
              </Form.Item>
            ))}
          </Space>
        </Form>
      </Modal>
    </div>
  );
}
