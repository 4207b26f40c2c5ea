import { useCallback, useMemo } from "react";
import { useT } from "../../i18n/I18n";
import { displayName, usePeopleByIds } from "../../lib/people";
import type { Report } from "./api";

/** personGroups are the groupBys whose groups are user ids. */
const personGroups = new Set(["owner"]);

/**
 * useGroupLabel gives the writer of a report's groups: an owner's id as the
 * person's name, "" as "(none)" (or "All" for an ungrouped report), any
 * other group as it is. The writer changes only when a name does, so the
 * charts drawn with it are not drawn again for nothing.
 */
export function useGroupLabel(r: Pick<Report, "groupBy" | "rows"> | undefined): (group: string) => string {
  const t = useT();
  const people = personGroups.has(r?.groupBy ?? "") ? (r?.rows ?? []).map((row) => String(row.group ?? "")) : [];
  const { byId } = usePeopleByIds(people);
  const names = JSON.stringify([...byId.values()].map((p) => [p.id, displayName(p)]).sort());
  const known = useMemo(() => new Map<string, string>(JSON.parse(names) as [string, string][]), [names]);
  const grouped = (r?.groupBy ?? "") !== "";
  return useCallback(
    (g: string) => {
      if (g === "") return grouped ? t("reports.group.none") : t("reports.group.all");
      return known.get(g) ?? g;
    },
    [known, grouped, t],
  );
}
