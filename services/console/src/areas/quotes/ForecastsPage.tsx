import { App, Button, Card, DatePicker, Form, Input, Modal, Segmented, Select, Space, Typography } from "antd";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { useCallback, useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { formatDateTime } from "../../lib/dates";
import { applyProblem } from "../../lib/forms";
import { formatMinor } from "../../lib/money";
import { ResponsiveList } from "../../components/ResponsiveList";
import { ForecastChart } from "./ForecastChart";
import { toMinor } from "./money";
import { useDirectory } from "./shared";

type Group = components["schemas"]["ForecastGroup"];
type GroupBy = "tenant" | "owner" | "team";
const figures = ["closedWon", "commit", "bestCase", "pipeline", "weighted"] as const;

/** periodOf writes a day's month (2027-03) or quarter (2027-Q1), as the API reads periods. */
export function periodOf(d: Dayjs, kind: "month" | "quarter"): string {
  return kind === "month" ? d.format("YYYY-MM") : `${d.year()}-Q${Math.floor(d.month() / 3) + 1}`;
}

/**
 * ForecastsPage shows a period's forecast (a month or a quarter) for the
 * tenant, per owner or per team, in a currency: the cumulative figures as
 * a bar chart and a table, with managers' overrides beside them, which
 * sales:admin sets.
 */
export default function ForecastsPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const [kind, setKind] = useState<"month" | "quarter">("quarter");
  const [day, setDay] = useState<Dayjs>(dayjs());
  const [groupBy, setGroupBy] = useState<GroupBy>("owner");
  const [chosenCurrency, setCurrency] = useState<string | undefined>();
  const [overriding, setOverriding] = useState<Group | null>(null);
  const rates = useQuery({ queryKey: ["forecasts", "rates"], queryFn: () => unwrap(api.GET("/v1/forecasts/rates")) });
  const books = useQuery({ queryKey: ["price-books"], queryFn: () => unwrap(api.GET("/v1/price-books")) });
  const currencies = useMemo(
    () => Array.from(new Set([rates.data?.baseCurrency, ...Object.keys(rates.data?.rates ?? {}), ...(books.data?.items ?? []).map((b) => b.currency)].filter((c): c is string => !!c))).sort(),
    [rates.data, books.data],
  );
  const currency = chosenCurrency ?? (rates.data?.baseCurrency || currencies[0] || "CNY");
  const period = periodOf(day, kind);
  const forecast = useQuery({
    queryKey: ["forecasts", period, groupBy, currency],
    enabled: rates.isFetched && books.isFetched,
    queryFn: () => unwrap(api.GET("/v1/forecasts", { params: { query: { period, groupBy, currency } } })),
  });
  const dir = useDirectory(
    (forecast.data?.groups ?? []).flatMap((g) => [...(groupBy === "owner" ? [g.key] : []), ...g.overrides.map((o) => o.setBy)]),
  );
  const groupName = useCallback(
    (g: Group) => (groupBy === "tenant" ? t("quotes.forecast.everyone") : !g.key ? t("quotes.forecast.noTeam") : groupBy === "owner" ? dir.userName(g.key) : dir.teamName(g.key)),
    [groupBy, t, dir],
  );
  const groups = forecast.data?.groups ?? [];
  const money = useCallback((minor: number) => formatMinor(minor, currency, locale), [currency, locale]);
  const labels = useMemo(() => groups.map(groupName), [groups, groupName]);
  const series = useMemo(() => figures.map((f) => ({ name: t(`quotes.forecast.${f}`), minor: groups.map((g) => g[f]) })), [groups, t]);
  const admin = can("sales:admin") && groupBy !== "tenant";
  const overrides = (g: Group) => (
    <Space direction="vertical" size={0}>
      {g.overrides.map((o) => (
        <span key={o.category} data-testid="forecast-override">
          {t(`quotes.forecast.${o.category}`)}: <strong>{formatMinor(o.amount.minor, o.amount.currency, locale)}</strong> · {dir.userName(o.setBy)} · {formatDateTime(o.setAt, locale)}
          {o.note ? ` · ${o.note}` : ""}
        </span>
      ))}
      {admin && g.key && (
        <Button size="small" onClick={() => setOverriding(g)} data-testid="forecast-override-set">
          {t("quotes.forecast.setOverride")}
        </Button>
      )}
    </Space>
  );

  return (
    <div data-testid="page-forecasts">
      <Typography.Title level={1} style={{ fontSize: 22 }}>
        {t("quotes.forecast.title")}
      </Typography.Title>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          aria-label={t("quotes.forecast.kind")}
          value={kind}
          onChange={(v) => setKind(v as "month" | "quarter")}
          options={[
            { value: "month", label: t("quotes.forecast.month") },
            { value: "quarter", label: t("quotes.forecast.quarter") },
          ]}
          data-testid="forecast-kind"
        />
        <DatePicker
          picker={kind}
          value={day}
          allowClear={false}
          onChange={(d) => d && setDay(d)}
          format={(d) => periodOf(d, kind)}
          aria-label={t("quotes.forecast.period")}
          data-testid="forecast-period"
        />
        <Select<GroupBy>
          id="forecast-group"
          aria-label={t("quotes.forecast.groupBy")}
          value={groupBy}
          onChange={setGroupBy}
          options={(["tenant", "owner", "team"] as const).map((g) => ({ value: g, label: t(`quotes.forecast.by.${g}`) }))}
          style={{ minWidth: 140 }}
          data-testid="forecast-group"
        />
        <Select
          aria-label={t("quotes.forecast.currency")}
          value={currency}
          onChange={setCurrency}
          options={(currencies.length ? currencies : [currency]).map((c) => ({ value: c, label: c }))}
          style={{ minWidth: 100 }}
          data-testid="forecast-currency"
        />
      </Space>
      {forecast.isError ? (
        <ErrorState error={forecast.error} onRetry={() => forecast.refetch()} />
      ) : (
        <Space direction="vertical" style={{ width: "100%" }} size="middle">
          <Card size="small" loading={forecast.isLoading}>
            <ForecastChart groups={labels} series={series} exponent={forecast.data?.exponent ?? 2} format={money} label={t("quotes.forecast.chart", { period })} />
          </Card>
          <ResponsiveList<Group>
            rowKey="key"
            caption={t("quotes.forecast.title")}
            loading={forecast.isLoading}
            data={groups}
            columns={[
              { title: t(`quotes.forecast.by.${groupBy}`), key: "name", render: (_: unknown, g: Group) => groupName(g) },
              ...figures.map((f) => ({ title: t(`quotes.forecast.${f}`), key: f, align: "right" as const, render: (_: unknown, g: Group) => money(g[f]) })),
              { title: t("quotes.forecast.overrides"), key: "overrides", render: (_: unknown, g: Group) => overrides(g) },
            ]}
            card={(g) => (
              <Space direction="vertical" size={0} style={{ width: "100%" }}>
                <Typography.Text strong>{groupName(g)}</Typography.Text>
                {figures.map((f) => (
                  <Space key={f} style={{ justifyContent: "space-between", width: "100%" }}>
                    <span>{t(`quotes.forecast.${f}`)}</span>
                    <span>{money(g[f])}</span>
                  </Space>
                ))}
                {overrides(g)}
              </Space>
            )}
          />
        </Space>
      )}
      {overriding && (
        <OverrideForm period={period} groupBy={groupBy as "owner" | "team"} group={overriding} name={groupName(overriding)} currency={currency} exponent={forecast.data?.exponent ?? 2} onClose={() => setOverriding(null)} />
      )}
    </div>
  );
}

