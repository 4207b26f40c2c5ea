import { App, Button, Form, Input, Modal, Select, Space, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { ifMatch, PageHead, useRoles, useTeams, type User, okProps, useSave, useRemove } from "./shared";

type Invitation = components["schemas"]["Invitation"];

/** UserForm is what the invite and edit forms hold: teams as ids, the managed ones apart. */
interface UserForm {
  email?: string;
  name?: string;
  locale?: string;
  roles: string[];
  teams: string[];
  managed: string[];
}

/** memberships turns the form's teams into the API's, a managed team marked so. */
function memberships(f: UserForm): components["schemas"]["TeamMembership"][] {
  const ids = [...new Set([...(f.teams ?? []), ...(f.managed ?? [])])];
  return ids.map((id) => ({ id, manager: (f.managed ?? []).includes(id) }));
}

/**
 * UsersPage lists the tenant's users and invites new ones: the invitation's
 * link and token are shown once, as the API answers them only then. A user
 * is edited (name, roles, teams and the teams they manage) or disabled.
 */
export default function UsersPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const manage = can("users:manage");
  const roles = useRoles(can("roles:read"));
  const teams = useTeams(can("teams:read"));
  const paged = usePagedQuery(["admin", "users"], (cursor) => unwrap(api.GET("/v1/users", { params: { query: { limit: 50, cursor } } })));
  const [editing, setEditing] = useState<User | "new" | null>(null);
  const [invited, setInvited] = useState<Invitation | null>(null);
  const [form] = Form.useForm<UserForm>();
  const refresh = () => qc.invalidateQueries({ queryKey: ["admin", "users"] });

  const close = () => { setEditing(null); refresh(); };

  const save = useSave({
    form,
    write: async (f: UserForm, overwrite) => {
      if (editing === "new") {
        return unwrap(api.POST("/v1/users", { body: { email: f.email ?? "", name: f.name, locale: f.locale, roles: f.roles, teams: memberships(f) } }));
      }
      const u = editing as User;
      const version = overwrite ? (await unwrap(api.GET("/v1/users/{id}", { params: { path: { id: u.id } } }))).version : u.version;
      return unwrap(
        api.PATCH("/v1/users/{id}", { params: { path: { id: u.id }, header: { "If-Match": ifMatch(version) } }, body: { name: f.name, roles: f.roles, teams: memberships(f) } }),
      );
    },
    done: (res) => {
      close();
      if (!(res && "invitationLink" in res)) return false;
      setInvited(res);
      return true;
    },
    reload: close,
  });
  const disable = useRemove((u: User) => unwrap(api.POST("/v1/users/{id}/disable", { params: { path: { id: u.id } } })), refresh, "admin.users.disabled");

  const open = (u: User | "new") => {
    form.resetFields();
    if (u !== "new") {
      form.setFieldsValue({ name: u.name, roles: u.roles, teams: u.teams.filter((m) => !m.manager).map((m) => m.id), managed: u.teams.filter((m) => m.manager).map((m) => m.id) });
    } else form.setFieldsValue({ roles: [], teams: [], managed: [], locale: locale });
    setEditing(u);
  };
  const confirmDisable = (u: User) =>
    modal.confirm({ title: t("admin.users.disableTitle", { name: u.name || u.email }), content: t("admin.users.disableBody"), okText: t("admin.users.disable"), onOk: () => disable.mutateAsync(u) });

  const teamName = (id: string) => teams.data?.items.find((x) => x.id === id)?.name ?? id;
  const roleOptions = (roles.data?.items ?? []).map((r) => ({ value: r.name, label: r.name }));
  const teamOptions = (teams.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }));
  const actions = (u: User) =>
    manage && (
      <Space wrap onClick={(e) => e.stopPropagation()}>
        <Button size="small" onClick={() => open(u)} data-testid="user-edit" aria-label={t("admin.users.editOf", { name: u.name || u.email })}>
          {t("action.edit")}
        </Button>
        {u.status !== "disabled" && (
          <Button size="small" onClick={() => confirmDisable(u)} data-testid="user-disable" aria-label={t("admin.users.disableOf", { name: u.name || u.email })}>
            {t("admin.users.disable")}
          </Button>
        )}
      </Space>
    );
  const status = (u: User) => <Tag color={u.status === "invited" ? "blue" : undefined}>{t(`admin.users.status.${u.status}`)}</Tag>;

  return (
    <div data-testid="page-admin-users">
      <PageHead title={t("admin.users.title")}>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => open("new")} data-testid="user-invite">
            {t("admin.users.invite")}
          </Button>
        )}
      </PageHead>
      <PagedList<User>
        paged={paged}
        rowKey="id"
        caption={t("admin.users.title")}
        columns={[
          { title: t("admin.users.name"), dataIndex: "name" },
          { title: t("admin.users.email"), dataIndex: "email" },
          { title: t("admin.users.status"), key: "status", render: (_, u) => status(u) },
          { title: t("admin.users.roles"), key: "roles", render: (_, u) => u.roles.map((r) => <Tag key={r}>{r}</Tag>) },
          { title: t("admin.users.teams"), key: "teams", render: (_, u) => u.teams.map((m) => <Tag key={m.id}>{teamName(m.id) + (m.manager ? " ★" : "")}</Tag>) },
          { title: t("admin.users.lastLogin"), key: "last", render: (_, u) => formatDateTime(u.lastLoginAt, locale) },
          { title: t("admin.actions"), key: "actions", render: (_, u) => actions(u) },
        ]}
        card={(u) => (
          <Space direction="vertical" size={4} style={{ width: "100%" }}>
            <Typography.Text strong>{u.name || u.email}</Typography.Text>
            <Typography.Text type="secondary">{u.email}</Typography.Text>
            <div>{status(u)}{u.roles.map((r) => <Tag key={r}>{r}</Tag>)}</div>
            {actions(u)}
          </Space>
        )}
      />
      <Modal
        open={editing !== null}
        title={editing === "new" ? t("admin.users.invite") : t("admin.users.edit")}
        okText={editing === "new" ? t("admin.users.sendInvite") : t("action.save")}
        cancelText={t("action.cancel")}
        onCancel={() => setEditing(null)}
        onOk={() => form.validateFields().then((f) => save.mutate({ values: f }))}
        confirmLoading={save.isPending}
        okButtonProps={okProps("user-save")}
        forceRender
      >
        <Form form={form} name="user" layout="vertical">
          {editing === "new" && (
            <Form.Item name="email" label={t("admin.users.email")} rules={[{ required: true, message: t("admin.required") }, { type: "email", message: t("admin.users.badEmail") }]}>
              <Input data-testid="invite-email" autoComplete="off" />
            </Form.Item>
          )}
          <Form.Item name="name" label={t("admin.users.name")}>
            <Input data-testid="user-name" autoComplete="off" />
          </Form.Item>
          {editing === "new" && (
            <Form.Item name="locale" label={t("admin.users.locale")}>
              <Select options={[{ value: "en", label: "English" }, { value: "zh-CN", label: "简体中文" }]} />
            </Form.Item>
          )}
          <Form.Item name="roles" label={t("admin.users.roles")}>
            <Select mode="multiple" options={roleOptions} data-testid="user-roles" />
          </Form.Item>
          <Form.Item name="teams" label={t("admin.users.teams")}>
            <Select mode="multiple" options={teamOptions} />
          </Form.Item>
          <Form.Item name="managed" label={t("admin.users.manages")} extra={t("admin.users.managesHelp")}>
            <Select mode="multiple" options={teamOptions} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={invited !== null}
        title={t("admin.users.invitedTitle", { email: invited?.user.email ?? "" })}
        onCancel={() => setInvited(null)}
        destroyOnClose
        footer={<Button type="primary" onClick={() => setInvited(null)} data-testid="invitation-close">{t("action.close")}</Button>}
      >
        <Typography.Paragraph>{t("admin.users.invitedOnce")}</Typography.Paragraph>
        <Typography.Text strong>{t("admin.users.invitationLink")}</Typography.Text>
        <Typography.Paragraph copyable={{ text: invited?.invitationLink }} data-testid="invitation-link" style={{ wordBreak: "break-all" }}>
          {invited?.invitationLink}
        </Typography.Paragraph>
        <Typography.Text strong>{t("admin.users.invitationToken")}</Typography.Text>
        <Typography.Paragraph copyable={{ text: invited?.invitationToken }} code data-testid="invitation-token" style={{ wordBreak: "break-all" }}>
          {invited?.invitationToken}
        </Typography.Paragraph>
      </Modal>
    </div>
  );
}
