import { Alert, Button, Divider, Form, Input, Typography } from "antd";
import { useState } from "react";
import { Navigate, useSearchParams } from "react-router-dom";
import { useSession } from "../auth/session";
import { useI18n } from "../i18n/I18n";
import { applyProblem } from "../lib/forms";
import { LanguageSwitch } from "./LanguageSwitch";
import { safeReturn } from "./returnPath";

interface Fields {
  tenant: string;
  email: string;
  password: string;
}

/**
 * SignIn signs in with a password, or hands over to the tenant's SSO (the
 * gateway's OIDC flow, which comes back with the refresh cookie set). After
 * sign-in the user goes back to where they were (?return=).
 */
export default function SignIn() {
  const { t } = useI18n();
  const { status, signIn } = useSession();
  const [params] = useSearchParams();
  const [form] = Form.useForm<Fields>();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const back = safeReturn(params.get("return"));
  if (status === "signedIn") return <Navigate to={back} replace />;

  const submit = async (v: Fields) => {
    setBusy(true);
    setError("");
    try {
      await signIn(v.tenant.trim(), v.email.trim(), v.password);
    } catch (err) {
      setError(applyProblem(form, err) || t("signin.failed"));
    } finally {
      setBusy(false);
    }
  };
  const sso = async () => {
    try {
      await form.validateFields(["tenant"]);
    } catch {
      return;
    }
    const tenant = encodeURIComponent(form.getFieldValue("tenant").trim());
    window.location.assign(`/v1/auth/oidc/${tenant}/start?return=${encodeURIComponent(back)}`);
  };
  const ssoError = params.get("error");

  return (
    <main data-testid="page-signin" style={{ minHeight: "100vh", display: "grid", placeItems: "center", padding: 16, background: "#f5f5f5" }}>
      {/* A plain box, not antd Card: Card pulls in Tabs and their menus, a third of this route's code. */}
      <section style={{ width: "100%", maxWidth: 400, background: "#fff", borderRadius: 8, padding: 24, boxShadow: "0 1px 2px rgba(0,0,0,0.06)" }}>
        <div style={{ display: "flex", justifyContent: "space-between", alignItems: "center" }}>
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
            {t("signin.title")}
          </Typography.Title>
          <LanguageSwitch />
        </div>
        {params.get("expired") && <Alert style={{ marginTop: 16 }} type="info" showIcon message={t("signin.expired")} />}
        {ssoError && <Alert style={{ marginTop: 16 }} type="error" showIcon message={t("signin.ssoError", { code: ssoError })} />}
        {error && <Alert style={{ marginTop: 16 }} type="error" showIcon message={error} data-testid="signin-error" role="alert" />}
        <Form<Fields> form={form} layout="vertical" onFinish={submit} style={{ marginTop: 16 }} requiredMark={false}
          initialValues={{ tenant: localStorage.getItem("rapport.tenant") ?? "" }}
          onValuesChange={(c: Partial<Fields>) => c.tenant !== undefined && localStorage.setItem("rapport.tenant", c.tenant)}>
          <Form.Item name="tenant" htmlFor="signin-tenant" label={t("signin.tenant")} extra={t("signin.tenantHelp")} rules={[{ required: true, whitespace: true, message: t("signin.required") }]}>
            <Input id="signin-tenant" autoComplete="organization" />
          </Form.Item>
          <Form.Item name="email" htmlFor="signin-email" label={t("signin.email")} rules={[{ required: true, whitespace: true, message: t("signin.required") }]}>
            <Input id="signin-email" type="email" autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" htmlFor="signin-password" label={t("signin.password")} rules={[{ required: true, message: t("signin.required") }]}>
            <Input.Password id="signin-password" autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy} data-testid="signin-submit">
            {t("signin.submit")}
          </Button>
        </Form>
        <Divider plain />
        <Button block onClick={sso} data-testid="signin-sso">
          {t("signin.sso")}
        </Button>
      </section>
    </main>
  );
}
