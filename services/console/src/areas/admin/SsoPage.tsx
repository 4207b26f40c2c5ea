import { Alert, App, Button, Card, Form, Input, Select, Space, Switch, Typography } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, unwrap } from "../../api/client";
import { isApiError } from "../../api/problem";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { PageHead, useRoles } from "./shared";

/** callbackPath is the redirect URI path the gateway registers with every provider. */
const callbackPath = "/v1/auth/oidc/callback";

/** SsoForm is the provider as the form holds it: the role mapping as rows. */
interface SsoForm {
  issuer: string;
  clientId: string;
  clientSecret?: string;
  scopes: string[];
  roleClaim?: string;
  mapping: { claim: string; roles: string[] }[];
  defaultRoles: string[];
  enabled: boolean;
}

/**
 * SsoPage sets up the tenant's OpenID Connect provider: issuer, client id
 * and secret (write-only: the gateway never returns it), scopes, the claim
 * whose values map to roles, the roles everyone gets, on or off — and shows
 * the callback URL to register with the provider. It can be removed.
 */
export default function SsoPage() {
  const { t, locale } = useI18n();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const roles = useRoles();
  const [form] = Form.useForm<SsoForm>();
  const q = useQuery({
    queryKey: ["admin", "sso"],
    queryFn: async () => {
      try {
        return await unwrap(api.GET("/v1/sso"));
      } catch (e) {
        if (isApiError(e) && e.status === 404) return null;
        throw e;
      }
    },
  });
  const cfg = q.data;
  useEffect(() => {
    if (cfg === undefined) return;
    form.setFieldsValue({
      issuer: cfg?.issuer ?? "",
      clientId: cfg?.clientId ?? "",
      clientSecret: "",
      scopes: cfg?.scopes ?? ["openid", "email", "profile"],
      roleClaim: cfg?.roleClaim ?? "",
      mapping: Object.entries(cfg?.roleMapping ?? {}).map(([claim, r]) => ({ claim, roles: r })),
      defaultRoles: cfg?.defaultRoles ?? [],
      enabled: cfg?.enabled ?? true,
    });
  }, [cfg, form]);
  const save = useMutation({
    mutationFn: (f: SsoForm) =>
      unwrap(
        api.PUT("/v1/sso", {
          body: {
            issuer: f.issuer,
            clientId: f.clientId,
            clientSecret: f.clientSecret || undefined,
            scopes: f.scopes,
            roleClaim: f.roleClaim || undefined,
            roleMapping: Object.fromEntries((f.mapping ?? []).filter((m) => m.claim).map((m) => [m.claim, m.roles ?? []])),
            defaultRoles: f.defaultRoles,
            enabled: f.enabled,
          },
        }),
      ),
    onSuccess: (c) => { qc.setQueryData(["admin", "sso"], c); message.success(t("admin.saved")); },
    onError: (err) => { const rest = applyProblem(form, err); if (rest) message.error(rest); },
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE("/v1/sso")),
    onSuccess: () => { qc.setQueryData(["admin", "sso"], null); form.resetFields(); message.success(t("admin.deleted")); },
    onError: (err) => message.error(err.message),
  });
  const roleOptions = (roles.data?.items ?? []).map((r) => ({ value: r.name, label: r.name }));
  const callback = window.location.origin + callbackPath;

  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  return (
    <div data-testid="page-admin-sso">
      <PageHead title={t("admin.sso.title")}>
        {cfg && (
          <Button onClick={() => modal.confirm({ title: t("admin.sso.removeTitle"), content: t("admin.sso.removeBody"), okText: t("action.delete"), onOk: () => remove.mutateAsync() })}>
            {t("admin.sso.remove")}
          </Button>
        )}
      </PageHead>
      <Card style={{ marginBottom: 16 }}>
        <Typography.Text strong>{t("admin.sso.callback")}</Typography.Text>
        <Typography.Paragraph copyable code data-testid="sso-callback" style={{ wordBreak: "break-all", marginBottom: 4 }}>
          {callback}
        </Typography.Paragraph>
        <Typography.Text type="secondary">{t("admin.sso.callbackHelp")}</Typography.Text>
      </Card>
      {!q.isLoading && !cfg && <Alert type="info" showIcon message={t("admin.sso.none")} style={{ marginBottom: 16 }} />}
      {cfg && <Typography.Paragraph type="secondary">{t("admin.settings.updated", { when: formatDateTime(cfg.updatedAt, locale) })}</Typography.Paragraph>}
      <Form form={form} name="sso" layout="vertical" onFinish={(f) => save.mutate(f)} style={{ maxWidth: 640 }}>
        <Form.Item name="issuer" label={t("admin.sso.issuer")} extra={t("admin.sso.issuerHelp")} rules={[{ required: true, message: t("admin.required") }]}>
          <Input autoComplete="off" placeholder="https://login.example.com" />
        </Form.Item>
        <Form.Item name="clientId" label={t("admin.sso.clientId")} rules={[{ required: true, message: t("admin.required") }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="clientSecret" label={t("admin.sso.clientSecret")} extra={cfg ? t("admin.sso.secretKept") : undefined} rules={cfg ? [] : [{ required: true, message: t("admin.required") }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="scopes" label={t("admin.sso.scopes")}>
          <Select mode="tags" tokenSeparators={[",", " "]} />
        </Form.Item>
        <Form.Item name="roleClaim" label={t("admin.sso.roleClaim")} extra={t("admin.sso.roleClaimHelp")}>
          <Input autoComplete="off" placeholder="groups" />
        </Form.Item>
        <Form.List name="mapping">
          {(items, { add, remove: drop }) => (
            <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
              <legend style={{ fontSize: 14, border: 0, marginBottom: 8 }}>{t("admin.sso.mapping")}</legend>
              {items.map((it, i) => (
                <Space key={it.key} wrap align="baseline">
                  <Form.Item name={[it.name, "claim"]} label={t("admin.sso.claimValue", { n: i + 1 })}>
                    <Input autoComplete="off" style={{ width: 200 }} />
                  </Form.Item>
                  <Form.Item name={[it.name, "roles"]} label={t("admin.sso.mappedRoles", { n: i + 1 })}>
                    <Select mode="multiple" style={{ width: 260 }} options={roleOptions} />
                  </Form.Item>
                  <Button icon={<DeleteOutlined />} onClick={() => drop(it.name)} aria-label={t("admin.sso.removeMapping", { n: i + 1 })} />
                </Space>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ claim: "", roles: [] })} style={{ marginBottom: 16 }}>
                {t("admin.sso.addMapping")}
              </Button>
            </fieldset>
          )}
        </Form.List>
        <Form.Item name="defaultRoles" label={t("admin.sso.defaultRoles")}>
          <Select mode="multiple" options={roleOptions} />
        </Form.Item>
        <Form.Item name="enabled" label={t("admin.sso.enabled")} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="sso-save">
          {t("action.save")}
        </Button>
      </Form>
    </div>
  );
}
