import { Space, Table, Typography } from "antd";
import { useI18n } from "../../i18n/I18n";
import { formatMinor } from "../../lib/money";
import { useIsPhone } from "../../lib/useIsPhone";
import type { LineItem } from "./shared";

/** QuoteLines shows a quote revision's lines and total as the server priced them. */
export function QuoteLines({ lines, total }: { lines: LineItem[]; total: { minor: number; currency: string } }) {
  const { t, locale } = useI18n();
  const phone = useIsPhone();
  const money = (a: { minor: number; currency: string }) => formatMinor(a.minor, a.currency, locale);
  const totalText = (
    <Typography.Text strong data-testid="quote-total">
      {money(total)}
    </Typography.Text>
  );
  if (phone) {
    return (
      <Space direction="vertical" style={{ width: "100%" }}>
        {lines.map((l, i) => (
          <div key={i} data-testid="quote-line" style={{ borderBottom: "1px solid #f0f0f0", paddingBottom: 8 }}>
            <Typography.Text strong>{l.productName}</Typography.Text>
            <div>
              {l.quantity} × {money(l.unitPrice)}
              {l.discountPercent !== "0" && ` − ${l.discountPercent}%`} = {money(l.total)}
            </div>
          </div>
        ))}
        <div>
          {t("quotes.total")} {totalText}
        </div>
      </Space>
    );
  }
  return (
    <Table<LineItem & { key: number }>
      size="small"
      pagination={false}
      scroll={{ x: "max-content" }}
      dataSource={lines.map((l, i) => ({ ...l, key: i }))}
      onRow={() => ({ "data-testid": "quote-line" }) as object}
      columns={[
        { title: t("quotes.lines.sku"), dataIndex: "sku" },
        { title: t("quotes.product"), dataIndex: "productName" },
        { title: t("quotes.lines.quantity"), dataIndex: "quantity", align: "right" },
        { title: t("quotes.unitPrice"), key: "unit", align: "right", render: (_: unknown, l: LineItem) => money(l.unitPrice) },
        { title: t("quotes.lines.discount"), key: "discount", align: "right", render: (_: unknown, l: LineItem) => `${l.discountPercent}%` },
        { title: t("quotes.lines.total"), key: "total", align: "right", render: (_: unknown, l: LineItem) => money(l.total) },
      ]}
      summary={() => (
        <Table.Summary.Row>
          <Table.Summary.Cell index={0} colSpan={5}>
            {t("quotes.total")}
          </Table.Summary.Cell>
          <Table.Summary.Cell index={5} align="right">
            {totalText}
          </Table.Summary.Cell>
        </Table.Summary.Row>
      )}
    />
  );
}
