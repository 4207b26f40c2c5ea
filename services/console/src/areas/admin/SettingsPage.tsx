import { App, Button, Card, Col, Descriptions, Form, Row, Select, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { formatMinor } from "../../lib/money";
import { PageHead } from "./shared";

/** regions are the phone regions the services read national numbers of (libs/phone). */
const regions = ["CA", "CN", "DE", "GB", "US"] as const;
type Region = (typeof regions)[number];

/** ContactSettings sets the region of contacts' national phone numbers (GET|PUT /v1/settings). */
function ContactSettings() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ defaultRegion: Region }>();
  const q = useQuery({ queryKey: ["admin", "settings", "contacts"], queryFn: () => unwrap(api.GET("/v1/settings")) });
  useEffect(() => { if (q.data) form.setFieldsValue({ defaultRegion: q.data.defaultRegion as Region }); }, [q.data, form]);
  const save = useMutation({
    mutationFn: (v: { defaultRegion: Region }) => unwrap(api.PUT("/v1/settings", { body: v })),
    onSuccess: (s) => { qc.setQueryData(["admin", "settings", "contacts"], s); message.success(t("admin.saved")); },
    onError: (err) => { const rest = applyProblem(form, err); if (rest) message.error(rest); },
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.settings.contacts")}</h2>} loading={q.isLoading}>
      <Form form={form} name="contact-settings" layout="vertical" disabled={!can("contacts:admin")} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="defaultRegion" label={t("admin.settings.region")} extra={t("admin.settings.regionHelp")}>
          <Select data-testid="contacts-region" options={regions.map((r) => ({ value: r, label: t(`admin.region.${r}`) }))} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="contacts-settings-save">
          {t("action.save")}
        </Button>
      </Form>
      {q.data && <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>{t("admin.settings.updated", { when: formatDateTime(q.data.updatedAt, locale) })}</Typography.Paragraph>}
    </Card>
  );
}

/** LeadSettings sets the region of leads' national phone numbers, or none (GET|PUT /v1/lead-settings). */
function LeadSettings() {
  const { t } = useI18n();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<{ defaultRegion: string }>();
  const q = useQuery({ queryKey: ["admin", "settings", "leads"], queryFn: () => unwrap(api.GET("/v1/lead-settings")) });
  useEffect(() => { if (q.data) form.setFieldsValue({ defaultRegion: q.data.defaultRegion }); }, [q.data, form]);
  const save = useMutation({
    mutationFn: (v: { defaultRegion: string }) => unwrap(api.PUT("/v1/lead-settings", { body: { defaultRegion: v.defaultRegion ?? "" } })),
    onSuccess: (s) => { qc.setQueryData(["admin", "settings", "leads"], s); message.success(t("admin.saved")); },
    onError: (err) => { const rest = applyProblem(form, err); if (rest) message.error(rest); },
  });
  if (q.isError) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.settings.leads")}</h2>} loading={q.isLoading}>
      <Form form={form} name="lead-settings" layout="vertical" disabled={!can("sales:admin")} onFinish={(v) => save.mutate(v)}>
        <Form.Item name="defaultRegion" label={t("admin.settings.region")} extra={t("admin.settings.leadRegionHelp")}>
          <Select data-testid="leads-region" options={[{ value: "", label: t("admin.settings.international") }, ...regions.map((r) => ({ value: r, label: t(`admin.region.${r}`) }))]} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="leads-settings-save">
          {t("action.save")}
        </Button>
      </Form>
    </Card>
  );
}

/** QuoteSettings shows the quotes' approval thresholds by currency; the quotes area edits them. */
function QuoteSettings() {
  const { t, locale } = useI18n();
  const q = useQuery({ queryKey: ["admin", "settings", "quotes"], queryFn: () => unwrap(api.GET("/v1/quotes/settings")) });
  const totals = Object.entries(q.data?.totals ?? {});
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("admin.settings.quotes")}</h2>} loading={q.isLoading}>
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t("admin.settings.discount")}>{q.data?.discountPercent ? `${q.data.discountPercent}%` : "—"}</Descriptions.Item>
          <Descriptions.Item label={t("admin.settings.discount2")}>{q.data?.secondLevelDiscountPercent ? `${q.data.secondLevelDiscountPercent}%` : "—"}</Descriptions.Item>
          {totals.map(([cur, th]) => (
            <Descriptions.Item key={cur} label={t("admin.settings.totalsIn", { currency: cur })}>
              {[th.approval !== undefined ? formatMinor(th.approval, cur, locale) : "—", th.secondLevel !== undefined ? formatMinor(th.secondLevel, cur, locale) : "—"].join(" / ")}
            </Descriptions.Item>
          ))}
        </Descriptions>
      )}
      <Link to="/quotes/settings" data-testid="quote-settings-link">
        {t("admin.settings.quotesLink")}
      </Link>
    </Card>
  );
}

/**
 * SettingsPage holds the tenant's settings: the phone region of contacts
 * and of leads, and the quotes' approval thresholds (money per currency),
 * which the quotes area edits.
 */
export default function SettingsPage() {
  const { t } = useI18n();
  return (
    <div data-testid="page-admin-settings">
      <PageHead title={t("admin.settings.title")} />
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <ContactSettings />
        </Col>
        <Col xs={24} lg={12}>
          <LeadSettings />
        </Col>
        <Col xs={24}>
          <QuoteSettings />
        </Col>
      </Row>
    </div>
  );
}
