import { useQuery } from "@tanstack/react-query";
import { Select } from "antd";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { useSession } from "../../auth/session";
import { displayName, usePeople, usePersonName } from "../../lib/people";
import { useT } from "../../i18n/I18n";
import type { Who } from "./activities";

/** whoValue writes a Who as the select's value ("user:<id>", "team:<id>"). */
function whoValue(w: Who): string {
  return "team" in w ? `team:${w.team}` : `user:${w.assignee}`;
}

/**
 * WhoSelect chooses whose calendar shows: the user's own, a colleague's
 * (from the people directory, which everyone reads; typing searches it) or
 * — for who may read teams — a team's.
 */
export function WhoSelect({ value, onChange }: { value: Who; onChange: (w: Who) => void }) {
  const t = useT();
  const { me, can } = useSession();
  const [search, setSearch] = useState("");
  const users = usePeople(search);
  const chosen = "assignee" in value ? value.assignee : "";
  const chosenName = usePersonName(chosen);
  const teams = useQuery({
    queryKey: ["teams", "directory"],
    queryFn: () => unwrap(api.GET("/v1/teams", { params: { query: { limit: 200 } } })),
    enabled: can("teams:read"),
    staleTime: 300_000,
  });
  const myId = me?.user.id ?? "";
  const found = (users.data ?? []).filter((u) => u.id !== myId).map((u) => ({ value: `user:${u.id}`, label: displayName(u) }));
  const people = chosen && chosen !== myId && !found.some((o) => o.value === `user:${chosen}`) ? [{ value: `user:${chosen}`, label: chosenName }, ...found] : found;
  const options = [
    { value: `user:${myId}`, label: t("calendar.me") },
    ...(people.length ? [{ label: t("calendar.people"), options: people }] : []),
    ...(teams.data?.items.length ? [{ label: t("calendar.teams"), options: teams.data.items.map((tm) => ({ value: `team:${tm.id}`, label: tm.name })) }] : []),
  ];
  return (
    <Select
      aria-label={t("calendar.whose")}
      data-testid="cal-who"
      style={{ minWidth: 180 }}
      showSearch
      optionFilterProp="label"
      onSearch={setSearch}
      value={whoValue(value)}
      loading={users.isLoading || teams.isLoading}
      options={options}
      onChange={(v: string) => {
        const [kind, id] = v.split(":");
        onChange(kind === "team" ? { team: id } : { assignee: id });
      }}
    />
  );
}
