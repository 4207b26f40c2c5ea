import { useQuery } from "@tanstack/react-query";
import { Input, Segmented, Space, Table, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatNumber } from "../../lib/dates";
import { formatMoney } from "../../lib/money";
import { attributionModels, marketingKey, type AttributionModel, type CampaignAttribution } from "./api";
import { PageTitle } from "./PageTitle";
import { roiPercent, roiTone } from "./roi";

/** toneColors are the ROI's text colours, at 4.5:1 on white. */
const toneColors = { gain: "#237804", loss: "#a8071a", even: undefined, none: undefined };

/**
 * RoiPage is what each campaign brought under an attribution model (first
 * touch, last touch or linear, switched here) between two dates: leads,
 * opportunities, the won ones credited and their amount per currency, the
 * actual cost and the ROI.
 */
export default function RoiPage() {
  const { t, locale } = useI18n();
  const [model, setModel] = useState<AttributionModel>("linear");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const q = useQuery({
    queryKey: marketingKey("attribution", model, from, to),
    queryFn: () => unwrap(api.GET("/v1/attribution/campaigns", { params: { query: { model, from: from || undefined, to: to || undefined } } })),
  });
  const num = (n: number) => formatNumber(n, locale);
  return (
    <div data-testid="page-roi">
      <PageTitle title={t("marketing.roi.title")} />
      <Space wrap style={{ marginBottom: 12 }} align="end">
        <Segmented
          aria-label={t("marketing.roi.model")}
          value={model}
          onChange={(v) => setModel(v as AttributionModel)}
          options={attributionModels.map((m) => ({ value: m, label: t(`marketing.roi.model.${m}`) }))}
          data-testid="roi-model"
        />
        <label>
          {t("marketing.roi.from")} <Input type="date" value={from} onChange={(e) => setFrom(e.target.value)} style={{ width: 160 }} data-testid="roi-from" />
        </label>
        <label>
          {t("marketing.roi.to")} <Input type="date" value={to} onChange={(e) => setTo(e.target.value)} style={{ width: 160 }} data-testid="roi-to" />
        </label>
      </Space>
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <div data-testid="roi-table" data-model={q.data?.model ?? ""}>
          <Table<CampaignAttribution>
            size="middle"
            rowKey="campaignId"
            loading={q.isLoading}
            dataSource={q.data?.items ?? []}
            pagination={false}
            scroll={{ x: "max-content" }}
            title={() => <span className="sr-only">{t("marketing.roi.title")}</span>}
            onRow={() => ({ "data-testid": "roi-row" }) as object}
            locale={{ emptyText: t("marketing.roi.empty") }}
            columns={[
              {
                title: t("marketing.roi.campaign"),
                key: "name",
                render: (_: unknown, r) => <Link to={`/marketing/campaigns/${r.campaignId}`}>{r.name ?? t("marketing.roi.unknownCampaign")}</Link>,
              },
              { title: t("marketing.roi.leads"), key: "leads", align: "right", render: (_: unknown, r) => num(r.leads) },
              { title: t("marketing.roi.opportunities"), key: "opps", align: "right", render: (_: unknown, r) => num(r.opportunities) },
              { title: t("marketing.roi.wonOpportunities"), key: "wonOpps", align: "right", render: (_: unknown, r) => num(r.wonOpportunities) },
              {
                title: t("marketing.roi.won"),
                key: "won",
                align: "right",
                render: (_: unknown, r) => (r.won.length === 0 ? "—" : r.won.map((m) => <div key={m.currency}>{formatMoney(m.amount, m.currency, locale)}</div>)),
              },
              { title: t("marketing.roi.cost"), key: "cost", align: "right", render: (_: unknown, r) => (r.cost ? formatMoney(r.cost.amount, r.cost.currency, locale) : "—") },
              {
                title: t("marketing.roi.roi"),
                key: "roi",
                align: "right",
                render: (_: unknown, r) => {
                  const pct = roiPercent(r.roi);
                  return (
                    <Typography.Text style={{ color: toneColors[roiTone(r.roi)] }} data-testid="roi-value" data-roi={r.roi ?? ""}>
                      {pct === undefined ? "—" : `${pct} %`}
                    </Typography.Text>
                  );
                },
              },
            ]}
          />
        </div>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
        {t(`marketing.roi.explain.${model}`)}
      </Typography.Paragraph>
    </div>
  );
}
