import { Button, Table } from "antd";
import { useI18n } from "../../i18n/I18n";
import type { Cell, Report } from "./api";
import { cellOf, numericColumns } from "./figures";
import { columnLabel, formatCell } from "./format";

/**
 * ReportTable shows a report's rows with every column; a figure with
 * records behind it (a count or an amount) is a button that drills down
 * to them.
 */
export function ReportTable({ report, label, onCell, drill }: { report: Report; label: (g: string) => string; onCell: (c: Cell, title: string) => void; drill: boolean }) {
  const { locale } = useI18n();
  const numeric = new Set(numericColumns(report).map((c) => c.name));
  return (
    <Table<Record<string, unknown>>
      size="small"
      rowKey={(row) => report.columns.map((c) => String(row[c.name] ?? "")).join("|")}
      dataSource={report.rows}
      pagination={report.rows.length > 20 ? { pageSize: 20, size: "small" } : false}
      scroll={{ x: "max-content" }}
      onRow={() => ({ "data-testid": "report-row" }) as object}
      columns={report.columns.map((c) => ({
        title: columnLabel(c, locale),
        key: c.name,
        align: numeric.has(c.name) ? ("right" as const) : undefined,
        render: (_: unknown, row: Record<string, unknown>) => {
          const v = row[c.name];
          if (c.name === "group") return row.pipelineName || row.name ? String(row.pipelineName || row.name) : label(String(v ?? ""));
          const text = formatCell(v, c.type, report.currency, locale);
          if (!drill || !numeric.has(c.name) || text === "—" || c.type === "percent" || c.type === "decimal") return text;
          return (
            <Button type="link" size="small" style={{ padding: 0 }} data-testid={`cell-${c.name}`} onClick={() => onCell(cellOf(report, row, c.name), `${columnLabel(c, locale)} · ${label(String(row.group ?? ""))}`)}>
              {text}
            </Button>
          );
        },
      }))}
    />
  );
}
