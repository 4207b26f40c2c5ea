import { Select } from "antd";
import { useState } from "react";
import { useSession } from "../../auth/session";
import { useT } from "../../i18n/I18n";
import { displayName, usePeople, usePersonName } from "../../lib/people";

/**
 * AssigneeSelect picks the agent of a case from the people directory
 * (typing searches it), the user themself first; cleared is unassigned.
 */
export function AssigneeSelect({ value, onChange, id, testId }: { value?: string | null; onChange?: (v: string | null) => void; id?: string; testId?: string }) {
  const t = useT();
  const { me } = useSession();
  const [search, setSearch] = useState("");
  const users = usePeople(search);
  const chosenName = usePersonName(value);
  const myId = me?.user.id ?? "";
  const found = (users.data ?? []).filter((u) => u.id !== myId).map((u) => ({ value: u.id, label: displayName(u) }));
  const options = [{ value: myId, label: t("support.me") }, ...found];
  if (value && value !== myId && !options.some((o) => o.value === value)) options.push({ value, label: chosenName });
  return (
    <Select
      id={id}
      allowClear
      showSearch
      optionFilterProp="label"
      onSearch={setSearch}
      aria-label={t("support.case.assignee")}
      placeholder={t("support.case.unassigned")}
      value={value ?? undefined}
      onChange={(v?: string) => onChange?.(v ?? null)}
      options={options}
      loading={users.isLoading}
      style={{ minWidth: 180 }}
      data-testid={testId}
    />
  );
}
