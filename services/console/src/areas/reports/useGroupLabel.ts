import { useCallback } from "react";
import { useT } from "../../i18n/I18n";
import { displayName, usePeopleByIds } from "../../lib/people";
import type { Report } from "./api";

/** personGroups are the groupBys whose groups are user ids. */
const personGroups = new Set(["owner"]);

/**
 * useGroupLabel gives the writer of a report's groups: an owner's id as the
 * person's name, "" as "(none)" (or "All" for an ungrouped report), any
 * other group as it is.
 */
export function useGroupLabel(r: Pick<Report, "groupBy" | "rows"> | undefined): (group: string) => string {
  const t = useT();
  const people = personGroups.has(r?.groupBy ?? "") ? (r?.rows ?? []).map((row) => String(row.group ?? "")) : [];
  const { byId } = usePeopleByIds(people);
  const grouped = (r?.groupBy ?? "") !== "";
  return useCallback(
    (g: string) => {
      if (g === "") return grouped ? t("reports.group.none") : t("reports.group.all");
      const p = byId.get(g);
      return p ? displayName(p) : g;
    },
    [byId, grouped, t],
  );
}
