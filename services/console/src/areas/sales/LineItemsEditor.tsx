import { Alert, App, Button, Card, Form, Input, Select, Space, Table, Typography } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { ErrorState } from "../../components/ErrorState";
import { resolveConflict } from "../../components/conflict";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { formatMinor } from "../../lib/money";
import { lineTotal } from "./amount";
import { ifMatch } from "./api";

type LineItems = components["schemas"]["LineItems"];
type Product = components["schemas"]["Product"];

interface Row {
  productId?: string;
  quantity: string;
  discountPercent: string;
}

interface Values {
  priceBookId?: string;
  lineItems: Row[];
}

/** ProductSelect finds an active product by a prefix of its SKU or name. */
function ProductSelect({ id, value, onChange, known, label }: { id?: string; value?: string; onChange?: (v: string) => void; known: Map<string, string>; label: string }) {
  const [q, setQ] = useState("");
  const found = useQuery({
    queryKey: ["products", "search", q],
    queryFn: () => unwrap(api.GET("/v1/products", { params: { query: { q: q || undefined, active: true, limit: 50 } } })),
  });
  const options = useMemo(() => {
    const list = (found.data?.items ?? []).map((p: Product) => ({ value: p.id, label: `${p.sku} · ${p.name}` }));
    if (value && !list.some((o) => o.value === value)) list.unshift({ value, label: known.get(value) ?? value });
    return list;
  }, [found.data, value, known]);
  return <Select id={id} aria-label={label} showSearch filterOption={false} onSearch={setQ} value={value} onChange={onChange} options={options} loading={found.isFetching} style={{ minWidth: 200, width: "100%" }} />;
}

/**
 * LineItemsEditor edits an opportunity's line items: the price book, each
 * product with its quantity and discount, and the totals as the service
 * reckons them; saving replaces the set (If-Match), and a refused line
 * shows its error on the line.
 */
