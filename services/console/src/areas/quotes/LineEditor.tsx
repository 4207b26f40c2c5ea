import { App, Button, Card, Col, Form, Input, Row, Select, Space, Typography } from "antd";
import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { resolveConflict } from "../../components/conflict";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { applyProblem } from "../../lib/forms";
import { formatMinor } from "../../lib/money";
import { lineTotalMinor } from "./money";
import { ProductPicker } from "./ProductPicker";

type LineItemsInput = components["schemas"]["LineItemsInput"];

interface LineValues {
  productId?: string;
  quantity: string;
  discountPercent: string;
}

interface Values {
  priceBookId?: string;
  lineItems: LineValues[];
}

/** bookPrices reads every price of a book, page by page, as minor units by product id. */
async function bookPrices(id: string): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  let cursor: string | undefined;
  do {
    const page = await unwrap(api.GET("/v1/price-books/{id}/entries", { params: { path: { id }, query: { limit: 200, cursor } } }));
    page.items.forEach((e) => out.set(e.productId, BigInt(e.unitPrice.minor)));
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/**
 * LineEditor edits an opportunity's line items — a quote is made of them:
 * the price book, products searched among those it prices, quantities and
 * line discounts (the API's only discounts), with a live preview of the
 * totals in exact minor units. Saving replaces the lines (If-Match of the
 * opportunity) and the server's priced lines go to onSaved.
 */
export function LineEditor({ opportunityId, saveLabel, onSaved }: { opportunityId: string; saveLabel: string; onSaved: (lines: components["schemas"]["LineItems"]) => Promise<void> | void }) {
  const { t, locale } = useI18n();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState("");
  const current = useQuery({
    queryKey: ["opportunities", opportunityId, "line-items"],
    queryFn: () => unwrap(api.GET("/v1/opportunities/{id}/line-items", { params: { path: { id: opportunityId } } })),
  });
  const books = useQuery({ queryKey: ["price-books"], queryFn: () => unwrap(api.GET("/v1/price-books")) });
  const bookId = Form.useWatch("priceBookId", form) ?? current.data?.priceBookId;
  const lines = Form.useWatch("lineItems", form) ?? [];
  const prices = useQuery({ queryKey: ["price-books", bookId, "prices"], enabled: !!bookId, queryFn: () => bookPrices(bookId!) });
  const book = books.data?.items.find((b) => b.id === bookId);

  const save = useMutation({
    mutationFn: async ({ v, version }: { v: Values; version: number }) => {
      const body: LineItemsInput = {
        priceBookId: v.priceBookId,
        lineItems: v.lineItems.map((l) => ({ productId: l.productId ?? "", quantity: l.quantity.trim(), discountPercent: l.discountPercent.trim() || undefined })),
      };
      const saved = await unwrap(api.PUT("/v1/opportunities/{id}/line-items", { params: { path: { id: opportunityId }, header: { "If-Match": `"${version}"` } }, body }));
      qc.setQueryData(["opportunities", opportunityId, "line-items"], saved);
      await onSaved(saved);
    },
    onError: (err, vars) => {
      const reload = () => {
        qc.invalidateQueries({ queryKey: ["opportunities", opportunityId, "line-items"] }).then(() => form.resetFields());
      };
      const overwrite = async () => {
        const cur = await unwrap(api.GET("/v1/opportunities/{id}/line-items", { params: { path: { id: opportunityId } } }));
        save.mutate({ v: vars.v, version: cur.version });
      };
      if (resolveConflict(modal, t, err, reload, overwrite)) return;
      setError(applyProblem(form, err));
    },
  });

  if (current.isError) return <ErrorState error={current.error} onRetry={() => current.refetch()} />;
  if (!current.data) return <Card loading />;
  const currency = book?.currency ?? current.data.amount?.currency ?? "";
  const money = (minor: bigint) => (currency ? formatMinor(minor.toString(), currency, locale) : minor.toString());
  const previews = lines.map((l) => {
    const unit = l?.productId ? prices.data?.get(l.productId) : undefined;
    return unit === undefined || !l ? null : lineTotalMinor(l.quantity ?? "", unit, l.discountPercent ?? "");
  });
  // The watched lines lag the form by a render: until they come, no preview.
  const sum = previews.length > 0 && previews.every((p) => p !== null) ? previews.reduce<bigint>((a, p) => a + (p ?? 0n), 0n) : null;

  return (
    <Card size="small" title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("quotes.lines.title")}</h2>} data-testid="line-editor">
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={{
          priceBookId: current.data.priceBookId,
          lineItems: current.data.lineItems.map((l) => ({ productId: l.productId, quantity: l.quantity, discountPercent: l.discountPercent === "0" ? "" : l.discountPercent })),
        }}
        onFinish={(v) => {
          setError("");
          save.mutate({ v: { ...v, lineItems: v.lineItems ?? [] }, version: current.data.version });
        }}
      >
        <Form.Item name="priceBookId" label={t("quotes.lines.book")}>
          <Select
            loading={books.isLoading}
            options={(books.data?.items ?? []).filter((b) => b.active || b.id === current.data.priceBookId).map((b) => ({ value: b.id, label: `${b.name} (${b.currency})` }))}
            style={{ maxWidth: 360 }}
            data-testid="line-book"
          />
        </Form.Item>
        <Form.List name="lineItems">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Row gutter={8} key={f.key} align="bottom" data-testid="line" style={{ borderBottom: "1px solid #f0f0f0", marginBottom: 8 }}>
                  <Col xs={24} md={10}>
                    <Form.Item name={[f.name, "productId"]} label={t("quotes.lines.product", { n: i + 1 })} rules={[{ required: true, message: t("quotes.required") }]}>
                      <ProductPicker only={prices.data ? new Set(prices.data.keys()) : undefined} testId={`line-product-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={4}>
                    <Form.Item name={[f.name, "quantity"]} label={t("quotes.lines.quantity")} rules={[{ required: true, message: t("quotes.required") }]}>
                      <Input inputMode="decimal" data-testid={`line-quantity-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={12} md={4}>
                    <Form.Item name={[f.name, "discountPercent"]} label={t("quotes.lines.discount")}>
                      <Input inputMode="decimal" suffix="%" data-testid={`line-discount-${i}`} />
                    </Form.Item>
                  </Col>
                  <Col xs={18} md={4}>
                    <Form.Item label={t("quotes.lines.preview")}>
                      <Typography.Text data-testid={`line-preview-${i}`}>{previews[i] == null ? "—" : money(previews[i]!)}</Typography.Text>
                    </Form.Item>
                  </Col>
                  <Col xs={6} md={2}>
                    <Form.Item label={<span className="sr-only">{t("quotes.lines.remove", { n: i + 1 })}</span>}>
                      <Button danger type="text" icon={<DeleteOutlined />} aria-label={t("quotes.lines.remove", { n: i + 1 })} onClick={() => remove(f.name)} />
                    </Form.Item>
                  </Col>
                </Row>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ quantity: "1", discountPercent: "" })} data-testid="line-add" disabled={!bookId}>
                {t("quotes.lines.add")}
              </Button>
            </>
          )}
        </Form.List>
        <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginTop: 16 }}>
          <Typography.Text>
            {t("quotes.lines.previewTotal")} <strong data-testid="lines-preview-total">{sum === null ? "—" : money(sum)}</strong>
          </Typography.Text>
          <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="lines-save">
            {saveLabel}
          </Button>
        </Space>
        {error && (
          <div role="alert" style={{ color: "#a8071a", marginTop: 8 }} data-testid="lines-error">
            {error}
          </div>
        )}
      </Form>
    </Card>
  );
}
