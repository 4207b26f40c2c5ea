import { Button, DatePicker, Form, Input, Space, Switch, Tag, Typography } from "antd";
import { useQuery } from "@tanstack/react-query";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { ResponsiveList } from "../../components/ResponsiveList";
import { useI18n } from "../../i18n/I18n";
import { formatDate } from "../../lib/dates";
import { FormDialog, useDialogSave } from "./FormDialog";
import { activeColor, stateColors, type PriceBook } from "./shared";

/** PriceBooksPage lists the price books and creates them (sales:admin). */
export default function PriceBooksPage() {
  const { t, locale } = useI18n();
  const { can } = useSession();
  const nav = useNavigate();
  const [creating, setCreating] = useState(false);
  const list = useQuery({ queryKey: ["price-books"], queryFn: () => unwrap(api.GET("/v1/price-books")) });
  const validity = (b: PriceBook) => (b.validFrom || b.validTo ? `${formatDate(b.validFrom, locale) || "…"} – ${formatDate(b.validTo, locale) || "…"}` : "");
  return (
    <div data-testid="page-price-books">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("quotes.books.title")}
        </Typography.Title>
        {can("sales:admin") && (
          <Button type="primary" onClick={() => setCreating(true)} data-testid="book-new">
            {t("quotes.books.new")}
          </Button>
        )}
      </Space>
      {list.isError ? (
        <ErrorState error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <ResponsiveList<PriceBook>
          rowKey="id"
          caption={t("quotes.books.title")}
          loading={list.isLoading}
          data={list.data?.items ?? []}
          onOpen={(b) => nav(`/price-books/${b.id}`)}
          columns={[
            { title: t("quotes.books.name"), dataIndex: "name" },
            { title: t("quotes.books.currency"), dataIndex: "currency" },
            { title: t("quotes.books.segment"), dataIndex: "segment" },
            { title: t("quotes.books.validity"), key: "validity", render: (_: unknown, b: PriceBook) => validity(b) },
            { title: t("quotes.books.flags"), key: "flags", render: (_: unknown, b: PriceBook) => <BookTags book={b} /> },
          ]}
          card={(b) => (
            <Space direction="vertical" size={0}>
              <Typography.Text strong>{b.name}</Typography.Text>
              <Typography.Text type="secondary">
                {b.currency} {b.segment ? `· ${b.segment}` : ""} {validity(b)}
              </Typography.Text>
              <BookTags book={b} />
            </Space>
          )}
        />
      )}
      {creating && <PriceBookForm book={null} onClose={() => setCreating(false)} />}
    </div>
  );
}

/** BookTags marks a book standard or inactive. */
export function BookTags({ book }: { book: PriceBook }) {
  const { t } = useI18n();
  return (
    <Space size={4}>
      {book.isStandard && <Tag color={stateColors.sent}>{t("quotes.books.standard")}</Tag>}
      <Tag color={book.active ? activeColor : "default"}>{book.active ? t("quotes.books.active") : t("quotes.books.inactive")}</Tag>
    </Space>
  );
}

interface BookValues {
  name: string;
  currency: string;
  segment?: string;
  validFrom?: Dayjs | null;
  validTo?: Dayjs | null;
  active: boolean;
  isStandard: boolean;
}

const day = (d?: Dayjs | null) => (d ? d.format("YYYY-MM-DD") : undefined);

/** PriceBookForm creates a price book, or changes one with If-Match (its currency fixed). */
export function PriceBookForm({ book, onClose }: { book: PriceBook | null; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<BookValues>();
  const save = useDialogSave({
    form,
    queryKey: ["price-books"],
    onClose,
    version: async () => (await unwrap(api.GET("/v1/price-books/{id}", { params: { path: { id: book!.id } } }))).version,
    write: async (v: BookValues, version) => {
      const fields = { name: v.name, segment: v.segment || undefined, active: v.active, isStandard: v.isStandard };
      if (!book) return unwrap(api.POST("/v1/price-books", { body: { ...fields, currency: v.currency.toUpperCase(), validFrom: day(v.validFrom), validTo: day(v.validTo) } }));
      return unwrap(
        api.PATCH("/v1/price-books/{id}", {
          params: { path: { id: book.id }, header: { "If-Match": `"${version ?? book.version}"` } },
          body: { ...fields, segment: v.segment || null, validFrom: day(v.validFrom) ?? null, validTo: day(v.validTo) ?? null },
          headers: { "Content-Type": "application/merge-patch+json" },
        }),
      );
    },
  });
  const initial: Partial<BookValues> = book
    ? { ...book, validFrom: book.validFrom ? dayjs(book.validFrom) : null, validTo: book.validTo ? dayjs(book.validTo) : null }
    : { active: true, isStandard: false };
  return (
    <FormDialog title={book ? t("quotes.books.edit") : t("quotes.books.new")} form={form} save={save} okTestId="book-save" onClose={onClose} initialValues={initial}>
      <Form.Item name="name" label={t("quotes.books.name")} rules={[{ required: true, message: t("quotes.required") }]}>
        <Input data-testid="book-name" />
      </Form.Item>
      <Form.Item name="currency" label={t("quotes.books.currency")} rules={[{ required: true, pattern: /^[A-Za-z]{3}$/, message: t("quotes.books.currencyHelp") }]}>
        <Input disabled={!!book} maxLength={3} data-testid="book-currency" />
      </Form.Item>
      <Form.Item name="segment" label={t("quotes.books.segment")}>
        <Input />
      </Form.Item>
      <Space wrap>
        <Form.Item name="validFrom" label={t("quotes.books.validFrom")}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="validTo" label={t("quotes.books.validTo")}>
          <DatePicker />
        </Form.Item>
      </Space>
      <Space wrap size="large">
        <Form.Item name="active" label={t("quotes.books.active")} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="isStandard" label={t("quotes.books.standard")} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Space>
    </FormDialog>
  );
}