interface OverrideValues {
  category: "commit" | "bestCase";
  amount: string;
  note?: string;
}

/** OverrideForm sets a manager's commit or best case of an owner or a team in the period. */
function OverrideForm(p: { period: string; groupBy: "owner" | "team"; group: Group; name: string; currency: string; exponent: number; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<OverrideValues>();
  const [error, setError] = useState("");
  const save = useMutation({
    mutationFn: (v: OverrideValues) =>
      unwrap(
        api.PUT("/v1/forecasts/overrides", {
          body: {
            period: p.period,
            ...(p.groupBy === "owner" ? { ownerId: p.group.key } : { teamId: p.group.key }),
            category: v.category,
            amount: { minor: Number(toMinor(v.amount, p.exponent)), currency: p.currency },
            note: v.note || undefined,
          },
        }),
      ),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["forecasts"] });
      message.success(t("quotes.saved"));
      p.onClose();
    },
    onError: (err) => setError(applyProblem(form, err)),
  });
  return (
    <Modal
      open
      title={t("quotes.forecast.overrideOf", { name: p.name, period: p.period })}
      onCancel={p.onClose}
      onOk={() => form.submit()}
      okText={t("action.save")}
      cancelText={t("action.cancel")}
      confirmLoading={save.isPending}
      okButtonProps={{ "data-testid": "override-save" }}
    >
      <Form<OverrideValues>
        form={form}
        layout="vertical"
        initialValues={{ category: "commit" }}
        onFinish={(v) => {
          setError("");
          save.mutate(v);
        }}
      >
        <Form.Item name="category" label={t("quotes.forecast.category")}>
          <Select options={(["commit", "bestCase"] as const).map((c) => ({ value: c, label: t(`quotes.forecast.${c}`) }))} />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t("quotes.forecast.amountIn", { currency: p.currency })}
          rules={[
            { required: true, message: t("quotes.required") },
            { validator: (_, v: string) => (!v || toMinor(v, p.exponent) !== null ? Promise.resolve() : Promise.reject(new Error(t("quotes.books.badPrice", { digits: p.exponent })))) },
          ]}
        >
          <Input inputMode="decimal" data-testid="override-amount" />
        </Form.Item>
        <Form.Item name="note" label={t("quotes.forecast.note")}>
          <Input.TextArea rows={2} maxLength={1000} />
        </Form.Item>
        {error && <div role="alert" style={{ color: "#a8071a" }}>{error}</div>}
      </Form>
    </Modal>
  );
}
