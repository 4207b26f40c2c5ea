import { useQuery } from "@tanstack/react-query";
import { Drawer, List, Typography } from "antd";
import { Link } from "react-router-dom";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { fetchRecords, recordPath, reportsKey, type Cell, type Params, type ReportRecord } from "./api";

/** Drill is a figure to drill into: the report, its parameters and the cells the figure sums. */
export interface Drill {
  report: string;
  params: Params;
  cells: Cell[];
  title: string;
}

/** andFilter joins a widget's own filter with a cell's (a pipeline-stages row's stage). */
function andFilter(params: Params, cell: Cell): Cell {
  if (!cell.filter || !params.filter) return cell;
  return { ...cell, filter: JSON.stringify({ and: [JSON.parse(params.filter), JSON.parse(cell.filter)] }) };
}

/** loadRecords lists the records behind every cell of a figure, each record once. */
async function loadRecords(d: Drill): Promise<ReportRecord[]> {
  const lists = await Promise.all(d.cells.map((c) => fetchRecords(d.report, d.params, andFilter(d.params, c))));
  const seen = new Set<string>();
  return lists.flat().filter((r) => {
    const key = `${r.kind}/${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * DrillDrawer lists the records behind a figure (GET
 * /v1/reports/{name}/records per cell it sums), each linking to its page in
 * the console where it has one (opportunity, lead, contact, account, case).
 */
export function DrillDrawer({ drill, onClose }: { drill: Drill | null; onClose: () => void }) {
  const { t } = useI18n();
  const q = useQuery({
    queryKey: reportsKey("records", drill),
    queryFn: () => loadRecords(drill!),
    enabled: !!drill,
  });
  return (
    <Drawer open={!!drill} onClose={onClose} title={drill?.title ?? ""} width={480} data-testid="drill-drawer" destroyOnClose>
      {q.isError ? (
        <ErrorState error={q.error} onRetry={() => q.refetch()} />
      ) : (
        <List<ReportRecord>
          loading={q.isLoading}
          dataSource={q.data ?? []}
          locale={{ emptyText: t("reports.drill.empty") }}
          renderItem={(r) => {
            const path = recordPath(r);
            const name = r.name || r.id;
            return (
              <List.Item data-testid="drill-record" data-kind={r.kind} data-id={r.id}>
                <List.Item.Meta
                  title={path ? <Link to={path}>{name}</Link> : name}
                  description={
                    <Typography.Text type="secondary">
                      {t(`reports.kind.${r.kind}`)}
                      {r.fields && Object.keys(r.fields).length > 0 ? " · " + Object.entries(r.fields).map(([k, v]) => `${k}: ${String(v)}`).join(", ") : ""}
                    </Typography.Text>
                  }
                />
              </List.Item>
            );
          }}
        />
      )}
    </Drawer>
  );
}
