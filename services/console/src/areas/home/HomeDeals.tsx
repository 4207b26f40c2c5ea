import { useQuery } from "@tanstack/react-query";
import { Card, Empty, Skeleton } from "antd";
import { lazy, Suspense, useMemo } from "react";
import { api, unwrap } from "../../api/client";
import type { components } from "../../api/schema";
import { useSession } from "../../auth/session";
import { ErrorState } from "../../components/ErrorState";
import { useI18n } from "../../i18n/I18n";
import { cardTitle } from "./HomeTasks";
import type { StageBar } from "./StageChart";

const StageChart = lazy(() => import("./StageChart"));

type Opportunity = components["schemas"]["Opportunity"];

/** maxPages × 200 bounds the open opportunities read for the chart. */
const maxPages = 5;

/**
 * HomeDeals charts the user's open opportunities by stage, in the order of
 * their pipelines' stages.
 */
export function HomeDeals() {
  const { t } = useI18n();
  const { me } = useSession();
  const owner = me?.user.id ?? "";
  const pipelines = useQuery({ queryKey: ["pipelines"], queryFn: () => unwrap(api.GET("/v1/pipelines")), staleTime: 300_000 });
  const deals = useQuery({
    queryKey: ["opportunities", "home", owner],
    enabled: owner !== "",
    queryFn: async () => {
      const items: Opportunity[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < maxPages; i++) {
        const page = await unwrap(api.GET("/v1/opportunities", { params: { query: { ownerId: owner, status: "open", limit: 200, cursor } } }));
        items.push(...page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return items;
    },
  });

  const bars = useMemo<StageBar[]>(() => {
    const counts = new Map<string, number>();
    for (const o of deals.data ?? []) counts.set(o.stageId, (counts.get(o.stageId) ?? 0) + 1);
    const ps = pipelines.data?.items ?? [];
    const out: StageBar[] = [];
    for (const p of ps) {
      for (const s of p.stages) {
        const n = counts.get(s.id);
        if (!n) continue;
        out.push({ label: ps.length > 1 ? `${p.name} · ${s.name}` : s.name, count: n });
        counts.delete(s.id);
      }
    }
    return out;
  }, [deals.data, pipelines.data]);

  const failed = deals.error ?? pipelines.error;
  const summary = bars.map((b) => t("home.dealsStage", { stage: b.label, count: b.count })).join("; ");
  return (
    <Card title={cardTitle(t("home.deals"))}>
      {failed ? (
        <ErrorState
          error={failed}
          onRetry={() => {
            deals.refetch();
            pipelines.refetch();
          }}
        />
      ) : deals.isLoading || pipelines.isLoading ? (
        <Skeleton active />
      ) : bars.length === 0 ? (
        <Empty description={t("home.noDeals")} />
      ) : (
        <Suspense fallback={<Skeleton active />}>
          <StageChart bars={bars} summary={t("home.dealsChart", { stages: summary })} />
        </Suspense>
      )}
    </Card>
  );
}
