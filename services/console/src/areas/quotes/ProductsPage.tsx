import { Button, Form, Input, Select, Space, Switch, Tag, Typography } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { PagedList } from "../../components/PagedList";
import { useI18n } from "../../i18n/I18n";
import { usePagedQuery } from "../../lib/usePagedQuery";
import { FormDialog, useDialogSave } from "./FormDialog";
import { activeColor, type Product } from "./shared";

const units = ["each", "hour", "month"];

/** ProductsPage lists the catalogue's products, searchable, and creates and edits them (sales:admin). */
export default function ProductsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [q, setQ] = useState("");
  const [editing, setEditing] = useState<Product | "new" | null>(null);
  const paged = usePagedQuery(["products", q], (cursor) => unwrap(api.GET("/v1/products", { params: { query: { q: q || undefined, limit: 50, cursor } } })));
  const { pages } = paged;
  const admin = can("sales:admin");
  return (
    <div data-testid="page-products">
      <Space style={{ width: "100%", justifyContent: "space-between", flexWrap: "wrap", marginBottom: 12 }}>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {t("quotes.products.title")}
        </Typography.Title>
        {admin && (
          <Button type="primary" onClick={() => setEditing("new")} data-testid="product-new">
            {t("quotes.products.new")}
          </Button>
        )}
      </Space>
      <Input.Search
        allowClear
        aria-label={t("quotes.products.search")}
        placeholder={t("quotes.products.search")}
        onSearch={(v) => {
          setQ(v.trim());
          pages.reset();
        }}
        style={{ maxWidth: 360, marginBottom: 12 }}
        data-testid="product-search"
      />
      <PagedList<Product>
        paged={paged}
        rowKey="id"
        caption={t("quotes.products.title")}
        onOpen={admin ? (p) => setEditing(p) : undefined}
        columns={[
          { title: t("quotes.products.sku"), dataIndex: "sku" },
          { title: t("quotes.products.name"), dataIndex: "name" },
          { title: t("quotes.products.family"), dataIndex: "family" },
          { title: t("quotes.products.unit"), dataIndex: "unit" },
          { title: t("quotes.products.active"), dataIndex: "active", render: (a: boolean) => <Tag color={a ? activeColor : "default"}>{a ? t("quotes.yes") : t("quotes.no")}</Tag> },
        ]}
        card={(p) => (
          <Space direction="vertical" size={0}>
            <Typography.Text strong>{p.name}</Typography.Text>
            <Typography.Text type="secondary">
              {p.sku} · {p.unit}
            </Typography.Text>
            {!p.active && <Tag>{t("quotes.products.inactive")}</Tag>}
          </Space>
        )}
      />
      {editing && <ProductForm product={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

interface ProductValues {
  sku: string;
  name: string;
  family?: string;
  unit: string;
  description?: string;
  active: boolean;
}

/** ProductForm creates a product, or changes one with If-Match. */
function ProductForm({ product, onClose }: { product: Product | null; onClose: () => void }) {
  const { t } = useI18n();
  const [form] = Form.useForm<ProductValues>();
  const save = useDialogSave({
    form,
    queryKey: ["products"],
    onClose,
    version: async () => (await unwrap(api.GET("/v1/products/{id}", { params: { path: { id: product!.id } } }))).version,
    write: async (v: ProductValues, version) => {
      if (!product) return unwrap(api.POST("/v1/products", { body: { ...v, family: v.family || undefined, description: v.description || undefined } }));
      return unwrap(
        api.PATCH("/v1/products/{id}", {
          params: { path: { id: product.id }, header: { "If-Match": `"${version ?? product.version}"` } },
          body: { ...v, family: v.family || null, description: v.description || null },
          headers: { "Content-Type": "application/merge-patch+json" },
        }),
      );
    },
  });
  return (
    <FormDialog
      title={product ? t("quotes.products.edit") : t("quotes.products.new")}
      form={form}
      save={save}
      okTestId="product-save"
      onClose={onClose}
      initialValues={product ?? { unit: "each", active: true }}
    >
      <Form.Item name="sku" label={t("quotes.products.sku")} rules={[{ required: true, message: t("quotes.required") }]}>
        <Input data-testid="product-sku" />
      </Form.Item>
      <Form.Item name="name" label={t("quotes.products.name")} rules={[{ required: true, message: t("quotes.required") }]}>
        <Input data-testid="product-name" />
      </Form.Item>
      <Form.Item name="family" label={t("quotes.products.family")}>
        <Input />
      </Form.Item>
      <Form.Item name="unit" label={t("quotes.products.unit")}>
        <Select options={units.map((u) => ({ value: u, label: t(`quotes.unit.${u}`) }))} />
      </Form.Item>
      <Form.Item name="description" label={t("quotes.products.description")}>
        <Input.TextArea rows={3} />
      </Form.Item>
      <Form.Item name="active" label={t("quotes.products.active")} valuePropName="checked">
        <Switch />
      </Form.Item>
    </FormDialog>
  );
}
