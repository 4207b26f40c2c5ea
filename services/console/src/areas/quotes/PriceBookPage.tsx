import { App, Button, Descriptions, Form, Input, Space, Typography } from "antd";
import { DeleteOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useParams } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { formatMinor } from "../../lib/money";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { FormDialog, useDialogSave } from "./FormDialog";
import { toMinor } from "./money";
import { BookTags, PriceBookForm } from "./PriceBooksPage";
import { ProductName, ProductPicker } from "./ProductPicker";
import type { PriceBook } from "./shared";

type Entry = components["schemas"]["PriceBookEntry"];

/** PriceBookPage shows a price book and its prices; sales:admin changes it and sets and removes prices. */
export default function PriceBookPage() {
  const { id = "" } = useParams();
  const { t, locale } = useI18n();
  const { can } = useSession();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [pricing, setPricing] = useState(false);
  const book = useQuery({ queryKey: ["price-books", id], queryFn: () => unwrap(api.GET("/v1/price-books/{id}", { params: { path: { id } } })) });
  const paged = usePagedQuery(["price-books", id, "entries"], (cursor) =>
    unwrap(api.GET("/v1/price-books/{id}/entries", { params: { path: { id }, query: { limit: 50, cursor } } })),
  );
  const remove = useMutation({
    mutationFn: (productId: string) => unwrap(api.DELETE("/v1/price-books/{id}/entries/{productId}", { params: { path: { id, productId } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["price-books", id, "entries"] }),
  });
  if (book.isError) return <ErrorState error={book.error} onRetry={() => book.refetch()} />;
  const b = book.data;
  const admin = can("sales:admin");
  const price = (e: Entry) => formatMinor(e.unitPrice.minor, e.unitPrice.currency, locale);
  const removeButton = (e: Entry) =>
    admin && (
      <Button
        danger
        type="text"
        icon={<DeleteOutlined />}
        aria-label={t("quotes.books.removePrice")}
        onClick={(ev) => {
          ev.stopPropagation();
          modal.confirm({ title: t("quotes.books.removePrice"), okText: t("action.delete"), cancelText: t("action.cancel"), onOk: () => remove.mutateAsync(e.productId) });
        }}
      />
    );
  return (
    <div data-testid="page-price-book">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {b?.name ?? t("quotes.books.title")}
        </Typography.Title>
        {admin && b && (
          <Space wrap>
            <Button onClick={() => setEditing(true)} data-testid="book-edit">
              {t("action.edit")}
            </Button>
            <Button type="primary" onClick={() => setPricing(true)} data-testid="price-new">
              {t("quotes.books.setPrice")}
            </Button>
          </Space>
        )}
      </Space>
      {b && (
        <Descriptions size="small" column={{ xs: 1, md: 3 }} style={{ marginBottom: 16 }}>
          <Descriptions.Item label={t("quotes.books.currency")}>{b.currency}</Descriptions.Item>
          <Descriptions.Item label={t("quotes.books.segment")}>{b.segment ?? ""}</Descriptions.Item>
          <Descriptions.Item label={t("quotes.books.validity")}>
            {formatDate(b.validFrom, locale) || "…"} – {formatDate(b.validTo, locale) || "…"}
          </Descriptions.Item>
          <Descriptions.Item label={t("quotes.books.flags")}>
            <BookTags book={b} />
          </Descriptions.Item>
        </Descriptions>
      )}
      <Typography.Title level={2} style={{ fontSize: 18 }}>
        {t("quotes.books.entries")}
      </Typography.Title>
      <PagedList<Entry>
        paged={paged}
        rowKey="productId"
        caption={t("quotes.books.entries")}
        columns={[
          { title: t("quotes.product"), key: "product", render: (_: unknown, e: Entry) => <ProductName id={e.productId} /> },
          { title: t("quotes.unitPrice"), key: "price", align: "right", render: (_: unknown, e: Entry) => price(e) },
          { title: t("quotes.books.updated"), key: "at", render: (_: unknown, e: Entry) => formatDate(e.updatedAt, locale) },
          { title: "", key: "remove", render: (_: unknown, e: Entry) => removeButton(e) },
        ]}
        card={(e) => (
          <Space style={{ width: "100%", justifyContent: "space-between" }}>
            <span>
              <ProductName id={e.productId} />
            </span>
            <Space>
              <Typography.Text strong>{price(e)}</Typography.Text>
              {removeButton(e)}
            </Space>
          </Space>
        )}
      />
      {editing && b && (
        <PriceBookForm
          book={b}
          onClose={() => {
            setEditing(false);
            qc.invalidateQueries({ queryKey: ["price-books", id] });
          }}
        />
      )}
      {pricing && b && <PriceForm book={b} onClose={() => setPricing(false)} />}
    </div>
  );
}

interface PriceValues {
  productId: string;
  price: string;
}

/** PriceForm sets a product's price in the book, typed in major units and sent in minor units. */
function PriceForm({ book, onClose }: { book: PriceBook; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<PriceValues>();
  const save = useDialogSave({
    form,
    queryKey: ["price-books", book.id, "entries"],
    onClose,
    write: (v: PriceValues) =>
      unwrap(
        api.PUT("/v1/price-books/{id}/entries/{productId}", {
          params: { path: { id: book.id, productId: v.productId } },
          body: { unitPrice: { minor: Number(toMinor(v.price, book.exponent)), currency: book.currency } },
        }),
      ),
  });
  return (
    <FormDialog title={t("quotes.books.setPrice")} form={form} save={save} okTestId="price-save" onClose={onClose}>
      <Form.Item name="productId" label={t("quotes.product")} rules={[{ required: true, message: t("quotes.required") }]}>
        <ProductPicker testId="price-product" />
      </Form.Item>
      <Form.Item
        name="price"
        label={t("quotes.books.priceIn", { currency: book.currency })}
        rules={[
          { required: true, message: t("quotes.required") },
          { validator: (_, v: string) => (!v || toMinor(v, book.exponent) !== null ? Promise.resolve() : Promise.reject(new Error(t("quotes.books.badPrice", { digits: book.exponent })))) },
        ]}
      >
        <Input inputMode="decimal" data-testid="price-amount" />
      </Form.Item>
    </FormDialog>
  );
}
