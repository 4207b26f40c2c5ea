import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Card, Col, Form, Input, Popconfirm, Row, Select, Space, Statistic } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatNumber } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { campaignStatuses, campaignTypes, ifMatch, marketingKey, memberStatuses, mergePatch, type Campaign } from "./api";
import { CampaignMembers } from "./CampaignMembers";
import { campaignInput, campaignPatch, campaignValues, type CampaignValues } from "./campaigns";
import { PageTitle } from "./PageTitle";

/**
 * CampaignPage is a new campaign (/marketing/campaigns/new) or an existing
 * one: its type, status, parent programme, dates, budget and actual cost;
 * an existing one's members per status and its members.
 */
export default function CampaignPage() {
  const { id } = useParams();
  const c = useQuery({ queryKey: marketingKey("campaigns", id), enabled: !!id, queryFn: () => unwrap(api.GET("/v1/campaigns/{id}", { params: { path: { id: id! } } })) });
  if (!id) return <CampaignEditor key="new" />;
  if (c.isError) return <ErrorState error={c.error} onRetry={() => c.refetch()} />;
  if (!c.data) return <Card loading data-testid="page-campaign" />;
  return <CampaignEditor key={`${c.data.id}:${c.data.version}`} campaign={c.data} />;
}

/** CampaignEditor is the campaign's form (none for a new one), its counts and members. */
function CampaignEditor({ campaign }: { campaign?: Campaign }) {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const nav = useNavigate();
  const [form] = Form.useForm<CampaignValues>();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const writable = can("marketing:write");
  const parents = useQuery({
    queryKey: marketingKey("campaigns", "parents"),
    queryFn: () => unwrap(api.GET("/v1/campaigns", { params: { query: { limit: 200 } } })),
  });
  const save = async (v: CampaignValues, version?: number) => {
    setError("");
    setBusy(true);
    try {
      if (!campaign) {
        const made = await unwrap(api.POST("/v1/campaigns", { body: campaignInput(v) }));
        qc.invalidateQueries({ queryKey: marketingKey("campaigns") });
        message.success(t("marketing.saved"));
        nav(`/marketing/campaigns/${made.id}`, { replace: true });
        return;
      }
      const next = await unwrap(
        api.PATCH("/v1/campaigns/{id}", { params: { path: { id: campaign.id }, header: ifMatch(version ?? campaign.version) }, headers: mergePatch, body: campaignPatch(v) }),
      );
      qc.setQueryData(marketingKey("campaigns", campaign.id), next);
      qc.invalidateQueries({ queryKey: marketingKey("campaigns", "list") });
      message.success(t("marketing.saved"));
    } catch (err) {
      const reload = () => qc.invalidateQueries({ queryKey: marketingKey("campaigns", campaign?.id) });
      const overwrite = async () => save(v, (await unwrap(api.GET("/v1/campaigns/{id}", { params: { path: { id: campaign!.id } } }))).version);
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    try {
      await unwrap(api.DELETE("/v1/campaigns/{id}", { params: { path: { id: campaign!.id }, header: ifMatch(campaign!.version) } }));
      qc.invalidateQueries({ queryKey: marketingKey("campaigns") });
      nav("/marketing/campaigns", { replace: true });
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const parentOptions = (parents.data?.items ?? []).filter((p) => p.id !== campaign?.id).map((p) => ({ value: p.id, label: p.name }));
  const initial: CampaignValues = campaign ? campaignValues(campaign) : { name: "", type: "email", status: "planned", budget: { currency: "CNY" }, actualCost: { currency: "CNY" } };
  const moneyItem = (name: "budget" | "actualCost") => (
    <Form.Item label={t(`marketing.campaign.${name}`)} style={{ marginBottom: 0 }}>
      <Space.Compact style={{ width: "100%" }}>
        <Form.Item name={[name, "amount"]} noStyle>
          <Input inputMode="decimal" aria-label={t(`marketing.campaign.${name}.amount`)} placeholder="0.00" style={{ width: "70%" }} />
        </Form.Item>
        <Form.Item name={[name, "currency"]} noStyle>
          <Input maxLength={3} aria-label={t("marketing.campaign.currency")} placeholder="CNY" style={{ width: "30%" }} />
        </Form.Item>
      </Space.Compact>
    </Form.Item>
  );
  return (
    <div data-testid="page-campaign">
      <PageTitle title={campaign ? campaign.name : t("marketing.campaigns.new")}>
        {campaign?.parentId && (
          <Link to={`/marketing/campaigns/${campaign.parentId}`} data-testid="campaign-parent-link">
            {t("marketing.campaign.parentLink")}
          </Link>
        )}
        {campaign && writable && (
          <Popconfirm title={t("marketing.campaign.deleteConfirm")} onConfirm={remove} okText={t("marketing.delete")} cancelText={t("marketing.cancel")}>
            <Button danger data-testid="campaign-delete">
              {t("marketing.delete")}
            </Button>
          </Popconfirm>
        )}
      </PageTitle>
      {campaign && (
        <Card title={t("marketing.campaign.membersByStatus")} style={{ marginBottom: 16 }} data-testid="campaign-counts">
          <Row gutter={[16, 16]}>
            {memberStatuses.map((s) => (
              <Col key={s} xs={12} sm={8} md={4}>
                <Statistic title={t(`marketing.member.status.${s}`)} value={formatNumber(campaign.memberCounts?.[s] ?? 0, locale)} data-testid={`campaign-count-${s}`} />
              </Col>
            ))}
          </Row>
        </Card>
      )}
      <Card>
        <Form<CampaignValues> form={form} name="campaign" layout="vertical" disabled={!writable} initialValues={initial} onFinish={(v) => save(v)}>
          <Row gutter={16}>
            <Col xs={24} md={12}>
              <Form.Item name="name" label={t("marketing.name")} rules={[{ required: true, whitespace: true, message: t("marketing.required") }]}>
                <Input maxLength={200} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="type" label={t("marketing.campaign.type")}>
                <Select aria-label={t("marketing.campaign.type")} options={campaignTypes.map((v) => ({ value: v, label: t(`marketing.campaign.type.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="status" label={t("marketing.campaign.status")}>
                <Select aria-label={t("marketing.campaign.status")} options={campaignStatuses.map((v) => ({ value: v, label: t(`marketing.campaign.status.${v}`) }))} />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              <Form.Item name="parentId" label={t("marketing.campaign.parent")}>
                <Select aria-label={t("marketing.campaign.parent")} allowClear showSearch optionFilterProp="label" options={parentOptions} loading={parents.isLoading} />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="startsOn" label={t("marketing.campaign.startsOn")}>
                <Input type="date" />
              </Form.Item>
            </Col>
            <Col xs={12} md={6}>
              <Form.Item name="endsOn" label={t("marketing.campaign.endsOn")}>
                <Input type="date" />
              </Form.Item>
            </Col>
            <Col xs={24} md={12}>
              {moneyItem("budget")}
            </Col>
            <Col xs={24} md={12}>
              {moneyItem("actualCost")}
            </Col>
            <Col xs={24}>
              <Form.Item name="description" label={t("marketing.description")} style={{ marginTop: 16 }}>
                <Input.TextArea rows={3} maxLength={10000} />
              </Form.Item>
            </Col>
          </Row>
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} data-testid="campaign-error" />}
          {writable && (
            <Button type="primary" htmlType="submit" loading={busy} data-testid="campaign-save">
              {t("marketing.save")}
            </Button>
          )}
        </Form>
      </Card>
      {campaign && <CampaignMembers campaign={campaign} />}
    </div>
  );
}