export function LineItemsEditor({ opportunityId }: { opportunityId: string }) {
  const { t, locale } = useI18n();
  const { modal } = App.useApp();
  const client = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState("");
  const key = ["opportunity", opportunityId, "line-items"];
  const items = useQuery({ queryKey: key, queryFn: () => unwrap(api.GET("/v1/opportunities/{id}/line-items", { params: { path: { id: opportunityId } } })) });
  const books = useQuery({ queryKey: ["price-books"], queryFn: () => unwrap(api.GET("/v1/price-books")) });
  const defaultBook = items.data?.priceBookId ?? books.data?.items.find((b) => b.isStandard && b.active)?.id;
  useEffect(() => {
    if (defaultBook && !form.getFieldValue("priceBookId")) form.setFieldValue("priceBookId", defaultBook);
  }, [defaultBook, form, items.data?.version]);
  const bookId = Form.useWatch("priceBookId", form) ?? defaultBook;
  const book = books.data?.items.find((b) => b.id === bookId);
  const entries = useQuery({
    queryKey: ["price-book-entries", bookId],
    enabled: !!bookId,
    queryFn: () => unwrap(api.GET("/v1/price-books/{id}/entries", { params: { path: { id: bookId ?? "" }, query: { limit: 200 } } })),
  });
  const prices = useMemo(() => new Map((entries.data?.items ?? []).map((e) => [e.productId, e.unitPrice.minor])), [entries.data]);
  const known = useMemo(() => new Map((items.data?.lineItems ?? []).map((l) => [l.productId, `${l.sku} · ${l.productName}`])), [items.data]);
  const rows = Form.useWatch("lineItems", form) ?? [];
  const save = useMutation({
    mutationFn: ({ v, version }: { v: Values; version: number }) =>
      unwrap(
        api.PUT("/v1/opportunities/{id}/line-items", {
          params: { path: { id: opportunityId }, header: ifMatch(version) },
          body: {
            priceBookId: v.priceBookId,
            lineItems: (v.lineItems ?? []).map((r) => ({ productId: r.productId ?? "", quantity: r.quantity.trim(), discountPercent: r.discountPercent?.trim() || undefined })),
          },
        }),
      ),
    onSuccess: (li: LineItems) => {
      setError("");
      client.setQueryData(key, li);
      client.invalidateQueries({ queryKey: ["opportunity", opportunityId] });
      client.invalidateQueries({ queryKey: ["board"] });
      form.resetFields();
    },
    onError: (err, { v }) => {
      const reload = () => {
        client.invalidateQueries({ queryKey: key });
        form.resetFields();
      };
      const overwrite = async () => {
        const latest = await unwrap(api.GET("/v1/opportunities/{id}/line-items", { params: { path: { id: opportunityId } } }));
        save.mutate({ v, version: latest.version });
      };
      if (!resolveConflict(modal, t, err, reload, overwrite)) setError(applyProblem(form, err));
    },
  });
  if (items.isError) return <ErrorState error={items.error} onRetry={() => items.refetch()} />;
  if (!items.data) return <Card loading />;
  const data = items.data;
  const currency = book?.currency ?? data.amount?.currency ?? "CNY";
  const totals = rows.map((r) => {
    const unit = r?.productId ? prices.get(r.productId) ?? data.lineItems.find((l) => l.productId === r.productId)?.unitPrice.minor : undefined;
    return unit === undefined ? null : lineTotal(unit, r?.quantity ?? "", r?.discountPercent ?? "");
  });
  const sum = totals.every((x) => x !== null) ? totals.reduce<number>((a, b) => a + (b ?? 0), 0) : null;
  return (
    <Form
      form={form}
      name="lines"
      layout="vertical"
      data-testid="line-items"
      initialValues={{
        priceBookId: defaultBook,
        lineItems: data.lineItems.map((l) => ({ productId: l.productId, quantity: l.quantity, discountPercent: l.discountPercent })),
      }}
      key={data.version}
      onFinish={(v) => save.mutate({ v, version: data.version })}
    >
      {error ? <Alert type="error" message={error} style={{ marginBottom: 12 }} data-testid="line-items-error" /> : null}
      <Form.Item name="priceBookId" label={t("sales.lines.priceBook")}>
        <Select aria-label={t("sales.lines.priceBook")} loading={books.isLoading} options={books.data?.items.filter((b) => b.active).map((b) => ({ value: b.id, label: `${b.name} (${b.currency})` }))} />
      </Form.Item>
      <Form.List name="lineItems">
        {(fields, { add, remove }) => (
          <>
            <Table
              size="small"
              pagination={false}
              rowKey="key"
              dataSource={fields}
              scroll={{ x: "max-content" }}
              columns={[
                {
                  title: t("sales.lines.product"),
                  key: "product",
                  render: (_, f) => (
                    <Form.Item name={[f.name, "productId"]} rules={[{ required: true, message: t("sales.form.required") }]} style={{ margin: 0 }}>
                      <ProductSelect known={known} label={t("sales.lines.product")} />
                    </Form.Item>
                  ),
                },
                {
                  title: t("sales.lines.quantity"),
                  key: "quantity",
                  render: (_, f) => (
                    <Form.Item name={[f.name, "quantity"]} rules={[{ required: true, message: t("sales.form.required") }]} style={{ margin: 0 }}>
                      <Input aria-label={t("sales.lines.quantity")} inputMode="decimal" style={{ width: 90 }} data-testid="line-quantity" />
                    </Form.Item>
                  ),
                },
                {
                  title: t("sales.lines.discount"),
                  key: "discount",
                  render: (_, f) => (
                    <Form.Item name={[f.name, "discountPercent"]} style={{ margin: 0 }}>
                      <Input aria-label={t("sales.lines.discount")} inputMode="decimal" suffix="%" style={{ width: 90 }} data-testid="line-discount" />
                    </Form.Item>
                  ),
                },
                {
                  title: t("sales.lines.total"),
                  key: "total",
                  align: "right",
                  render: (_, f) => {
                    const x = totals[f.name];
                    return x === null || x === undefined ? "—" : formatMinor(x, currency, locale);
                  },
                },
                {
                  title: <span className="sr-only">{t("action.delete")}</span>,
                  key: "remove",
                  render: (_, f) => <Button type="text" icon={<DeleteOutlined />} aria-label={t("sales.lines.remove")} onClick={() => remove(f.name)} />,
                },
              ]}
            />
            <Space style={{ width: "100%", justifyContent: "space-between", marginTop: 12, flexWrap: "wrap" }}>
              <Button icon={<PlusOutlined />} onClick={() => add({ quantity: "1", discountPercent: "" })} data-testid="line-add">
                {t("sales.lines.add")}
              </Button>
              <Typography.Text strong data-testid="line-items-total">
                {t("sales.lines.sum", { total: sum === null ? "—" : formatMinor(sum, currency, locale) })}
              </Typography.Text>
              <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="line-items-save">
                {t("action.save")}
              </Button>
            </Space>
          </>
        )}
      </Form.List>
    </Form>
  );
}
