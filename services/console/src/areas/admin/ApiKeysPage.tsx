import { App, Button, DatePicker, Form, Input, Modal, Select, Space, Tag, Typography } from "antd";
import { PlusOutlined } from "@ant-design/icons";
import type { Dayjs } from "dayjs";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { granted } from "../../auth/session";
import { permissionLabel } from "./PermissionPicker";
import { allPermissions } from "./permissions";
import { PageHead, userLabel, useUsers, okProps, useRemove } from "./shared";

type APIKey = components["schemas"]["APIKey"];

/** KeyForm is a new key: its name, scopes and optional expiry. */
interface KeyForm {
  name: string;
  scopes: string[];
  expiresAt?: Dayjs;
}

/**
 * ApiKeysPage lists the tenant's API keys and creates and revokes them. A
 * new key's secret is shown once, in a dialog with a copy button; closing
 * it forgets the secret, as the gateway keeps only its hash.
 */
export default function ApiKeysPage() {
  const { t, locale } = useI18n();
  const { me, can } = useSession();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const users = useUsers(can("users:read"));
  const paged = usePagedQuery(["admin", "api-keys"], (cursor) => unwrap(api.GET("/v1/api-keys", { params: { query: { limit: 50, cursor } } })));
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm<KeyForm>();
  const refresh = () => qc.invalidateQueries({ queryKey: ["admin", "api-keys"] });
  // A key may carry only what its creator holds.
  const mine = allPermissions.filter((p) => granted(me?.permissions ?? [], p) && (p !== "*" || (me?.permissions ?? []).includes("*")));

  const create = useMutation({
    mutationFn: (f: KeyForm) => unwrap(api.POST("/v1/api-keys", { body: { name: f.name, scopes: f.scopes, expiresAt: f.expiresAt?.toISOString() } })),
    onSuccess: (k) => { setCreating(false); setSecret(k.secret); refresh(); },
    onError: (err) => {
      const rest = applyProblem(form, err);
      if (rest) message.error(rest);
    },
  });
  const revoke = useRemove((k: APIKey) => unwrap(api.DELETE("/v1/api-keys/{id}", { params: { path: { id: k.id } } })), refresh, "admin.keys.revoked");

  const state = (k: APIKey) =>
    k.revokedAt ? <Tag>{t("admin.keys.state.revoked")}</Tag> : k.expiresAt && new Date(k.expiresAt) < new Date() ? <Tag>{t("admin.keys.state.expired")}</Tag> : <Tag>{t("admin.keys.state.active")}</Tag>;
  const revokeButton = (k: APIKey) =>
    !k.revokedAt && (
      <Button
        size="small"
        data-testid="key-revoke"
        aria-label={t("admin.keys.revokeOf", { name: k.name })}
        onClick={(e) => {
          e.stopPropagation();
          modal.confirm({ title: t("admin.keys.revokeTitle", { name: k.name }), content: t("admin.keys.revokeBody"), okText: t("admin.keys.revoke"), onOk: () => revoke.mutateAsync(k) });
        }}
      >
        {t("admin.keys.revoke")}
      </Button>
    );

  return (
    <div data-testid="page-admin-api-keys">
      <PageHead title={t("admin.keys.title")}>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => { form.resetFields(); setCreating(true); }} data-testid="key-create">
          {t("admin.keys.create")}
        </Button>
      </PageHead>
      <PagedList<APIKey>
        paged={paged}
        rowKey="id"
        caption={t("admin.keys.title")}
        columns={[
          { title: t("admin.keys.name"), dataIndex: "name" },
          { title: t("admin.keys.prefix"), key: "prefix", render: (_, k) => <code>{k.prefix}</code> },
          { title: t("admin.keys.scopes"), key: "scopes", render: (_, k) => k.scopes.map((s) => <Tag key={s}>{s}</Tag>) },
          { title: t("admin.keys.owner"), key: "owner", render: (_, k) => userLabel(users.data?.items, k.userId) },
          { title: t("admin.keys.state"), key: "state", render: (_, k) => state(k) },
          { title: t("admin.keys.created"), key: "created", render: (_, k) => formatDateTime(k.createdAt, locale) },
          { title: t("admin.keys.lastUsed"), key: "used", render: (_, k) => formatDateTime(k.lastUsedAt, locale) || t("admin.keys.never") },
          { title: t("admin.keys.expires"), key: "expires", render: (_, k) => formatDateTime(k.expiresAt, locale) || t("admin.keys.never") },
          { title: t("admin.actions"), key: "actions", render: (_, k) => revokeButton(k) },
        ]}
        card={(k) => (
          <Space direction="vertical" size={4} style={{ width: "100%" }}>
            <Space wrap>
              <Typography.Text strong>{k.name}</Typography.Text>
              {state(k)}
            </Space>
            <code>{k.prefix}</code>
            <div>{k.scopes.map((s) => <Tag key={s}>{s}</Tag>)}</div>
            {revokeButton(k)}
          </Space>
        )}
      />
      <Modal
        open={creating}
        title={t("admin.keys.create")}
        okText={t("action.create")}
        cancelText={t("action.cancel")}
        onCancel={() => setCreating(false)}
        onOk={() => form.validateFields().then((f) => create.mutate(f))}
        confirmLoading={create.isPending}
        okButtonProps={okProps("key-save")}
        forceRender
      >
        <Form form={form} name="apikey" layout="vertical">
          <Form.Item name="name" label={t("admin.keys.name")} rules={[{ required: true, message: t("admin.required") }]}>
            <Input data-testid="key-name" autoComplete="off" />
          </Form.Item>
          <Form.Item name="scopes" label={t("admin.keys.scopes")} extra={t("admin.keys.scopesHelp")} rules={[{ required: true, message: t("admin.keys.scopesRequired") }]}>
            <Select mode="multiple" data-testid="key-scopes" options={mine.map((p) => ({ value: p, label: `${p} — ${permissionLabel(t, p)}` }))} />
          </Form.Item>
          <Form.Item name="expiresAt" label={t("admin.keys.expires")}>
            <DatePicker showTime style={{ width: "100%" }} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={secret !== null}
        title={t("admin.keys.secretTitle")}
        closable={false}
        maskClosable={false}
        destroyOnClose
        footer={<Button type="primary" onClick={() => setSecret(null)} data-testid="key-secret-close">{t("admin.keys.secretDone")}</Button>}
      >
        <Typography.Paragraph>{t("admin.keys.secretOnce")}</Typography.Paragraph>
        <Typography.Paragraph code copyable={{ text: secret ?? "" }} data-testid="key-secret" style={{ wordBreak: "break-all" }}>
          {secret}
        </Typography.Paragraph>
      </Modal>
    </div>
  );
}
